"""Fast list representation: the record type's serializer output, read with a few flat queries.

DRF's generic serializer machinery costs more than the database on list pages (about 1 ms a
record with nested rows). ``PageReader`` compiles the serializer's fields once into a plan:
the page is read with ``values()`` (no model instances), each value is formatted like the
serializer field would format it (common field types by a specialised function, the rest by
the field's own ``to_representation``), and many-to-many values and nested child lists come
from one ``values()`` query each for the whole page. A serializer with a field the plan does
not understand is read the ordinary way. tests/test_page_reader.py checks that the output is
identical to the serializer's for every record type.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django_countries.serializer_fields import CountryField
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, PrimaryKeyRelatedField, SlugRelatedField
from rest_framework.settings import api_settings

Row = dict[str, Any]
Formatter = Callable[[Any], Any]


class Unsupported(Exception):
    """The serializer has a field the fast plan cannot read."""


@dataclass(frozen=True)
class _Scalar:
    name: str
    column: str  # the values() column: a field's attname
    format: Formatter


@dataclass(frozen=True)
class _Many:
    name: str
    through: type[models.Model]
    source_col: str
    target_col: str  # a through-table column or a lookup through it (tag__name)
    order: tuple[str, ...]  # the target model's own ordering, as the serializer reads it


@dataclass(frozen=True)
class _Children:
    name: str
    model: type[models.Model]
    fk_col: str
    columns: tuple[tuple[str, str, Formatter], ...]  # (output, lookup, format)
    order: tuple[str, ...]


def _identity(value: Any) -> Any:
    return value


def _datetime(value: Any) -> Any:
    if value is None:
        return None
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _date(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _country(value: Any) -> str:
    return getattr(value, "code", value) or ""


def _decimal(field: serializers.DecimalField) -> Formatter:
    def fmt(value: Any) -> Any:
        return None if value is None else field.to_representation(value)

    return fmt


def _generic(field: serializers.Field) -> Formatter:  # type: ignore[type-arg]
    to_repr = field.to_representation

    def fmt(value: Any) -> Any:
        return None if value is None else to_repr(value)

    return fmt


def _formatter(field: serializers.Field) -> Formatter:  # type: ignore[type-arg]
    """How ``field`` formats a value read from the database (same output, less work)."""
    kind = type(field)
    if isinstance(field, CountryField):
        if getattr(field, "country_dict", False):
            raise Unsupported(field.field_name)
        return _country
    if kind is serializers.DateTimeField and (
        getattr(field, "format", api_settings.DATETIME_FORMAT) == api_settings.DATETIME_FORMAT
        and api_settings.DATETIME_FORMAT.lower() == "iso-8601"
    ):
        return _datetime
    if kind is serializers.DateField and api_settings.DATE_FORMAT.lower() == "iso-8601":
        return _date
    if kind in (
        serializers.CharField,
        serializers.EmailField,
        serializers.URLField,
        serializers.SlugField,
        serializers.IntegerField,
        serializers.BooleanField,
        serializers.JSONField,
    ) and not getattr(field, "binary", False):
        return _identity
    choice_values = getattr(field, "choice_strings_to_values", {})
    if kind is serializers.ChoiceField and all(isinstance(v, str) for v in choice_values.values()):
        return _identity
    if isinstance(field, serializers.DecimalField):
        return _decimal(field)
    return _generic(field)


def _content_type_key(field: serializers.Field) -> Formatter:  # type: ignore[type-arg]
    to_repr = field.to_representation

    def fmt(value: Any) -> Any:
        return None if value is None else to_repr(ContentType.objects.get_for_id(value))

    return fmt


def _scalar(model: type[models.Model], name: str, field: serializers.Field) -> _Scalar:  # type: ignore[type-arg]
    source = field.source or name
    if "." in source:
        raise Unsupported(name)
    try:
        model_field = model._meta.get_field(source)
    except FieldDoesNotExist:
        raise Unsupported(name) from None
    if model_field.many_to_many or model_field.one_to_many:
        raise Unsupported(name)
    attname: str = model_field.attname  # type: ignore[union-attr]
    if isinstance(field, PrimaryKeyRelatedField):
        return _Scalar(name, attname, _identity)
    if isinstance(field, serializers.RelatedField):
        raise Unsupported(name)
    if model_field.is_relation:
        if model_field.related_model is ContentType:
            return _Scalar(name, attname, _content_type_key(field))
        raise Unsupported(name)
    return _Scalar(name, attname, _formatter(field))


def _many(model: type[models.Model], name: str, field: ManyRelatedField) -> _Many:
    model_field = model._meta.get_field(field.source or name)
    through = model_field.remote_field.through  # type: ignore[union-attr]
    source_col = model_field.m2m_field_name() + "_id"  # type: ignore[union-attr]
    target_fk = model_field.m2m_reverse_field_name()  # type: ignore[union-attr]
    target_ordering = model_field.related_model._meta.ordering or ["pk"]  # type: ignore[union-attr]
    order = tuple(
        f"-{target_fk}__{o[1:]}" if o.startswith("-") else f"{target_fk}__{o}"
        for o in target_ordering
        if isinstance(o, str)
    )
    relation = field.child_relation
    if isinstance(relation, SlugRelatedField):
        return _Many(name, through, source_col, f"{target_fk}__{relation.slug_field}", order)
    if isinstance(relation, PrimaryKeyRelatedField):
        return _Many(name, through, source_col, f"{target_fk}_id", order)
    raise Unsupported(name)


def _children(model: type[models.Model], name: str, field: serializers.ListSerializer) -> _Children:  # type: ignore[type-arg]
    relation = model._meta.get_field(field.source or name)
    if not relation.one_to_many:
        raise Unsupported(name)
    child_model = relation.related_model
    child = field.child
    columns: list[tuple[str, str, Formatter]] = []
    for sub_name, sub in child.fields.items():  # type: ignore[union-attr]
        if sub.write_only:
            continue
        source = sub.source or sub_name
        lookup = source.replace(".", "__")
        if isinstance(sub, PrimaryKeyRelatedField):
            columns.append((sub_name, f"{lookup}_id" if "." not in source else lookup, _identity))
        elif isinstance(sub, serializers.RelatedField | serializers.BaseSerializer):
            raise Unsupported(f"{name}.{sub_name}")
        else:
            columns.append((sub_name, lookup, _formatter(sub)))
    ordering = tuple(child_model._meta.ordering or ("pk",))  # type: ignore[union-attr]
    fk_col: str = relation.field.attname  # type: ignore[union-attr]
    return _Children(
        name,
        child_model,  # type: ignore[arg-type]
        fk_col,
        tuple(columns),
        ordering,
    )


class PageReader:
    """Serializer output for a page of records, without per-record queries."""

    def __init__(
        self,
        serializer_class: type[serializers.ModelSerializer],  # type: ignore[type-arg]
        context: dict[str, Any],
    ) -> None:
        serializer = serializer_class(context=context)
        model: type[models.Model] = serializer.Meta.model
        self.pk_column: str = model._meta.pk.attname  # type: ignore[union-attr]
        self.scalars: list[_Scalar] = []
        self.many: list[_Many] = []
        self.children: list[_Children] = []
        self.order: list[str] = []
        for name, field in serializer.fields.items():
            if field.write_only:
                continue
            self.order.append(name)
            if isinstance(field, serializers.ListSerializer):
                self.children.append(_children(model, name, field))
            elif isinstance(field, ManyRelatedField):
                self.many.append(_many(model, name, field))
            elif isinstance(field, serializers.SerializerMethodField | serializers.BaseSerializer):
                raise Unsupported(name)
            else:
                self.scalars.append(_scalar(model, name, field))
        self.columns: tuple[str, ...] = tuple(
            dict.fromkeys([self.pk_column, *(s.column for s in self.scalars)])
        )

    def values(self, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        """``queryset`` as rows of the columns the plan reads (and its selected annotations,
        which cursor pagination may order by)."""
        return queryset.values(*self.columns, *queryset.query.annotation_select)

    @property
    def child_names(self) -> list[str]:
        return [c.name for c in self.children]

    def read_instances(self, records: Iterable[models.Model]) -> list[Row]:
        return self.read([{c: getattr(r, c) for c in self.columns} for r in records])

    def read(self, rows: Iterable[Row], children: Iterable[str] | None = None) -> list[Row]:
        """Representations of ``rows``; with ``children`` given, only those nested lists."""
        rows = list(rows)
        ids = [r[self.pk_column] for r in rows]
        wanted = [c for c in self.children if children is None or c.name in children]
        many_values = {m.name: self._many_values(m, ids) for m in self.many}
        child_values = {c.name: self._child_values(c, ids) for c in wanted}
        order = [n for n in self.order if n in child_values or n not in self.child_names]
        out: list[Row] = []
        scalars = [(s.name, s.column, s.format) for s in self.scalars]
        for row in rows:
            item: Row = {name: fmt(row[column]) for name, column, fmt in scalars}
            pk = row[self.pk_column]
            for m in self.many:
                item[m.name] = many_values[m.name].get(pk, [])
            for c in wanted:
                item[c.name] = child_values[c.name].get(pk, [])
            out.append({name: item[name] for name in order})
        return out

    @staticmethod
    def _many_values(m: _Many, ids: list[Any]) -> dict[Any, list[Any]]:
        grouped: dict[Any, list[Any]] = defaultdict(list)
        if not ids:
            return grouped
        rows = (
            m.through._default_manager.filter(**{f"{m.source_col}__in": ids})
            .order_by(*m.order)
            .values_list(m.source_col, m.target_col)
        )
        for owner_id, value in rows:
            grouped[owner_id].append(value)
        return grouped

    @staticmethod
    def _child_values(c: _Children, ids: list[Any]) -> dict[Any, list[Row]]:
        grouped: dict[Any, list[Row]] = defaultdict(list)
        if not ids:
            return grouped
        lookups = [lookup for _name, lookup, _fmt in c.columns]
        rows = (
            c.model._default_manager.filter(**{f"{c.fk_col}__in": ids})
            .order_by(*c.order)
            .values_list(c.fk_col, *lookups)
        )
        for owner_id, *values in rows:
            grouped[owner_id].append(
                {name: fmt(v) for (name, _l, fmt), v in zip(c.columns, values, strict=True)}
            )
        return grouped


_readers: dict[type[Any], PageReader | None] = {}


def page_reader(
    serializer_class: type[serializers.ModelSerializer],  # type: ignore[type-arg]
) -> PageReader | None:
    """The reader for ``serializer_class`` (compiled once), or None when it must be read the
    ordinary way."""
    if serializer_class not in _readers:
        try:
            # Reading needs no request: only writable related fields look at the user.
            _readers[serializer_class] = PageReader(serializer_class, {"request": None})
        except Unsupported:
            _readers[serializer_class] = None
    return _readers[serializer_class]


__all__ = ["PageReader", "Unsupported", "page_reader"]
