"""Rules for custom-field definitions, applied by the framework services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from rapport.core.choices import CustomFieldType
from rapport.core.custom_fields import custom_field_value_clean
from rapport.core.models import CustomFieldDefinition
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
