"""Name and address normalisation shared by person-like record types."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import phonenumbers
from django.conf import settings
from django_countries import countries

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


# Everyday names that are not the ISO short names django-countries matches.
_COUNTRY_ALIASES = {
    "usa": "US",
    "us": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "united states": "US",
    "america": "US",
    "uk": "GB",
    "u.k.": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "prc": "CN",
    "mainland china": "CN",
    "中国大陆": "CN",
    "south korea": "KR",
    "korea": "KR",
    "russia": "RU",
    "uae": "AE",
    "holland": "NL",
    "the netherlands": "NL",
    "vietnam": "VN",
    "czech republic": "CZ",
}


def country_code(value: str) -> str:
    """ISO 3166 alpha-2 code for a code (CN, CHN), an English or Chinese country name or a
    common alias ("USA", "UK", "中国"); "" when there is none."""
    text = " ".join(value.split())
    if not text:
        return ""
    if len(text) in (2, 3) and text.isascii() and text.isalpha():
        code = countries.alpha2(text)
        if code:
            return str(code)
    alias = _COUNTRY_ALIASES.get(text.lower())
    if alias:
        return alias
    for language in ("en", "zh-hans"):
        found = countries.by_name(text, language=language)
        if found:
            return str(found)
    return ""


_NAME_JOINERS = "-'\u2019"  # hyphen, apostrophe, typographic apostrophe
_NAME_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "la", "le", "du"}


def person_name_clean(name: str) -> str:
    """Trim and collapse spaces; a Latin name typed all in lower or upper case is capitalised
    (``o'brien`` → ``O'Brien``, ``mcdonald`` → ``McDonald``, particles such as ``van der`` stay
    lower case after the first word). Names typed in mixed case, and Chinese, Japanese or
    Korean names, are kept as typed."""
    text = " ".join(name.split())
    if not text or has_cjk(text) or not (text.islower() or text.isupper()):
        return text
    words = []
    for i, word in enumerate(text.lower().split(" ")):
        if i > 0 and word in _NAME_PARTICLES:
            words.append(word)
            continue
        parts = re.split(f"([{_NAME_JOINERS}])", word)
        capitalised = "".join(p if p in _NAME_JOINERS else p[:1].upper() + p[1:] for p in parts)
        if capitalised.startswith("Mc") and len(capitalised) > 2:
            capitalised = "Mc" + capitalised[2:3].upper() + capitalised[3:]
        words.append(capitalised)
    return " ".join(words)
