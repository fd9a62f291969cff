"""Validation and query support for administrator-defined custom fields.

Values are stored as JSON in each record's ``custom_fields``: text as strings, numbers and
money as decimal strings (exact, sortable after a cast), dates as ISO strings, references as
record ids.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from rapport.core.choices import CustomFieldType
from rapport.core.models import CustomFieldDefinition
from rapport.framework.base_models import restricted
from rapport.framework.registry import get_record_type
from rapport.framework.text import phone_e164

T = CustomFieldType


# Numbers must fit the cast that filters and sorts them (rapport.framework.api.filters):
# numeric(30, 10) on PostgreSQL, where a larger value fails the whole query.
MAX_WHOLE_DIGITS = 20
MAX_DECIMAL_PLACES = 10


def _number_in_range(number: Decimal) -> None:
    if number.copy_abs() >= Decimal(10) ** MAX_WHOLE_DIGITS:  # abs() would round
        raise ValidationError(
            _("At most %(n)d digits before the decimal point.") % {"n": MAX_WHOLE_DIGITS},
            code="max_whole_digits",
        )
    _sign, digits, exponent = number.as_tuple()
    places = -int(exponent) if int(exponent) < 0 else 0  # finite numbers only reach here
    significant = list(digits)
    while places and len(significant) > 1 and significant[-1] == 0:  # 1.500 has 1 place
        significant.pop()
        places -= 1
    if places > MAX_DECIMAL_PLACES:
        raise ValidationError(
            _("At most %(n)d decimal places.") % {"n": MAX_DECIMAL_PLACES},
            code="max_decimal_places",
        )


def definitions_for(record_type: str) -> dict[str, CustomFieldDefinition]:
    return {d.name: d for d in CustomFieldDefinition.objects.filter(record_type=record_type)}


def custom_field_value_clean(defn: CustomFieldDefinition, value: Any, user: Any) -> Any:
    kind = defn.field_type
    if kind in (T.TEXT, T.LONG_TEXT):
        if not isinstance(value, str):
            raise ValidationError(_("Enter text."), code="invalid_type")
        if "\x00" in value:
            # PostgreSQL cannot store NUL in JSON; the same code as DRF's text fields.
            raise ValidationError(
                _("Null characters are not allowed."), code="null_characters_not_allowed"
            )
        if kind == T.TEXT and len(value) > 255:
            raise ValidationError(
                _("At most %(limit)d characters.") % {"limit": 255}, code="max_length"
            )
        return value
    if kind == T.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                _number_in_range(Decimal(value))
                return int(value)
            raise ValidationError(_("Enter a whole number."), code="invalid_type")
        _number_in_range(Decimal(value))
        return value
    if kind in (T.DECIMAL, T.MONEY):
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
            raise ValidationError(_("Enter a number."), code="invalid_type")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValidationError(_("Enter a number."), code="invalid_type") from None
        if not number.is_finite():
            raise ValidationError(_("Enter a number."), code="invalid_type")
        _number_in_range(number)
        return str(number)
    if kind == T.DATE:
        try:
            parsed = parse_date(value) if isinstance(value, str) else None
        except ValueError:  # well formed but not a real day, such as 2024-02-30
            parsed = None
        if parsed is None:
            raise ValidationError(_("Enter a date as YYYY-MM-DD."), code="invalid_date")
        return parsed.isoformat()
    if kind == T.DATETIME:
        try:
            parsed_dt = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:
            parsed_dt = None
        if parsed_dt is None:
            raise ValidationError(
                _("Enter a date and time in ISO 8601 format."), code="invalid_datetime"
            )
        if parsed_dt.tzinfo is None:
            parsed_dt = parsed_dt.replace(tzinfo=dt.UTC)
        # Stored in UTC so that filters and sorting, which compare the text, follow time.
        return parsed_dt.astimezone(dt.UTC).isoformat()
    if kind == T.BOOLEAN:
        if not isinstance(value, bool):
            raise ValidationError(_("Enter true or false."), code="invalid_type")
        return value
    if kind == T.CHOICE:
        if value not in defn.choices:
            raise ValidationError(
                _("“%(value)s” is not one of the choices.") % {"value": value},
                code="invalid_choice",
            )
        return value
    if kind == T.MULTIPLE_CHOICE:
        if not isinstance(value, list) or any(v not in defn.choices for v in value):
            raise ValidationError(
                _("Choose values from the list of choices."), code="invalid_choice"
            )
        return sorted(set(value), key=defn.choices.index)
    if kind == T.URL:
        try:
            if not isinstance(value, str):
                raise ValidationError("not text")
            URLValidator()(value)
        except ValidationError:
            raise ValidationError(_("Enter a valid URL."), code="invalid_url") from None
        return value
    if kind == T.EMAIL:
        try:
            if not isinstance(value, str):
                raise ValidationError("not text")
            validate_email(value.strip())
        except ValidationError:
            raise ValidationError(_("Enter a valid email address."), code="invalid_email") from None
        local, _at, domain = value.strip().rpartition("@")
        return f"{local}@{domain.lower()}"
    if kind == T.PHONE:
        e164 = phone_e164(str(value), settings.RAPPORT_DEFAULT_REGION)
        if not e164:
            raise ValidationError(_("Enter a valid phone number."), code="invalid_phone")
        return e164
    if kind == T.REFERENCE:
        return _clean_reference(defn, value, user)
    raise ValidationError(_("Unknown field type."), code="invalid")


def _clean_reference(defn: CustomFieldDefinition, value: Any, user: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(_("Enter the id of a record."), code="invalid_type")
    model = get_record_type(defn.reference_type).model
    qs = restricted(model, user, "view") if user is not None else model._default_manager.all()
    if not qs.filter(pk=value).exists():
        raise ValidationError(_("No such record."), code="does_not_exist")
    return value


def custom_fields_clean(
    *,
    record_type: str,
    values: Any,
    existing: dict[str, Any] | None,
    user: Any,
    creating: bool,
) -> dict[str, Any]:
    """Validate ``values`` (a partial update) against the definitions; return the full dict.

    Raises ``ValidationError`` with keys ``custom_fields.<name>``.
    """
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ValidationError(
            {
                "custom_fields": ValidationError(
                    _("Expected an object of field names and values."), code="invalid_type"
                )
            }
        )
    definitions = definitions_for(record_type)
    result = dict(existing or {})
    errors: dict[str, ValidationError] = {}
    for name, value in values.items():
        defn = definitions.get(name)
        if defn is None:
            errors[f"custom_fields.{name}"] = ValidationError(
                _("There is no custom field of this name."), code="unknown_field"
            )
            continue
        if value is None or value == "" or value == []:
            result.pop(name, None)
            continue
        try:
            result[name] = custom_field_value_clean(defn, value, user)
        except ValidationError as exc:
            errors[f"custom_fields.{name}"] = exc
    for name, defn in definitions.items():
        if name in result or f"custom_fields.{name}" in errors:
            continue
        if creating and defn.default not in (None, "", []):
            result[name] = defn.default
        elif defn.required:
            errors[f"custom_fields.{name}"] = ValidationError(
                _("This field is required."), code="required"
            )
    if errors:
        raise ValidationError(errors)
    return result
