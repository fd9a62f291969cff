"""What a record page shows, assembled for its template: header, sections, child rows,
related lists, timeline and history."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from rapport.framework.api.readers import page_reader
from rapport.framework.base_models import record_get, restricted
from rapport.framework.exceptions import RecordNotFound
from rapport.framework.registry import RecordType, get_record_type, record_type_for
from rapport.framework.timeline import record_timeline
from rapport.framework.ui.columns import Column, available_columns, display, related_labels
from rapport.framework.ui.history import record_history, timeline_entries
from rapport.framework.ui.hooks import record_panels
from rapport.framework.ui.related import generic_link, related_lists
from rapport.framework.ui.sections import child_lists, record_sections

TIMELINE_LIMIT = 200


def record_or_404(rt: RecordType, request: HttpRequest, pk: Any, action: str = "view") -> Any:
    """The record if the user may ``action`` it; 404 for missing and forbidden alike."""
    try:
        return record_get(rt.model, request.user, pk, action)
    except RecordNotFound:
        raise Http404(_("No such record, or you may not see it.")) from None


def representation(rt: RecordType, record: models.Model, request: HttpRequest) -> dict[str, Any]:
    reader = page_reader(rt.serializer)  # type: ignore[arg-type]
    if reader:
        return reader.read_instances([record])[0]
    return dict(rt.serializer(record, context={"request": request}).data)


def can(rt: RecordType, user: Any, action: str, record: models.Model) -> bool:
    return restricted(rt.model, user, action).filter(pk=record.pk).exists()


def timeline_context(
    rt: RecordType,
    record: models.Model,
    request: HttpRequest,
    columns: dict[str, Any] | None = None,
) -> dict[str, Any]:
    columns = columns if columns is not None else available_columns(rt)
    items = record_timeline(user=request.user, record=record, limit=TIMELINE_LIMIT)
    return {"timeline": timeline_entries(rt, columns, items, request.user)}


def _labels(columns: dict[str, Column], data: dict[str, Any]) -> dict[str, dict[Any, str]]:
    """Names of the records the relation fields of ``data`` point at; a generic link's type
    (a record-type key on the wire, a ContentType inside) is named by its record type."""
    plain = [c for c in columns.values() if not (c.kind == "relation" and c.related is ContentType)]
    labels = related_labels(plain, [data])
    for col in columns.values():
        if col.kind == "relation" and col.related is ContentType:
            key = data.get(col.name)
            try:
                labels[col.name] = {key: get_record_type(str(key)).label.capitalize()}
            except KeyError:
                labels[col.name] = {}
    return labels


def linked_record(rt: RecordType, record: models.Model, user: Any) -> dict[str, str] | None:
    """The record that ``record`` is generically linked to (an activity's account), if the
    user may see it: its type, title and page."""
    link = generic_link(rt.model)
    if link is None:
        return None
    type_field, id_field = link
    ct_id, pk = getattr(record, f"{type_field}_id", None), getattr(record, id_field, None)
    if ct_id is None or pk is None:
        return None
    model = ContentType.objects.get_for_id(ct_id).model_class()
    target_rt = record_type_for(model) if model is not None else None
    if target_rt is None:
        return None
    target = restricted(target_rt.model, user, "view").filter(pk=pk).first()
    if target is None:
        return None
    return {
        "type": target_rt.label.capitalize(),
        "title": str(target),
        "url": reverse("ui:detail", kwargs={"key": target_rt.key, "pk": pk}),
    }


def record_page_context(
    rt: RecordType, record: models.Model, request: HttpRequest
) -> dict[str, Any]:
    user = request.user
    data = representation(rt, record, request)
    columns = available_columns(rt)
    labels = _labels(columns, data)
    header = []
    for name in rt.list_columns[1:]:
        col = columns.get(name)
        text = display(col, data.get(name), labels) if col else ""
        if col and text:
            header.append({"column": col, "text": text})
    return {
        "rt": rt,
        "record": record,
        "data": data,
        "header": header,
        "linked": linked_record(rt, record, user),
        "sections": record_sections(rt, columns, data, labels),
        "child_lists": child_lists(rt, data, user),
        "panels": record_panels(user=user, record_type=rt, record=record),
        "related": related_lists(rt, record, user),
        "history": record_history(rt, columns, record, user),
        "can_change": can(rt, user, "change", record),
        "can_delete": can(rt, user, "delete", record),
        **timeline_context(rt, record, request, columns),
    }
