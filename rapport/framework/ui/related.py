"""Related lists of a record page, derived from the models of the declared record types.

A record type ``T`` is related to a record of type ``R`` when ``T``'s model

- has a foreign key or many-to-many field to ``R``'s model that is not hidden
  (``related_name="+"`` says "no reverse relation here"),
- owns child rows (``RecordType.children``) with a foreign key to ``R``'s model (an account's
  contacts through their memberships), or
- links to any record generically (``<x>_type`` to ContentType plus ``<x>_id``, as activities);

and ``R``'s own child rows with a foreign key to ``T``'s model relate the other way (a
contact's accounts through its memberships). Every list is restricted to what the user may
see and costs two queries (count and first rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from rapport.framework.base_models import is_restricted, restricted
from rapport.framework.registry import RecordType, record_types
from rapport.framework.ui.columns import available_columns, display, related_labels

ROWS = 10


@dataclass(frozen=True)
class RelatedPath:
    """How records of ``rt`` point at the record: a filter, its label and the list filter
    (query parameters of ``/<rt.key>/``) that shows the same records, if there is one."""

    rt: RecordType
    label: str
    q: Q
    list_params: dict[str, str] | None
    distinct: bool = False


@dataclass
class RelatedRow:
    title: str
    url: str
    facts: list[str] = field(default_factory=list)


@dataclass
class RelatedList:
    key: str
    label: str
    count: int
    rows: list[RelatedRow]
    list_url: str | None


def _filter_param(rt: RecordType, path: str) -> str | None:
    """The name of ``rt``'s list filter on exactly ``path``, if it has one."""
    if rt.filterset is None:
        return None
    for name, flt in rt.filterset.base_filters.items():
        if flt.field_name == path and flt.lookup_expr == "exact":
            return str(name)
    return None


def generic_link(model: type[models.Model]) -> tuple[str, str] | None:
    """``(type field, id field)`` of a generic link to any record, if ``model`` has one."""
    for f in model._meta.get_fields():
        if (
            f.is_relation
            and f.many_to_one
            and f.related_model is ContentType
            and f.name.endswith("_type")
        ):
            id_name = f.name[: -len("_type")] + "_id"
            try:
                model._meta.get_field(id_name)
            except FieldDoesNotExist:
                continue
            return f.name, id_name
    return None


def related_paths(rt: RecordType, record: models.Model) -> list[RelatedPath]:
    """Every way a visible record type points at ``record`` (of type ``rt``)."""
    model = rt.model
    paths: list[RelatedPath] = []
    for other in record_types():
        if other.is_config or not is_restricted(other.model):
            continue
        found: list[tuple[str, Q, dict[str, str] | None]] = []
        for f in other.model._meta.get_fields():
            if f.auto_created or not (f.is_relation and f.related_model is model):
                continue
            if (f.remote_field.related_name or "").endswith("+"):  # type: ignore[union-attr]
                continue
            param = _filter_param(other, f.name)
            found.append(
                (
                    str(f.verbose_name),  # type: ignore[union-attr]
                    Q(**{f.name: record.pk}),
                    {param: str(record.pk)} if param else None,
                )
            )
        for child in other.children:
            for cf in child.model._meta.get_fields():
                # The child's own key to its record is not a path (a contact's emails would
                # list the contact itself).
                if cf.name == child.fk:
                    continue
                if cf.is_relation and cf.many_to_one and cf.related_model is model:
                    fk: Any = child.model._meta.get_field(child.fk)
                    accessor = fk.related_query_name()
                    path = f"{accessor}__{cf.name}"
                    param = _filter_param(other, path)
                    found.append(
                        (
                            str(child.model._meta.verbose_name_plural),
                            Q(**{path: record.pk}),
                            {param: str(record.pk)} if param else None,
                        )
                    )
        for child in rt.children:
            for cf in child.model._meta.get_fields():
                if cf.name == child.fk:
                    continue
                if cf.is_relation and cf.many_to_one and cf.related_model is other.model:
                    ids = child.model._default_manager.filter(**{child.fk: record.pk}).values(
                        cf.name
                    )
                    found.append((str(child.model._meta.verbose_name_plural), Q(pk__in=ids), None))
        generic = generic_link(other.model)
        if generic is not None and not rt.is_config and other is not rt:
            type_field, id_field = generic
            ct = ContentType.objects.get_for_model(model)
            found.insert(
                0,
                (
                    "",
                    Q(**{type_field: ct, id_field: record.pk}),
                    {"related_to": f"{rt.key}:{record.pk}"}
                    if _has_filter(other, "related_to")
                    else None,
                ),
            )
        for i, (via, q, params) in enumerate(found):
            label = other.label_plural.capitalize()
            if i > 0 or other is rt:
                label = _("%(type)s (%(via)s)") % {"type": label, "via": via}
            # A join through child rows can meet one record twice.
            distinct = any("__" in str(c[0]) for c in q.children if isinstance(c, tuple))
            paths.append(RelatedPath(other, label, q, params, distinct))
    return paths


def _has_filter(rt: RecordType, name: str) -> bool:
    return rt.filterset is not None and name in rt.filterset.base_filters


def _rows(path: RelatedPath, objects: list[models.Model]) -> list[RelatedRow]:
    columns_by_name = available_columns(path.rt)
    columns = [columns_by_name[n] for n in path.rt.list_columns[1:4] if n in columns_by_name]
    values: list[dict[str, Any]] = []
    for obj in objects:
        row: dict[str, Any] = {}
        for col in columns:
            try:
                attname = obj._meta.get_field(col.name).attname  # type: ignore[union-attr]
            except FieldDoesNotExist:
                attname = col.name
            raw = getattr(obj, attname, None)
            row[col.name] = str(getattr(raw, "code", "") or "") if col.kind == "country" else raw
        values.append(row)
    labels = related_labels(columns, values)
    rows = []
    for obj, row in zip(objects, values, strict=True):
        title = str(obj)
        facts = []
        for col in columns:
            text = display(col, row.get(col.name), labels)
            if not text or text == title:
                continue
            # "Yes" or "No" alone says nothing; name the field.
            facts.append(f"{col.label}: {text}" if col.kind == "bool" else text)
        url = reverse("ui:detail", kwargs={"key": path.rt.key, "pk": obj.pk})
        rows.append(RelatedRow(title=title, url=url, facts=facts))
    return rows


def related_lists(rt: RecordType, record: models.Model, user: Any) -> list[RelatedList]:
    """The related lists of ``record`` for ``user``: count and first rows of each."""
    lists = []
    for path in related_paths(rt, record):
        qs = restricted(path.rt.model, user, "view").filter(path.q)
        if path.distinct:
            qs = qs.distinct()
        objects = list(qs.order_by(*path.rt.default_ordering, "pk")[:ROWS])
        # A short first page is the whole list: no count query.
        count = len(objects) if len(objects) < ROWS else qs.count()
        list_url = None
        if path.list_params is not None:
            list_url = (
                reverse("ui:list", kwargs={"key": path.rt.key}) + "?" + urlencode(path.list_params)
            )
        lists.append(RelatedList(path.rt.key, path.label, count, _rows(path, objects), list_url))
    return lists
