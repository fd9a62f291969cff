"""Create/edit forms generated from a record type's serializer.

The serializer is the one definition of what a record accepts; the UI form is its HTML shape.
A submitted form is turned back into the serializer's input and validated and saved by it
(and so by the framework services), exactly as an API request would be; its errors are shown
beside the fields they name.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, RelatedField

from rapport.core.choices import CustomFieldType
from rapport.core.custom_fields import definitions_for
from rapport.core.models import Tag
from rapport.framework.base_models import is_restricted, restricted
from rapport.framework.registry import RecordType, get_record_type, record_type_for
from rapport.framework.ui.columns import CF_PREFIX, custom_label
from rapport.identity.models import Team, User

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
    # "many" fields whose values come from a short list (tags, users) offer every option.
    options: list[tuple[str, str]] = field(default_factory=list)
    allow_blank: bool = True  # a choice field that accepts "" (else empty means no value)
    item_label: str = ""  # children: what one row is ("email address")
    short_list: bool = False  # "many": every choice is offered (``options``)
    json_list: bool = False  # "json" holding a list (its model default is ``list``)

    @property
    def input_id(self) -> str:
        return "f-" + self.name.replace(".", "-")

    @property
    def input_value(self) -> str:
        """The value as the HTML input wants it (``datetime-local`` in the user's time zone)."""
        if self.value is None:
            return ""
        if self.kind == "datetime":
            return datetime_local(self.value)
        if self.kind == "json":
            return json_text(self.value)
        return str(self.value)

    @property
    def values(self) -> list[str]:
        """A many-valued field's values as strings (for ``selected`` tests)."""
        if isinstance(self.value, (list, tuple)):
            return [str(v) for v in self.value]
        return [] if self.value in (None, "") else [str(self.value)]


def datetime_local(value: Any) -> str:
    """``value`` (ISO text or datetime) as ``YYYY-MM-DDTHH:MM`` in the current time zone."""
    parsed = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(parsed, dt.datetime):
        return str(value)
    if timezone.is_aware(parsed):
        parsed = timezone.localtime(parsed)
    return parsed.strftime("%Y-%m-%dT%H:%M")


def json_text(value: Any) -> str:
    """A JSON value as the form shows it: a list of plain values one per line, else JSON."""
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return "\n".join(str(v) for v in value)
    if isinstance(value, str) and value.lstrip()[:1] not in ("[", "{"):
        return value
    return json.dumps(value, ensure_ascii=False, indent=1)


def json_value(text: str, *, as_list: bool) -> Any:
    """What a JSON field's text means: JSON if it parses; otherwise, for a field holding a
    list, its non-empty lines (how administrators type a list of choices), else the text."""
    stripped = text.strip()
    try:
        return json.loads(stripped)
    except ValueError:
        pass
    if as_list:
        return [line.strip() for line in stripped.splitlines() if line.strip()]
    return stripped


def aware_iso(value: str) -> str:
    """A ``datetime-local`` input (no zone: the user's current time zone) as ISO 8601 with
    its offset; text that is not a date and time is passed on for the validator to name."""
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return value
    if parsed is None:
        return value
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed.isoformat()


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
    if isinstance(f, serializers.JSONField):
        return "json"
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
        spec.allow_blank = bool(getattr(f, "allow_blank", False))
    elif kind == "relation":
        spec.related = _picker_source(getattr(getattr(f, "queryset", None), "model", None))
    elif kind == "many":
        child = f.child_relation  # type: ignore[attr-defined]
        model = getattr(getattr(child, "queryset", None), "model", None)
        spec.related = _picker_source(model)
        spec.short_list = model in (Tag, User)
        spec.options = _short_list_options(model)
    elif kind == "children":
        child_ser = f.child  # type: ignore[attr-defined]
        spec.children = [_spec(n, cf) for n, cf in child_ser.fields.items() if not cf.read_only]
        child_model = getattr(getattr(child_ser, "Meta", None), "model", None)
        if child_model is not None:
            spec.label = str(child_model._meta.verbose_name_plural).capitalize()
        spec.item_label = str(child_model._meta.verbose_name) if child_model else spec.label
    return spec


def _short_list_options(model: Any) -> list[tuple[str, str]]:
    """Every choice of a many-valued field whose choices are a short configuration list
    (tags, users); empty for record types, which are chosen by id."""
    if model is Tag:
        return [(t, t) for t in Tag.objects.order_by("name").values_list("name", flat=True)]
    if model is User:
        users = model._default_manager.filter(is_active=True).order_by("username")
        return [(str(u.pk), str(u.get_full_name() or u.get_username())) for u in users]
    return []


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
        CustomFieldType.PHONE: "phone",
        CustomFieldType.REFERENCE: "relation",
    }
    return FormField(
        name=CF_PREFIX + defn.name,
        label=custom_label(defn),
        kind=kinds.get(defn.field_type, "text"),
        required=defn.required,
        help=defn.description,
        choices=[(str(c), str(c)) for c in defn.choices or []],
        related=defn.reference_type,
    )


def initial_values(rt: RecordType) -> dict[str, Any]:
    """The model's fixed defaults (a lead's status is "new"), to start a new record's form."""
    values: dict[str, Any] = {}
    for f in rt.model._meta.concrete_fields:
        if f.has_default() and not callable(f.default):
            values[f.name] = f.default
    return values


def form_fields(rt: RecordType, request: Any) -> list[FormField]:
    """The editable fields of ``rt`` in declaration order, then its custom fields."""
    ser = rt.serializer(context={"request": request})
    specs = [
        _spec(name, f) for name, f in ser.fields.items() if name not in SKIP and not f.read_only
    ]
    for spec in specs:
        if spec.kind == "json":
            try:
                model_field: Any = rt.model._meta.get_field(spec.name)
            except FieldDoesNotExist:
                continue
            spec.json_list = model_field.default is list
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
                    FormField(**{**c.__dict__, "value": row.get(c.name), "errors": []})
                    for c in spec.children
                ]
                spec.rows.append(cells)
        else:
            spec.value = values.get(spec.name)


def _custom_value(spec: FormField, post: QueryDict) -> Any:
    if spec.kind == "multichoice":
        return post.getlist(spec.name)
    if spec.kind == "bool":
        return spec.name in post
    value = post.get(spec.name, "").strip()
    if value == "":
        return None
    if spec.kind == "relation" and value.isdigit():
        return int(value)  # references are stored as ids
    if spec.kind == "datetime":
        return aware_iso(value)
    return value


def payload_from_post(
    specs: list[FormField], post: QueryDict, *, creating: bool = False
) -> dict[str, Any]:
    """The serializer input of a submitted form. Children come as ``name-<i>-<field>``;
    rows left entirely empty are dropped. A new record leaves out fields left empty, so that
    their defaults apply (the owner is the creator, ...); an edit clears them."""
    data: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for spec in specs:
        if spec.name.startswith(CF_PREFIX):
            custom[spec.name[len(CF_PREFIX) :]] = _custom_value(spec, post)
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
            if value == "" and (
                spec.kind not in TEXT_KINDS or (spec.kind == "choice" and not spec.allow_blank)
            ):
                data[spec.name] = None
            elif spec.kind == "datetime":
                data[spec.name] = aware_iso(value)
            elif spec.kind == "json":
                data[spec.name] = json_value(value, as_list=spec.json_list)
            else:
                data[spec.name] = value
    if creating:
        custom = {k: v for k, v in custom.items() if v not in (None, "", [])}
    if custom:
        data["custom_fields"] = custom
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
                value = post.get(key, "")
                row[child.name] = aware_iso(value) if child.kind == "datetime" else value
        if any(v not in (None, "", False) for v in row.values()):
            rows.append(row)
    return rows


def attach_errors(specs: list[FormField], errors: Any) -> list[str]:
    """Put the serializer's errors beside their fields, and a child row's errors beside the
    row's field (call after ``fill`` so that the rows exist); the ones no field shows are
    returned (the form shows them at the top)."""
    by_name = {s.name: s for s in specs}
    general: list[str] = []
    if not isinstance(errors, dict):
        return [str(e) for e in (errors if isinstance(errors, list) else [errors])]
    for name, messages in errors.items():
        if name == "custom_fields" and isinstance(messages, dict):
            for key, msgs in messages.items():
                target = by_name.get(CF_PREFIX + key)
                (target.errors if target else general).extend(flat_messages(msgs))
            continue
        if name.startswith("custom_fields."):
            name = CF_PREFIX + name[len("custom_fields.") :]
        parent, _dot, rest = name.partition(".")
        if rest and parent in by_name and by_name[parent].kind == "children":
            # the services name a child row's field as "<children>.<row>.<field>"
            index, _dot, sub = rest.partition(".")
            _attach_row_errors(by_name[parent], [(index, {sub or "": messages})])
            continue
        spec = by_name.get(name)
        if spec is None:
            general.extend(
                f"{name}: {m}" if name not in ("non_field_errors", "") else m
                for m in flat_messages(messages)
            )
        elif spec.kind == "children" and isinstance(messages, dict):
            _attach_row_errors(spec, messages.items())
        elif (
            spec.kind == "children"
            and isinstance(messages, list)
            and any(isinstance(m, dict) for m in messages)
        ):
            _attach_row_errors(spec, enumerate(messages))
        else:
            spec.errors.extend(flat_messages(messages))
    return general


def _attach_row_errors(spec: FormField, rows: Any) -> None:
    for i, row_errors in rows:
        try:
            index = int(i)
        except (TypeError, ValueError):
            spec.errors.extend(flat_messages(row_errors))
            continue
        if not isinstance(row_errors, dict):
            spec.errors.extend(
                _("Row %(n)d: %(message)s") % {"n": index + 1, "message": m}
                for m in flat_messages(row_errors)
            )
            continue
        cells = {c.name: c for c in spec.rows[index]} if index < len(spec.rows) else {}
        labels = {c.name: c.label for c in spec.children}
        for sub, msgs in row_errors.items():
            if sub in cells:
                cells[sub].errors.extend(flat_messages(msgs))
            else:
                spec.errors.extend(
                    _("Row %(n)d, %(field)s: %(message)s")
                    % {"n": index + 1, "field": labels.get(sub, sub), "message": m}
                    for m in flat_messages(msgs)
                )


def relation_labels(specs: list[FormField], user: Any) -> None:
    """Fill the display labels of chosen related records (pickers show names, not ids); one
    query per related type, only among the records ``user`` may see, so a record the user may
    not see is never named."""
    wanted: dict[str, list[FormField]] = {}
    for spec in specs:
        cells = [c for row in spec.rows for c in row] if spec.kind == "children" else [spec]
        for cell in cells:
            if cell.kind == "relation" and cell.related and cell.value not in (None, ""):
                wanted.setdefault(cell.related, []).append(cell)
    for source, cells in wanted.items():
        ids = {str(c.value) for c in cells}
        names = {str(pk): label for pk, label in picker_labels(source, user, ids).items()}
        for cell in cells:
            cell.value_label = names.get(str(cell.value), f"#{cell.value}")


def picker_queryset(source: str, user: Any) -> models.QuerySet[Any]:
    """What a picker of ``source`` (a record-type key, "user" or "team") may offer ``user``.
    Raises KeyError for an unknown source."""
    if source == "user":
        return User.objects.filter(is_active=True).order_by("username")
    if source == "team":
        return Team.objects.order_by("name")
    rt = get_record_type(source)
    if is_restricted(rt.model):
        return restricted(rt.model, user, "view").order_by(*rt.default_ordering)
    return rt.model._default_manager.order_by(*rt.default_ordering)


def picker_labels(source: str, user: Any, ids: set[str]) -> dict[Any, str]:
    try:
        qs = picker_queryset(source, user)
    except KeyError:
        return {}
    try:
        return {obj.pk: str(obj) for obj in qs.filter(pk__in=ids)}
    except (ValueError, TypeError):  # an id of the wrong shape names nothing
        return {}


def flat_messages(messages: Any) -> list[str]:
    if isinstance(messages, dict):
        return [f"{k}: {m}" for k, v in messages.items() for m in flat_messages(v)]
    if isinstance(messages, (list, tuple)):
        return [m for item in messages for m in flat_messages(item)]
    return [str(messages)]
