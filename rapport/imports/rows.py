"""One row of a file into one record: shaped as API input, matched against duplicates, then
written through the framework services, each row in its own savepoint.

A row is shaped into the record type's serializer input (so that it is validated exactly as
an API write), then ``record_create`` / ``record_update`` write it with the import actor. Any
failure rolls the row's savepoint back and rejects the row with its reason; nothing of it is
left half-written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import override
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as ApiValidationError

from rapport.accounts.models import Account
from rapport.contacts.models import Contact
from rapport.framework.actor import Actor
from rapport.framework.api.serializers import RecordSerializer
from rapport.framework.base_models import is_restricted, restricted
from rapport.framework.exceptions import RecordNotFound, RecordPermissionDenied
from rapport.framework.registry import RecordType
from rapport.framework.services import record_create, record_update
from rapport.framework.text import phone_e164
from rapport.imports.choices import DuplicatePolicy, RowAction
from rapport.imports.mapping import CHINESE, CUSTOM_PREFIX, FieldKind, ImportField, import_fields
from rapport.imports.readers import SourceRow, oversized_column
from rapport.leads.models import Lead

_DATE_FORMATS = ("%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
_CHINESE_BOOLEANS = {"是": "true", "否": "false", "真": "true", "假": "false"}
# Looked up by name when a relation column does not hold an id.
_NAME_FIELDS = ("name", "username", "code")
# Separators of several tags in one cell: comma, semicolon, and their Chinese forms.
_TAG_SEPARATORS = re.compile("[,;\uff0c\uff1b\u3001]")


@dataclass
class RowOutcome:
    number: int
    action: RowAction
    record_id: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    before: dict[str, Any] | None = None

    @property
    def message(self) -> str:
        return "; ".join(
            f"{name}: {' '.join(messages)}" if name else " ".join(messages)
            for name, messages in self.errors.items()
        )


class RowRejected(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF or Django error details as ``{"field" or "field.0.sub": [messages]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            sub_prefix = f"{prefix}.{name}" if prefix else name
            for sub, messages in flatten_errors(value, sub_prefix).items():
                out.setdefault(sub, []).extend(messages)
    elif isinstance(detail, list) and any(isinstance(d, dict | list) for d in detail):
        for i, value in enumerate(detail):
            sub_prefix = f"{prefix}.{i}" if prefix else str(i)
            for sub, messages in flatten_errors(value, sub_prefix).items():
                out.setdefault(sub, []).extend(messages)
    elif isinstance(detail, list):
        out[prefix] = [str(d) for d in detail]
    elif detail:
        out[prefix] = [str(detail)]
    return out


def _django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return flatten_errors(exc.message_dict)
    return {"": list(exc.messages)}


class RowWriter:
    """Writes the rows of one import: ``mapping`` is ``{header: field key}``."""

    def __init__(
        self,
        *,
        record_type: RecordType,
        headers: list[str],
        mapping: dict[str, str],
        policy: DuplicatePolicy,
        actor: Actor,
    ) -> None:
        self.record_type = record_type
        self.headers = headers
        self.policy = policy
        self.actor = actor
        self.fields: dict[str, ImportField] = import_fields(record_type)
        self.columns: dict[str, list[int]] = {}
        for index, header in enumerate(headers):
            target = mapping.get(header, "")
            if header and target in self.fields:
                self.columns.setdefault(target, []).append(index)
        self.context = {"request": SimpleNamespace(user=actor.user)}
        serializer_fields: Any = record_type.serializer(context=self.context).fields  # type: ignore[attr-defined]
        self.serializer_fields: dict[str, serializers.Field] = dict(serializer_fields)  # type: ignore[type-arg]
        self._names: dict[tuple[str, str], Any] = {}
        self._choices: dict[tuple[str, str], str] = {}  # a choice's value by the text given
        # Duplicate keys (normalised email, E.164 phone) of the rows written so far.
        self._seen: dict[str, int] = {}

    # --- shaping -----------------------------------------------------------------------------

    def _cells(self, row: SourceRow, key: str) -> list[str]:
        return [
            row.cells[i] for i in self.columns.get(key, []) if i < len(row.cells) and row.cells[i]
        ]

    def _scalar(self, name: str, text: str) -> Any:
        field = self.serializer_fields.get(name)
        if isinstance(field, serializers.BooleanField):
            return _CHINESE_BOOLEANS.get(text, text)
        if isinstance(field, serializers.DateField):
            for fmt in _DATE_FORMATS:
                try:
                    return dt.datetime.strptime(text, fmt).date().isoformat()
                except ValueError:
                    pass
        if isinstance(field, serializers.ChoiceField) and text not in field.choices:
            key = (name, text)
            if key not in self._choices:
                self._choices[key] = self._choice(field, text)
            return self._choices[key]
        return text

    @staticmethod
    def _choice(field: serializers.ChoiceField, text: str) -> str:
        """A choice given by its label (English or Chinese) instead of its value."""
        folded = text.casefold()
        for value, label in field.choices.items():
            if str(value).casefold() == folded:
                return str(value)
            with override("en"):
                english = str(label).casefold()
            with override(CHINESE):
                chinese = str(label).casefold()
            if folded in (english, chinese):
                return str(value)
        return text

    def _related_id(self, model: type[models.Model], text: str) -> Any:
        """The pk of the ``model`` record the user may see, named or numbered ``text``."""
        cache_key = (model._meta.label_lower, text.casefold())
        if cache_key in self._names:
            return self._names[cache_key]
        queryset: models.QuerySet[Any] = (
            restricted(model, self.actor.user, "view")
            if is_restricted(model)
            else model._default_manager.all()
        )
        found: Any = None
        try:
            model._meta.pk.to_python(text)  # type: ignore[union-attr]
            found = queryset.filter(pk=text).values_list("pk", flat=True).first()
        except DjangoValidationError:
            pass
        names = [f.name for f in model._meta.concrete_fields if f.name in _NAME_FIELDS]
        for name in names:
            if found is not None:
                break
            found = (
                queryset.filter(**{f"{name}__iexact": text})
                .order_by("pk")
                .values_list("pk", flat=True)
                .first()
            )
        self._names[cache_key] = found
        return found

    def shape(self, row: SourceRow) -> tuple[dict[str, Any], list[str]]:
        """The serializer input of ``row`` and its warnings; raises RowRejected."""
        too_big = oversized_column(row, self.headers)
        if too_big is not None:
            raise RowRejected(
                {too_big: [_("This cell is larger than 1 MB; the row was not imported.")]}
            )
        data: dict[str, Any] = {}
        warnings: list[str] = []
        errors: dict[str, list[str]] = {}
        for key, import_field in self.fields.items():
            cells = self._cells(row, key)
            if not cells:
                continue
            if import_field.kind == FieldKind.EMAILS:
                data["emails"] = [{"email": c} for c in cells]
            elif import_field.kind == FieldKind.PHONES:
                data["phones"] = [{"number": c} for c in cells]
            elif import_field.kind == FieldKind.ACCOUNT_NAME:
                account_id = self._related_id(Account, cells[0])
                if account_id is None:
                    warnings.append(
                        _(
                            "No account named “%(name)s” that you can see: the contact was "
                            "left without an account."
                        )
                        % {"name": cells[0]}
                    )
                else:
                    data["memberships"] = [{"account": account_id}]
            elif import_field.kind == FieldKind.TAGS:
                data["tags"] = [t.strip() for t in _TAG_SEPARATORS.split(cells[0]) if t.strip()]
            elif import_field.kind == FieldKind.CUSTOM:
                data.setdefault("custom_fields", {})[key[len(CUSTOM_PREFIX) :]] = cells[0]
            elif import_field.kind == FieldKind.RELATION:
                relation: Any = self.serializer_fields[key]
                queryset: Any = getattr(relation, "queryset", None)
                model = queryset.model if queryset is not None else None
                found = self._related_id(model, cells[0]) if model is not None else None
                if found is None:
                    errors[str(import_field.label)] = [
                        _("No record “%(name)s”, or you may not see it.") % {"name": cells[0]}
                    ]
                else:
                    data[key] = found
            else:
                data[key] = self._scalar(key, cells[0])
        if errors:
            raise RowRejected(errors)
        return data, warnings

    # --- duplicates --------------------------------------------------------------------------

    def _keys(self, data: dict[str, Any]) -> list[str]:
        """Normalised emails and E.164 phones of a person row."""
        if self.record_type.key == "contacts":
            emails = [str(e.get("email", "")) for e in data.get("emails", [])]
            phones = [str(p.get("number", "")) for p in data.get("phones", [])]
        elif self.record_type.key == "leads":
            emails, phones = [str(data.get("email", ""))], [str(data.get("phone", ""))]
        else:
            return []
        keys = [f"email:{e.strip().casefold()}" for e in emails if e.strip()]
        keys += [f"phone:{p}" for p in (phone_e164(n) for n in phones) if p]
        return keys

    def _existing(self, keys: list[str]) -> int | None:
        model: type[models.Model] = self.record_type.model
        visible: models.QuerySet[Any] = restricted(model, self.actor.user, "view")
        for key in keys:
            kind, _sep, value = key.partition(":")
            if model is Contact:
                lookup = (
                    {"emails__email__iexact": value} if kind == "email" else {"phones__e164": value}
                )
            elif model is Lead:
                lookup = {"email__iexact": value} if kind == "email" else {"phone_e164": value}
            else:
                return None
            found = visible.filter(**lookup).order_by("pk").values_list("pk", flat=True).first()
            if found is not None:
                return int(found)
        return None

    def duplicate_of(self, data: dict[str, Any]) -> int | None:
        """The id of a record this row repeats (in the database or earlier in the file)."""
        keys = self._keys(data)
        for key in keys:
            if key in self._seen:
                return self._seen[key]
        return self._existing(keys)

    # --- writing -----------------------------------------------------------------------------

    def _merged_children(self, instance: models.Model, data: dict[str, Any]) -> dict[str, Any]:
        """On update, the row's tags, emails, phones and account are added to the existing
        ones (custom fields are merged by the service)."""
        current = self.record_type.serializer(instance, context=self.context).data  # type: ignore[call-arg]
        merged = dict(data)
        if "tags" in data:
            merged["tags"] = list(dict.fromkeys([*current.get("tags", []), *data["tags"]]))
        if self.record_type.key != "contacts":
            return merged
        if "emails" in data:
            have = {str(e["email"]).casefold() for e in current["emails"]}
            new = [e for e in data["emails"] if str(e["email"]).casefold() not in have]
            merged["emails"] = [*current["emails"], *new]
        if "phones" in data:
            have = {phone_e164(str(p["number"])) or p["number"] for p in current["phones"]}
            new = [
                p
                for p in data["phones"]
                if (phone_e164(str(p["number"])) or p["number"]) not in have
            ]
            merged["phones"] = [*current["phones"], *new]
        if "memberships" in data:
            have = {m["account"] for m in current["memberships"]}
            new = [m for m in data["memberships"] if m["account"] not in have]
            merged["memberships"] = [*current["memberships"], *new]
        return merged

    def _save(self, instance: models.Model | None, data: dict[str, Any]) -> models.Model:
        serializer: Any = self.record_type.serializer(
            instance, data=data, partial=instance is not None, context=self.context
        )  # type: ignore[call-arg]
        if not serializer.is_valid():
            raise RowRejected(flatten_errors(serializer.errors))
        assert isinstance(serializer, RecordSerializer)
        values, relations, children = serializer._split(dict(serializer.validated_data))
        if instance is None:
            return record_create(
                actor=self.actor,
                record_type=self.record_type,
                data=values,
                relations=relations,
                children=children,
            )
        return record_update(
            actor=self.actor,
            record_type=self.record_type,
            record=instance,
            data=values,
            relations=relations,
            children=children,
        )

    def _write(self, row: SourceRow) -> RowOutcome:
        data, warnings = self.shape(row)
        duplicate = None if self.policy == DuplicatePolicy.CREATE else self.duplicate_of(data)
        outcome = RowOutcome(row.number, RowAction.CREATED, warnings=warnings)
        if duplicate is not None and self.policy == DuplicatePolicy.SKIP:
            outcome.action, outcome.record_id = RowAction.SKIPPED, duplicate
            outcome.warnings.append(
                _("Duplicate of %(type)s #%(id)s: skipped.")
                % {"type": self.record_type.label, "id": duplicate}
            )
            return outcome
        instance = None
        if duplicate is not None:
            instance = restricted(self.record_type.model, self.actor.user, "view").get(pk=duplicate)
            data = self._merged_children(instance, data)
            current = self.record_type.serializer(instance, context=self.context).data  # type: ignore[call-arg]
            outcome.before = {k: current[k] for k in data if k in current}
            if "custom_fields" in data:  # only the keys the row sets; None removes on undo
                had = current.get("custom_fields") or {}
                outcome.before["custom_fields"] = {k: had.get(k) for k in data["custom_fields"]}
            outcome.action = RowAction.UPDATED
        record = self._save(instance, data)
        outcome.record_id = int(record.pk)
        for key in self._keys(data):
            self._seen.setdefault(key, outcome.record_id)
        return outcome

    def restore(self, record: models.Model, before: dict[str, Any]) -> models.Model:
        """Put back the values an import overwrote (``before``, in the serializer's shape)."""
        try:
            return self._save(record, before)
        except RowRejected as exc:
            raise DjangoValidationError(
                RowOutcome(0, RowAction.REJECTED, errors=exc.errors).message
            ) from None

    def write(self, row: SourceRow) -> RowOutcome:
        """Import one row in its own savepoint; a failure rejects it with its reason."""
        try:
            with transaction.atomic():
                return self._write(row)
        except RowRejected as exc:
            errors = exc.errors
        except ApiValidationError as exc:
            errors = flatten_errors(exc.detail)
        except DjangoValidationError as exc:
            errors = _django_errors(exc)
        except (RecordPermissionDenied, RecordNotFound, models.ProtectedError) as exc:
            errors = {"": [str(exc) or _("You may not see or change this record.")]}
        return RowOutcome(row.number, RowAction.REJECTED, errors=errors)
