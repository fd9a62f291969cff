from typing import Any

from babel.numbers import list_currencies
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def validate_iso4217(value: str) -> None:
    if value not in list_currencies():
        raise ValidationError(
            _("“%(code)s” is not an ISO 4217 currency code.") % {"code": value},
            code="invalid_currency",
        )


def validate_positive_rate(value: Any) -> None:
    if value is not None and value <= 0:
        raise ValidationError(_("An exchange rate must be greater than zero."), code="not_positive")
