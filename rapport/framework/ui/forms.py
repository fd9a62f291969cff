"""Create/edit forms generated from a record type's serializer.

The serializer is the one definition of what a record accepts; the UI form is its HTML shape.
A submitted form is turned back into the serializer's input and validated and saved by it
(and so by the framework services), exactly as an API request would be; its errors are shown
beside the fields they name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, RelatedField

from rapport.core.choices import CustomFieldType
from rapport.core.custom_fields import definitions_for
from rapport.framework.registry import RecordType, record_type_for
from rapport.framework.ui.columns import CF_PREFIX, _custom_label

TEXT_KINDS = {"text", "textarea", "email", "url", "choice"}
SKIP = {"id", "created_at", "updated_at", "created_by", "updated_by", "custom_fields"}


@dataclass
class FormField:
    name: str
    label: str
    kind: str  # text, textarea, email, url, number, date, datetime, bool, choice, relation,
    #            many, children
    required: bool = False
    help: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    related: str = ""  # picker source: a record-type key or "users"/"teams"/...
    value: Any = None
    value_label: str = ""
    errors: list[str] = field(default_factory=list)
    children: list[FormField] = field(default_factory=list)  # a child row's fields
    rows: list[list[FormField]] = field(default_factory=list)  # children values, per row
    max_length: int | None = None

    @property
    def input_id(self) -> str:
        return "f-" + self.name.replace(".", "-")


def _picker_source(model: type[models.Model] | None) -> str:
    if model is None:
        return ""
    rt = record_type_for(model)
    return rt.key if rt else model._meta.model_name or ""


def _kind(f: serializers.Field) -> str:  # type: ignore[type-arg]
    if isinstance(f, serializers.ListSerializer):
        return "children"
    if isinstance(f, ManyRelatedField):
        return "many"
    if isinstance(f, RelatedField):
        return "relation"
    if isinstance(f, serializers.BooleanField):
        return "bool"
    if isinstance(f, serializers.ChoiceField):
        return "choice"
    if isinstance(f, serializers.EmailField):
        return "email"
    if isinstance(f, serializers.URLField):
        return "url"
    if isinstance(f, serializers.DateTimeField):
        return "datetime"
    if isinstance(f, serializers.DateField):
        return "date"
    if isinstance(f, (serializers.IntegerField, serializers.DecimalField, serializers.FloatField)):
        return "number"
    if isinstance(f, serializers.CharField) and (f.max_length is None or f.max_length > 255):
        return "textarea"
    return "text"


def _spec(name: str, f: serializers.Field) -> FormField:  # type: ignore[type-arg]
    kind = _kind(f)
    spec = FormField(
        name=name,
        label=str(f.label or name.replace("_", " ")).capitalize(),
        kind=kind,
        required=bool(f.required) and not getattr(f, "allow_null", False),
        help=str(f.help_text or ""),
        max_length=getattr(f, "max_length", None),
    )
    if kind == "choice":
        spec.choices = [(str(k), str(v)) for k, v in f.choices.items()]  # type: ignore[attr-defined]
    elif kind == "relation":
        spec.related = _picker_source(getattr(getattr(f, "queryset", None), "model", None))
    elif kind == "many":
        child = f.child_relation  # type: ignore[attr-defined]
        spec.related = _picker_source(getattr(getattr(child, "queryset", None), "model", None))
    elif kind == "children":
        child_ser = f.child  # type: ignore[attr-defined]
        spec.children = [_spec(n, cf) for n, cf in child_ser.fields.items() if not cf.read_only]
    return spec


def _custom_spec(defn: Any) -> FormField:
    kinds = {
        CustomFieldType.LONG_TEXT: "textarea",
        CustomFieldType.INTEGER: "number",
        CustomFieldType.DECIMAL: "number",
        CustomFieldType.MONEY: "number",
        CustomFieldType.DATE: "date",
        CustomFieldType.DATETIME: "datetime",
        CustomFieldType.BOOLEAN: "bool",
        CustomFieldType.CHOICE: "choice",
        CustomFieldType.MULTIPLE_CHOICE: "multichoice",
        CustomFieldType.URL: "url",
        CustomFieldType.EMAIL: "email",
        CustomFieldType.REFERENCE: "relation",
    }
    return FormField(
        name=CF_PREFIX + defn.name,
        label=_custom_label(defn),
        kind=kinds.get(defn.field_type, "text"),
        required=defn.required,
        help=defn.description,
        choices=[(str(c), str(c)) for c in defn.choices or []],
        related=defn.reference_type,
    )


def form_fields(rt: RecordType, request: Any) -> list[FormField]:
    """The editable fields of ``rt`` in declaration order, then its custom fields."""
    ser = rt.serializer(context={"request": request})
    specs = [
        _spec(name, f) for name, f in ser.fields.items() if name not in SKIP and not f.read_only
    ]
    specs += [_custom_spec(d) for d in definitions_for(rt.key).values()]
    return specs


def fill(specs: list[FormField], values: dict[str, Any]) -> None:
    """Put ``values`` (the API representation, or a payload) into the fields."""
    custom = values.get("custom_fields") or {}
    for spec in specs:
        if spec.name.startswith(CF_PREFIX):
            spec.value = custom.get(spec.name[len(CF_PREFIX) :])
        elif spec.kind == "children":
            spec.rows = []
            for row in values.get(spec.name) or []:
                cells = [
                    FormField(**{**c.__dict__, "value": row.get(c.name)}) for c in spec.children
                ]
                spec.rows.append(cells)
        else:
            spec.value = values.get(spec.name)


def payload_from_post(
    specs: list[FormField], post: QueryDict, *, creating: bool = False
) -> dict[str, Any]:
    """The serializer input of a submitted form. Children come as ``name-<i>-<field>``;
    rows left entirely empty are dropped. A new record leaves out fields left empty, so that
    their defaults apply (the owner is the creator, ...)."""
    data: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for spec in specs:
        if spec.name.startswith(CF_PREFIX):
            key = spec.name[len(CF_PREFIX) :]
            if spec.kind == "multichoice":
                custom[key] = post.getlist(spec.name)
            elif spec.kind == "bool":
                custom[key] = spec.name in post
            else:
                custom[key] = post.get(spec.name, "") or None
            continue
        if spec.kind == "children":
            data[spec.name] = _children_from_post(spec, post)
        elif spec.kind == "many":
            data[spec.name] = [
                part.strip()
                for v in post.getlist(spec.name)
                for part in v.split(",")
                if part.strip()
            ]
        elif spec.kind == "bool":
            data[spec.name] = spec.name in post
        elif spec.name in post:
            value = post.get(spec.name, "")
            data[spec.name] = None if value == "" and spec.kind not in TEXT_KINDS else value
    if custom:
        data["custom_fields"] = {k: v for k, v in custom.items() if v not in (None, "", [])}
    if creating:
        data = {k: v for k, v in data.items() if v is not None}
    return data


def _children_from_post(spec: FormField, post: QueryDict) -> list[dict[str, Any]]:
    indexes = sorted(
        {
            int(k.split("-")[1])
            for k in post
            if k.startswith(spec.name + "-") and k.split("-")[1].isdigit()
        }
    )
    rows = []
    for i in indexes:
        row: dict[str, Any] = {}
        for child in spec.children:
            key = f"{spec.name}-{i}-{child.name}"
            if child.kind == "bool":
                row[child.name] = key in post
            elif post.get(key, "") != "":  # left empty: the field's default
                row[child.name] = post[key]
        if any(v not in (None, "", False) for v in row.values()):
            rows.append(row)
    return rows


def attach_errors(specs: list[FormField], errors: Any) -> list[str]:
    """Put the serializer's errors beside their fields; the ones no field shows are returned
    (the form shows them at the top)."""
    by_name = {s.name: s for s in specs}
    general: list[str] = []
    if not isinstance(errors, dict):
        return [str(e) for e in (errors if isinstance(errors, list) else [errors])]
    for name, messages in errors.items():
        if name == "custom_fields" and isinstance(messages, dict):
            for key, msgs in messages.items():
                target = by_name.get(CF_PREFIX + key)
                (target.errors if target else general).extend(_flat(msgs))
            continue
        spec = by_name.get(name)
        if spec is None:
            general.extend(
                f"{name}: {m}" if name not in ("non_field_errors", "") else m
                for m in _flat(messages)
            )
        elif spec.kind == "children" and isinstance(messages, (list, dict)):
            rows = messages.items() if isinstance(messages, dict) else enumerate(messages)
            for i, row_errors in rows:
                if isinstance(row_errors, dict) and row_errors:
                    for sub, msgs in row_errors.items():
                        spec.errors.extend(
                            _("Row %(n)d, %(field)s: %(message)s")
                            % {"n": int(i) + 1, "field": sub, "message": m}
                            for m in _flat(msgs)
                        )
        else:
            spec.errors.extend(_flat(messages))
    return general


def _flat(messages: Any) -> list[str]:
    if isinstance(messages, dict):
        return [f"{k}: {m}" for k, v in messages.items() for m in _flat(v)]
    if isinstance(messages, (list, tuple)):
        return [m for item in messages for m in _flat(item)]
    return [str(messages)]
