"""Normalisation shared by indexing and querying: folding, pinyin, phone digits, words.

pypinyin, phonenumbers and rapidfuzz do the language work; what is written here only decides
which forms go into the index so that the same forms come out of a query.
"""

from __future__ import annotations

import re

import phonenumbers
from django.conf import settings
from pypinyin import lazy_pinyin

HAN_CLASS = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_HAN_RUN = re.compile(HAN_CLASS + "+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_PHONE_QUERY = re.compile(r"^\+?[\d\s().\-/]+$")
_WORD_CHARS = re.compile(r"[^\w@.\-+']+")
MIN_PHONE_DIGITS = 4
MAX_WORDS = 8


def fold(text: str) -> str:
    """Case-folded, single-spaced: the form titles are compared in."""
    return " ".join(text.casefold().split())


def is_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def has_han(text: str) -> bool:
    return bool(_HAN_RUN.search(text))


def pinyin_forms(text: str) -> list[str]:
    """Toneless pinyin of each run of Chinese characters, joined without spaces, read both as
    a phrase and character by character (they differ for polyphonic characters): 王小明 ->
    ["wangxiaoming"]. A substring of these is what a pinyin or short Chinese query matches."""
    forms: list[str] = []
    for run in _HAN_RUN.findall(text):
        for form in ("".join(lazy_pinyin(run)), "".join(lazy_pinyin(c)[0] for c in run)):
            if form not in forms:
                forms.append(form)
    return forms


def query_words(query: str) -> list[str]:
    """The distinct words of a query, folded, at most ``MAX_WORDS``."""
    words: list[str] = []
    for word in _WORD_CHARS.sub(" ", fold(query)).split():
        word = word.strip(".-'")
        if word and word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def phone_query_digits(query: str) -> list[str]:
    """Digit strings to look a phone-like query up by (as E.164 digits or their suffix):
    the digits as typed and, when the number parses in the default region, its E.164 digits
    ("(202) 555 0143" -> ["2025550143", "12025550143"]). Empty if the query is no phone."""
    text = query.strip()
    if not _PHONE_QUERY.match(text):
        return []
    digits = re.sub(r"\D", "", text)
    if len(digits) < MIN_PHONE_DIGITS:
        return []
    variants = [digits]
    try:
        parsed = phonenumbers.parse(text, settings.RAPPORT_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return variants
    if phonenumbers.is_possible_number(parsed):
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)[1:]
        if e164 not in variants:
            variants.append(e164)
    return variants


def title_words(title: str) -> list[str]:
    """Words of a title worth correcting typos towards (letters only, 3 to 100 chars)."""
    return [w for w in query_words(title) if 3 <= len(w) <= 100 and w.isalpha() and not is_cjk(w)]
