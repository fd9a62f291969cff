"""Columns of the generated list views and fields of record pages: what can be shown, its
label, and how a value from the API representation is displayed in the user's locale."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries
from django_countries.fields import CountryField

from rapport.core.custom_fields import definitions_for
from rapport.core.models import CustomFieldDefinition
from rapport.framework.api.readers import page_reader
from rapport.framework.numbers import number_text
from rapport.framework.registry import RecordType

CF_PREFIX = "cf."
HIDDEN = {"id", "custom_fields"}


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: str  # text, choice, date, datetime, number, bool, country, relation, many, custom
    choices: dict[Any, str] | None = None
    related: type[models.Model] | None = None
    sortable: bool = False
    custom: CustomFieldDefinition | None = None


def custom_label(defn: CustomFieldDefinition) -> str:
    if defn.label_zh and (get_language() or "").startswith("zh"):
        return defn.label_zh
    return defn.label


def _model_column(rt: RecordType, name: str) -> Column:
    try:
        f = rt.model._meta.get_field(name)
    except FieldDoesNotExist:
        return Column(name, name.replace("_", " ").capitalize(), "text")
    label = str(getattr(f, "verbose_name", name)).capitalize()
    sortable = name in rt.ordering_fields
    if f.many_to_many:
        return Column(name, label, "many")
    if f.is_relation:
        related = f.related_model if isinstance(f.related_model, type) else None
        return Column(name, label, "relation", related=related, sortable=sortable)
    if isinstance(f, CountryField):
        return Column(name, label, "country", sortable=sortable)
    choices = getattr(f, "choices", None)
    if choices:
        return Column(name, label, "choice", choices=dict(choices), sortable=sortable)
    if isinstance(f, models.BooleanField):
        return Column(name, label, "bool", sortable=sortable)
    if isinstance(f, models.DateTimeField):
        return Column(name, label, "datetime", sortable=sortable)
    if isinstance(f, models.DateField):
        return Column(name, label, "date", sortable=sortable)
    if isinstance(f, (models.IntegerField, models.DecimalField, models.FloatField)):
        return Column(name, label, "number", sortable=sortable)
    return Column(name, label, "text", sortable=sortable)


def available_columns(rt: RecordType) -> dict[str, Column]:
    """Every column a list of ``rt`` can show, by name: its fields, then its custom fields."""
    reader = page_reader(rt.serializer)  # type: ignore[arg-type]
    names = (
        [n for n in reader.order if n not in reader.child_names]
        if reader
        else list(rt.list_columns)
    )
    columns = {n: _model_column(rt, n) for n in names if n not in HIDDEN}
    for defn in definitions_for(rt.key).values():
        columns[CF_PREFIX + defn.name] = Column(
            CF_PREFIX + defn.name, custom_label(defn), "custom", custom=defn
        )
    return columns


# Kept for the forms module, which imports the old private name.
_custom_label = custom_label


def default_columns(rt: RecordType) -> list[str]:
    return [c for c in rt.list_columns if c not in HIDDEN] or ["id"]


def related_labels(columns: list[Column], rows: list[dict[str, Any]]) -> dict[str, dict[Any, str]]:
    """Display labels of the records that relation columns point at: one query per column."""
    labels: dict[str, dict[Any, str]] = {}
    for col in columns:
        if col.kind != "relation" or col.related is None:
            continue
        ids = {row.get(col.name) for row in rows} - {None}
        if not ids:
            labels[col.name] = {}
            continue
        labels[col.name] = {
            obj.pk: str(obj) for obj in col.related._default_manager.filter(pk__in=ids)
        }
    return labels


def _number(value: Any) -> str:
    return number_text(value)


def display(col: Column, value: Any, labels: dict[str, dict[Any, str]] | None = None) -> str:
    """``value`` (as the API represents it) for the user's locale; empty for no value."""
    if value is None or value == "" or value == []:
        return ""
    if col.kind == "choice" and col.choices:
        return str(col.choices.get(value, value))
    if col.kind == "relation":
        return (labels or {}).get(col.name, {}).get(value, f"#{value}")
    if col.kind == "country":
        return str(countries.name(value) or value)
    if col.kind == "bool":
        return _("Yes") if value else _("No")
    if col.kind == "datetime":
        parsed = parse_datetime(value) if isinstance(value, str) else value
        return formats.date_format(parsed, "SHORT_DATETIME_FORMAT") if parsed else str(value)
    if col.kind == "date":
        day = parse_date(value) if isinstance(value, str) else value
        return formats.date_format(day, "SHORT_DATE_FORMAT") if day else str(value)
    if col.kind == "number":
        return _number(value)
    if col.kind == "many":
        return ", ".join(str(v) for v in value)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (int, float, Decimal)):
        return _number(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return formats.localize(value)
    return str(value)


def cell_value(col: Column, row: dict[str, Any]) -> Any:
    if col.custom is not None:
        return (row.get("custom_fields") or {}).get(col.custom.name)
    return row.get(col.name)


# Kinds of form field a list cell can be edited as, in place.
INLINE_KINDS = frozenset({"text", "email", "url", "number", "date", "bool", "choice"})


def editable_fields(rt: RecordType, request: Any) -> dict[str, Any]:
    """The columns of ``rt`` a list cell edits in place, by column name, as form fields: the
    scalar fields its serializer accepts and its simple custom fields (not relations, lists
    or child rows, which need the full form)."""
    from rapport.framework.ui.forms import form_fields  # forms imports this module

    return {
        spec.name: spec
        for spec in form_fields(rt, request)
        if spec.kind in INLINE_KINDS and spec.name != "owner"
    }
