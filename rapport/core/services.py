"""Rules for custom-field definitions, applied by the framework services."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from rapport.core.choices import CustomFieldType
from rapport.core.custom_fields import custom_field_value_clean
from rapport.core.models import ChangeLogEntry, CustomFieldDefinition
from rapport.framework.actor import Actor
from rapport.framework.registry import get_record_type


def custom_field_prepare(
    *, actor: Actor, record: CustomFieldDefinition, changed: set[str], **_kw: Any
) -> None:
    """The record types must exist; choice fields need choices; the default must be valid."""
    errors: dict[str, ValidationError] = {}
    for field in ("record_type", "reference_type"):
        key = getattr(record, field)
        if key or field == "record_type":
            try:
                rt = get_record_type(key)
            except KeyError:
                errors[field] = ValidationError(_("Unknown record type."), code="invalid_choice")
                continue
            if rt.is_config:
                errors[field] = ValidationError(
                    _("Choose a business record type."), code="invalid_choice"
                )
    if record.field_type == CustomFieldType.REFERENCE and not record.reference_type:
        errors["reference_type"] = ValidationError(
            _("Name the referenced record type."), code="required"
        )
    if record.field_type in (CustomFieldType.CHOICE, CustomFieldType.MULTIPLE_CHOICE) and (
        not isinstance(record.choices, list)
        or not record.choices
        or not all(isinstance(c, str) and c for c in record.choices)
    ):
        errors["choices"] = ValidationError(_("Give a list of choices."), code="required")
    if record.pk is not None and "field_type" in changed:
        errors["field_type"] = ValidationError(
            _("The type of an existing field cannot change."), code="immutable"
        )
    if not errors and record.default not in (None, "", []):
        try:
            record.default = custom_field_value_clean(record, record.default, actor.user)
        except ValidationError as exc:
            errors["default"] = exc
    if errors:
        raise ValidationError(errors)


def changelog_anonymise(
    *,
    content_type: ContentType,
    object_id: int | str,
    fields: Mapping[str, Any],
    scrub: Sequence[str] = (),
    replacement: str = "",
    object_repr: str | None = None,
) -> int:
    """Rewrite the change-log rows of one record to remove a person's data (privacy erasure).

    This is the one deliberate exception to the append-only change log, used only by the
    privacy erasure: in every ``before``/``after`` of the record's rows, each key named in
    ``fields`` is set to the given value, every occurrence of a string of ``scrub`` inside a
    string value is replaced by ``replacement``, and ``object_repr`` (when given) replaces the
    stored label. Who changed what and when stays. Returns the number of rows rewritten.

    The guards of ``ChangeLogQuerySet`` and ``ChangeLogEntry.save`` stay in place for all other
    code: the rows are written through a plain ``QuerySet`` built here, not the model's manager.
    """
    needles = sorted({s for s in scrub if s}, key=len, reverse=True)

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            for needle in needles:
                value = re.sub(re.escape(needle), replacement, value, flags=re.IGNORECASE)
            return value
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    def rewrite(values: dict[str, Any] | None) -> dict[str, Any] | None:
        if values is None:
            return None
        return {k: (fields[k] if k in fields else clean(v)) for k, v in values.items()}

    # A plain QuerySet: the model's own manager refuses every update, on purpose.
    rows: models.QuerySet[ChangeLogEntry] = models.QuerySet(model=ChangeLogEntry).filter(
        content_type=content_type, object_id=str(object_id)
    )
    rewritten = 0
    with transaction.atomic():
        for pk, before, after, label in rows.select_for_update().values_list(
            "pk", "before", "after", "object_repr"
        ):
            new_label = object_repr if object_repr is not None else clean(label)
            new_before, new_after = rewrite(before), rewrite(after)
            if (new_before, new_after, new_label) == (before, after, label):
                continue
            models.QuerySet(model=ChangeLogEntry).filter(pk=pk).update(
                before=new_before, after=new_after, object_repr=new_label[:200]
            )
            rewritten += 1
    return rewritten
