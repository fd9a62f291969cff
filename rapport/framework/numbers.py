"""Numbers for people to read, in the active language, with Babel's CLDR data: grouping
digits by thousands in Chinese too, where Django's own format files set no grouping."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from babel.core import Locale, UnknownLocaleError
from babel.numbers import NumberPattern, parse_pattern
from django.utils.translation import get_language, to_locale


@lru_cache(maxsize=16)
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(to_locale(language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


@lru_cache(maxsize=32)
def _pattern(places: int) -> NumberPattern:
    return parse_pattern("#,##0" + ("." + "0" * places if places else ""))


def number_text(value: Any, places: int | None = None) -> str:
    """``value`` with grouped digits; exactly ``places`` decimals when given, else as many
    as it has. Locales and patterns are parsed once (a board formats hundreds of amounts)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if places is None:
        exponent = number.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return _pattern(places).apply(number, _locale(get_language() or "en"))
