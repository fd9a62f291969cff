"""Numbers for people to read, in the active language, with Babel's CLDR data: grouping
digits by thousands in Chinese too, where Django's own format files set no grouping."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from babel.core import Locale, UnknownLocaleError
from babel.numbers import format_decimal
from django.utils.translation import get_language, to_locale


def _locale() -> Locale:
    try:
        return Locale.parse(to_locale(get_language() or "en"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def number_text(value: Any, places: int | None = None) -> str:
    """``value`` with grouped digits; exactly ``places`` decimals when given, else as many
    as it has."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if places is None:
        exponent = number.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(number, format=pattern, locale=_locale(), decimal_quantization=True)
