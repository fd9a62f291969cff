"""Person records and their normalised, comparable form.

A ``PersonRecord`` is what a CSV row or a contact/lead gives: strings as typed. ``normalise``
folds them once so that blocking and scoring only compare prepared strings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from pypinyin import lazy_pinyin

from rapport.dedupe.nicknames import canonical_given_name
from rapport.framework.text import has_cjk, phone_e164

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NOT_NAME = re.compile(r"[^a-z\s]+")
_NOT_WORD = re.compile(r"[^\w\s]+")
# Two-character Chinese family names; every other Chinese name takes its first character.
_COMPOUND_SURNAMES = frozenset(
    ("欧阳", "司马", "诸葛", "上官", "司徒", "东方", "皇甫", "令狐", "慕容", "夏侯", "尉迟"),
) | frozenset(("公孙", "长孙", "宇文", "独孤", "南宫", "西门"))
# Legal forms dropped from company names: "Acme Ltd." and "ACME" are the same company.
_COMPANY_FORMS = frozenset(
    (
        "inc", "ltd", "llc", "plc", "gmbh", "ag", "sa", "sas", "sarl", "co", "corp",
        "corporation", "company", "limited", "group", "pty", "kg", "ug", "se", "bv", "nv",
    )
)  # fmt: skip
_CHINESE_COMPANY_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司")
PHONE_TAIL_DIGITS = 8  # enough to be nearly unique, short enough to survive a wrong region
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
# Names, companies and cities repeat across a large file; bounded so a web process stays small.
_CACHE_SIZE = 1 << 18


@dataclass(frozen=True)
class PersonRecord:
    """One person as written: given/family names or one full ``name``, any number of e-mail
    addresses and phone numbers."""

    id: str
    given_name: str = ""
    family_name: str = ""
    name: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    company: str = ""
    city: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class NormalisedPerson:
    """Comparable forms of a person. ``given``/``family`` are Latin (pinyin for Chinese),
    ``given`` after nickname mapping; ``given_folded`` before it; ``*_han`` keep the Chinese
    characters when there are any."""

    id: str
    given: str
    family: str
    given_folded: str
    given_han: str = ""
    family_han: str = ""
    emails: frozenset[str] = field(default_factory=frozenset)
    phones: frozenset[str] = field(default_factory=frozenset)
    phones_original: tuple[str, ...] = ()
    company: str = ""
    city: str = ""
    country: str = ""
    phone_tails: frozenset[str] = field(default_factory=frozenset)
    """The last ``PHONE_TAIL_DIGITS`` digits of each phone: the subscriber number survives a
    number read with the wrong country code."""


def strip_accents(text: str) -> str:
    """``Zoë Müller`` -> ``Zoe Muller``: decompose and drop combining marks."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_text(text: str) -> str:
    """Case-folded, accent-free, single-spaced."""
    if text.isascii():  # the same result, without decomposing every character
        return " ".join(text.lower().split())
    return " ".join(strip_accents(text).casefold().split())


def fold_name(text: str) -> str:
    """A Latin name part as letters only: ``O'Brien-Smith`` -> ``obriensmith``."""
    return _NOT_NAME.sub("", fold_text(text)).replace(" ", "")


def pinyin(text: str) -> str:
    """Toneless pinyin of Chinese characters, without spaces: 小明 -> ``xiaoming``."""
    return "".join(lazy_pinyin(text))


def normalise_email(address: str, *, gmail_rules: bool = False) -> str:
    """Trimmed, lower-cased address, or "" without an ``@``. With ``gmail_rules`` dots and a
    ``+tag`` in Gmail local parts are dropped, since Gmail delivers them to one mailbox."""
    text = address.strip().lower()
    if "@" not in text:
        return ""
    local, _, domain = text.rpartition("@")
    if gmail_rules and domain in ("gmail.com", "googlemail.com"):
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}" if local and domain else ""


def normalise_phone(number: str, region: str) -> str:
    """E.164 of ``number`` read in ``region`` (ISO code) when it has no ``+``; "" if invalid."""
    return phone_e164(number, region)


@lru_cache(maxsize=_CACHE_SIZE)
def normalise_company(name: str) -> str:
    """Folded company name without punctuation and legal forms (Ltd, GmbH, 有限公司)."""
    text = name.strip()
    for form in _CHINESE_COMPANY_FORMS:
        text = text.removesuffix(form)
    words = _NOT_WORD.sub(" ", fold_text(text).replace("&", " and ")).split()
    return " ".join(w for w in words if w not in _COMPANY_FORMS)


def split_full_name(name: str) -> tuple[str, str]:
    """``(given, family)`` from a full name: 王小明 -> (小明, 王), 欧阳娜娜 -> (娜娜, 欧阳),
    ``Ada Lovelace`` -> (Ada, Lovelace), ``Lovelace, Ada`` -> (Ada, Lovelace)."""
    text = name.strip()
    if "," in text:
        family, _, given = text.partition(",")
        return given.strip(), family.strip()
    compact = text.replace(" ", "")
    if _HAN.search(compact) and compact == "".join(_HAN.findall(compact)):
        cut = 2 if compact[:2] in _COMPOUND_SURNAMES and len(compact) > 2 else 1
        return compact[cut:], compact[:cut]
    parts = text.split()
    if len(parts) < 2:
        return text, ""
    return " ".join(parts[:-1]), parts[-1]


@lru_cache(maxsize=_CACHE_SIZE)
def _latin_and_han(part: str) -> tuple[str, str]:
    """A name part as (Latin key, Chinese characters): 小明 -> (xiaoming, 小明)."""
    han = "".join(_HAN.findall(part))
    if han:
        return fold_name(pinyin(han)), han
    return fold_name(part), ""


@lru_cache(maxsize=_CACHE_SIZE)
def _given_forms(given: str) -> tuple[str, str, str]:
    """(canonical Latin, folded Latin, Chinese characters) of a given name."""
    latin, han = _latin_and_han(given)
    # Chinese given names are not nicknames of English ones, even when the pinyin looks alike.
    return (latin if has_cjk(given) else canonical_given_name(latin)), latin, han


@lru_cache(maxsize=_CACHE_SIZE)
def _city_key(city: str) -> str:
    return fold_text(city)


@lru_cache(maxsize=1024)
def _country_key(country: str) -> str:
    return fold_text(country).replace(".", "")


def _phone(number: str, region: str, trusted_e164: bool) -> str:
    if trusted_e164 and _E164.fullmatch(number):
        return number
    return normalise_phone(number, region)


def normalise(
    record: PersonRecord, *, region: str, gmail_rules: bool = False, trusted_e164: bool = False
) -> NormalisedPerson:
    """The comparable form of ``record``; phones without a country code are read in ``region``
    (or in the record's country when that is a two-letter ISO code).

    ``trusted_e164`` says that phones already in E.164 form (``+14153821234``) were validated
    when stored (a contact's ``e164``), which skips parsing them again: the result is the same,
    parsing is the slowest part of normalising."""
    given, family = record.given_name, record.family_name
    if not (given.strip() or family.strip()) and record.name.strip():
        given, family = split_full_name(record.name)
    canonical, given_latin, given_han = _given_forms(given)
    family_latin, family_han = _latin_and_han(family)
    country = _country_key(record.country)
    phone_region = country.upper() if len(country) == 2 and country.isalpha() else region
    written = tuple(p for p in record.phones if p.strip())
    phones = frozenset(filter(None, [_phone(p, phone_region, trusted_e164) for p in written]))
    emails = frozenset(
        filter(None, [normalise_email(e, gmail_rules=gmail_rules) for e in record.emails])
    )
    return NormalisedPerson(
        id=record.id,
        given=canonical,
        family=family_latin,
        given_folded=given_latin,
        given_han=given_han,
        family_han=family_han,
        emails=emails,
        phones=phones,
        phones_original=written,
        company=normalise_company(record.company),
        city=_city_key(record.city),
        country=country,
        phone_tails=frozenset(p[-PHONE_TAIL_DIGITS:] for p in phones),
    )
