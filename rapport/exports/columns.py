"""Which columns an export has and how each cell is read: the export plan of a record type.

A plan is built from the record type's serializer through its page reader, so an export shows
the same values as the API list: rows are read with ``values()`` in chunks, related records
appear as their name plus an ``<field>_id`` column, many-to-many values (tags) are joined by
", ", and administrator-defined fields are ``cf_<name>`` columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.relations import ManyRelatedField, PrimaryKeyRelatedField

from rapport.core.choices import CustomFieldType
from rapport.core.custom_fields import definitions_for
from rapport.core.models import CustomFieldDefinition
from rapport.framework.api.filters import CF_PREFIX
from rapport.framework.api.readers import PageReader, page_reader
from rapport.framework.base_models import is_restricted, restricted
from rapport.framework.registry import RecordType

# Rows read from the database at a time: memory stays flat whatever the size of the export.
CHUNK_SIZE = 2000

Row = dict[str, Any]
_NATIVE = (bool, int, float, Decimal, dt.date)


@dataclass(frozen=True)
class Column:
    """One exported column. ``read(raw_row, shaped_row, names)`` gives the cell's typed value
    (a number, date, boolean, text or None); writers turn it into CSV text or an XLSX cell."""

    key: str
    label: str
    read: Callable[[Row, Row, dict[str, dict[Any, str]]], Any]


def _typed_scalar(name: str, column: str) -> Callable[[Row, Row, Any], Any]:
    def read(raw: Row, shaped: Row, _names: Any) -> Any:
        value = raw[column]
        if value is None or isinstance(value, _NATIVE):
            return value
        return shaped[name]  # the serializer's text (content type keys, countries, ...)

    return read


def _related_name(name: str, column: str) -> Callable[[Row, Row, Any], Any]:
    def read(raw: Row, _shaped: Row, names: dict[str, dict[Any, str]]) -> Any:
        value = raw[column]
        return None if value is None else names[name].get(value, "")

    return read


def _joined(name: str) -> Callable[[Row, Row, Any], Any]:
    def read(_raw: Row, shaped: Row, _names: Any) -> Any:
        return ", ".join(str(v) for v in shaped[name])

    return read


def _custom_value(defn: CustomFieldDefinition, value: Any) -> Any:
    """A stored custom-field value as a typed cell (rapport.core.custom_fields stores numbers
    as decimal strings and dates as ISO text)."""
    if value is None or value == "":
        return None
    kind = defn.field_type
    try:
        if kind in (CustomFieldType.DECIMAL, CustomFieldType.MONEY):
            return Decimal(str(value))
        if kind == CustomFieldType.DATE:
            return parse_date(str(value)) or value
        if kind == CustomFieldType.DATETIME:
            return parse_datetime(str(value)) or value
    except (InvalidOperation, ValueError):
        return str(value)
    if kind == CustomFieldType.MULTIPLE_CHOICE and isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, _NATIVE):
        return value
    return str(value)


def _custom(defn: CustomFieldDefinition) -> Callable[[Row, Row, Any], Any]:
    def read(raw: Row, _shaped: Row, _names: Any) -> Any:
        return _custom_value(defn, (raw.get("custom_fields") or {}).get(defn.name))

    return read


def _custom_label(defn: CustomFieldDefinition) -> str:
    if defn.label_zh and (get_language() or "").startswith("zh"):
        return defn.label_zh
    return defn.label


def _field_label(model: type[models.Model], source: str, field: serializers.Field) -> str:  # type: ignore[type-arg]
    try:
        return capfirst(str(model._meta.get_field(source).verbose_name))  # type: ignore[union-attr]
    except (FieldDoesNotExist, AttributeError):  # not a model field: the serializer's label
        return capfirst(str(field.label or source))


class ExportPlan:
    """The columns of one export of ``record_type`` and the rows of a queryset under them."""

    def __init__(self, record_type: RecordType, keys: list[str] | None = None) -> None:
        reader = page_reader(record_type.serializer)  # type: ignore[arg-type]
        if reader is None:
            raise TypeError(f"{record_type.key}: its serializer has no page reader to export")
        self.record_type = record_type
        self.reader: PageReader = reader
        self.available = self._available_columns()
        requested = keys or self.default_keys()
        unknown = [k for k in requested if k not in self.available]
        if unknown:
            raise ValidationError(
                {
                    "columns": [
                        _("Unknown column: %(names)s (choose from %(all)s).")
                        % {"names": ", ".join(unknown), "all": ", ".join(self.available)}
                    ]
                },
                code="unknown_column",
            )
        self.requested: list[str] = list(dict.fromkeys(requested))
        self.columns: list[Column] = []
        for key in self.requested:
            self.columns.extend(self.available[key])

    def default_keys(self) -> list[str]:
        """The record type's list columns, after its id."""
        return list(dict.fromkeys([self.reader.pk_column, *self.record_type.list_columns]))

    def _available_columns(self) -> dict[str, list[Column]]:
        rt = self.record_type
        model = rt.model
        serializer = rt.serializer(context={"request": None})
        fields: Any = serializer.fields  # type: ignore[attr-defined]
        scalars = {s.name: s.column for s in self.reader.scalars}
        self._related: dict[str, type[models.Model]] = {}
        out: dict[str, list[Column]] = {}
        for name, field in fields.items():
            if field.write_only or isinstance(field, serializers.JSONField):
                continue
            label = _field_label(model, field.source or name, field)
            if isinstance(field, ManyRelatedField):
                out[name] = [Column(name, label, _joined(name))]
            elif name not in scalars:
                continue  # nested child lists are not one cell
            elif isinstance(field, PrimaryKeyRelatedField):
                related = model._meta.get_field(field.source or name).related_model
                self._related[name] = related  # type: ignore[assignment]
                id_key = f"{name}_id"
                id_column = Column(
                    id_key, _("%(field)s ID") % {"field": label}, _typed_scalar(name, scalars[name])
                )
                out[name] = [Column(name, label, _related_name(name, scalars[name])), id_column]
                out[id_key] = [id_column]
            else:
                out[name] = [Column(name, label, _typed_scalar(name, scalars[name]))]
        if "custom_fields" in scalars:
            for defn in definitions_for(rt.key).values():
                key = f"{CF_PREFIX}{defn.name}"
                out[key] = [Column(key, _custom_label(defn), _custom(defn))]
        return out

    def header(self, *, keys: bool) -> list[str]:
        return [c.key if keys else c.label for c in self.columns]

    def rows(self, queryset: models.QuerySet[Any], user: Any) -> Iterator[list[Any]]:
        """Typed cells of every row of ``queryset``, read ``CHUNK_SIZE`` rows at a time: one
        query for the rows, and per chunk one per many-to-many field and related record type."""
        values = self.reader.values(queryset.prefetch_related(None))
        iterator = values.iterator(chunk_size=CHUNK_SIZE)
        related = {c.key: self._related[c.key] for c in self.columns if c.key in self._related}
        columns = [c.read for c in self.columns]
        while chunk := list(islice(iterator, CHUNK_SIZE)):
            shaped = self.reader.read(chunk, children=[])
            names = {
                name: self._names(model, {r[scalar] for r in chunk} - {None}, user)
                for name, model in related.items()
                for scalar in [self._scalar_column(name)]
            }
            for raw, row in zip(chunk, shaped, strict=True):
                yield [read(raw, row, names) for read in columns]

    def _scalar_column(self, name: str) -> str:
        return next(s.column for s in self.reader.scalars if s.name == name)

    @staticmethod
    def _names(model: type[models.Model], ids: set[Any], user: Any) -> dict[Any, str]:
        """Names of the related records ``user`` may see; others stay blank (their id shows)."""
        if not ids:
            return {}
        queryset = (
            restricted(model, user, "view") if is_restricted(model) else model._default_manager
        )
        return {obj.pk: str(obj) for obj in queryset.filter(pk__in=ids)}


def xlsx_datetime(value: dt.datetime) -> dt.datetime:
    """Excel has no time zones: aware datetimes are written in the site's local time."""
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
