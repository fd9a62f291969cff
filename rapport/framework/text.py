"""Name and address normalisation shared by person-like record types."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import phonenumbers
from django.conf import settings

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def person_display_name(given_name: str, family_name: str) -> str:
    """Family name first without a space for Chinese, Japanese and Korean names
    (王小明); given name first for Western ones (Ada Lovelace)."""
    given, family = given_name.strip(), family_name.strip()
    if has_cjk(given) or has_cjk(family):
        return f"{family}{given}"
    return " ".join(p for p in (given, family) if p)


def website_domain(website: str) -> str:
    """``https://www.Example.com/about`` -> ``example.com``."""
    text = website.strip()
    if not text:
        return ""
    if "//" not in text:
        text = "//" + text
    host = (urlsplit(text).hostname or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def phone_e164(number: str, region: str | None = None) -> str:
    """E.164 form of ``number`` in the organisation's default region, or "" if unparseable."""
    if not number.strip():
        return ""
    try:
        parsed = phonenumbers.parse(number, region or settings.RAPPORT_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
