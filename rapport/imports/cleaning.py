"""Fast forms of the cleaning rules a bulk import applies to every row: the same answers as
``phone_e164``, Django's email validation and ``country_code``, at a fraction of the cost.

Phones: a number written only with digits, spaces, hyphens, dots and parentheses (with an
optional leading ``+``) is resolved with the metadata of its country calling code, looked up
once per code; everything else (letters, extensions, a national or international prefix that
phonenumbers would strip, leading zeros) goes to ``phonenumbers.parse`` as before.

Emails: an ASCII dot-atom address with a plain host name is accepted by a strict regular
expression that only accepts what Django's ``EmailValidator`` accepts; any other text is
handed to that validator.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from phonenumbers import PhoneMetadata
from phonenumbers import phonenumberutil as pnu

from rapport.framework.text import country_code, phone_e164

_SIMPLE_PHONE = re.compile(r"\+?[0-9 ().\-]+")
_NON_DIGITS = re.compile(r"[^0-9]")
# A subset of Django's EmailValidator: dot-atom local part of common characters, host name
# labels of letters, digits and inner hyphens, a top-level label of two or more letters (and
# inner hyphens).
_SIMPLE_EMAIL = re.compile(
    r"[A-Za-z0-9_%+\-]+(?:\.[A-Za-z0-9_%+\-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z][A-Za-z\-]{0,61}[A-Za-z]"
)
_EMAIL_MAX = 254  # the model field's (and so the serializer's) max_length
_POSSIBLE = (pnu.ValidationResult.IS_POSSIBLE, pnu.ValidationResult.IS_POSSIBLE_LOCAL_ONLY)


@cache
def _calling_code(code: int) -> tuple[Any, Any] | None:
    """Metadata of a country calling code and its compiled national prefix for parsing."""
    region = pnu.region_code_for_country_code(code)
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(code, region)
    if metadata is None:
        return None
    prefix = metadata.national_prefix_for_parsing
    return metadata, re.compile(prefix) if prefix else None


@cache
def _home_region(region: str) -> tuple[Any, Any, Any, str] | None:
    """Metadata of the default region, its national and international prefix patterns."""
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None or not metadata.international_prefix:
        return None
    prefix = metadata.national_prefix_for_parsing
    return (
        metadata,
        re.compile(prefix) if prefix else None,
        re.compile(metadata.international_prefix),
        str(metadata.country_code),
    )


def _national_ok(national: str, metadata: Any, prefix: Any) -> bool | None:
    """Whether ``national`` is a possible number of ``metadata``; None when phonenumbers would
    rework it (a national prefix to strip, leading zeros, odd lengths)."""
    if (
        len(national) < 3
        or len(national) > pnu._MAX_LENGTH_FOR_NSN
        or national[0] == "0"
        or (prefix is not None and prefix.match(national))
    ):
        return None
    return pnu._test_number_length(national, metadata) in _POSSIBLE


def fast_e164(number: str, region: str | None = None) -> str:
    """Exactly ``phone_e164(number, region)``, without parsing the common forms."""
    text = number.strip()
    if 7 <= len(text) <= 40 and _SIMPLE_PHONE.fullmatch(text) and "+" not in text[1:]:
        digits = _NON_DIGITS.sub("", text)
        if text[0] == "+":
            if len(digits) > 3 and digits[0] != "0":
                for size in (1, 2, 3):
                    code = int(digits[:size])
                    if code in pnu.COUNTRY_CODE_TO_REGION_CODE:
                        known = _calling_code(code)
                        if known is not None:
                            ok = _national_ok(digits[size:], *known)
                            if ok is not None:
                                return "+" + digits if ok else ""
                        break
        else:
            home = _home_region(region or settings.RAPPORT_DEFAULT_REGION)
            if home is not None:
                metadata, prefix, idd, code_text = home
                if not digits.startswith(code_text) and not idd.match(digits):
                    ok = _national_ok(digits, metadata, prefix)
                    if ok is not None:
                        return f"+{code_text}{digits}" if ok else ""
    return phone_e164(number, region)


def email_valid(email: str) -> bool:
    """Whether Django's ``EmailValidator`` (and the 254-character limit) accepts ``email``."""
    if len(email) > _EMAIL_MAX:
        return False
    if _SIMPLE_EMAIL.fullmatch(email):
        return True
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


def email_simple(email: str) -> bool:
    """Whether ``email`` is a plain ASCII address the fast path decides on its own."""
    return len(email) <= _EMAIL_MAX and _SIMPLE_EMAIL.fullmatch(email) is not None


_countries: dict[str, str] = {}


def fast_country(value: str) -> str:
    """``country_code(value)``, remembered (a file repeats a few dozen countries)."""
    found = _countries.get(value)
    if found is None:
        found = country_code(value)
        if len(_countries) < 10_000:
            _countries[value] = found
    return found
