"""Generated people with known duplicates, for evaluating the matcher.

``generate_people(n, seed)`` makes ``n`` distinct people from the demo's name, place and
company pools (English, German, French and Chinese names), then adds duplicates of a share of
them with the mistakes real CRM data has: typos, swapped given/family names, nicknames,
reformatted phones, upper-case e-mail, blank fields, a Chinese name written in pinyin, a new
work address. It also adds a few hard non-duplicates: relatives sharing a family name, phone
and city. The same seed gives the same records.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, replace

import phonenumbers

from rapport.dedupe.nicknames import _CANONICAL_TO_NICKNAMES, NICKNAMES
from rapport.dedupe.normalise import PersonRecord, pinyin
from rapport.demo.pools.companies import company
from rapport.demo.pools.people import name_pools
from rapport.demo.pools.places import Country, country_pool

DUPLICATE_SHARE = 0.25  # share of people that get at least one duplicate
HOUSEHOLD_SHARE = 0.02  # share of people that get a relative (a hard non-duplicate)


@dataclass(frozen=True)
class GeneratedSet:
    """Records in a shuffled order and the ground truth: pairs of ids of the same person."""

    records: list[PersonRecord]
    true_pairs: set[tuple[str, str]]


def _person(r: random.Random, country: Country, pid: int) -> tuple[PersonRecord, str]:
    """One person; also returns their company's domain ("" if none)."""
    pool = name_pools()[country.names]
    given, given_ascii = r.choice(pool.male if r.random() < 0.5 else pool.female)
    family, family_ascii = r.choice(pool.family)
    city = r.choice(country.cities)
    formatted, e164 = country.mobile(r.random, city)
    domain = ""
    company_name = ""
    if r.random() < 0.75:
        firm = company(r.random, country, city.name)
        company_name, domain = firm.name, firm.domain
    style = r.random()
    if style < 0.5:
        local = f"{given_ascii}.{family_ascii}"
    elif style < 0.75:
        local = f"{given_ascii[:1]}{family_ascii}"
    else:
        local = f"{given_ascii}{family_ascii}{r.randint(1, 999)}"
    mail_domain = domain if domain and r.random() < 0.7 else r.choice(country.free_mail)
    record = PersonRecord(
        id=str(pid),
        given_name=given,
        family_name=family,
        emails=(f"{local}@{mail_domain}",),
        phones=(formatted if r.random() < 0.8 else e164,),
        company=company_name,
        city=city.name,
        country=country.code,
    )
    return record, domain


def _typo(r: random.Random, text: str) -> str:
    if len(text) < 3 or not text.isascii():
        return text
    pos = r.randrange(1, len(text))
    op = r.random()
    letter = r.choice(string.ascii_lowercase)
    if op < 0.3:
        return text[:pos] + text[pos + 1 :]
    if op < 0.55:
        return text[:pos] + letter + text[pos:]
    if op < 0.8:
        return text[:pos] + letter + text[pos + 1 :]
    if pos < len(text) - 1:
        return text[:pos] + text[pos + 1] + text[pos] + text[pos + 2 :]
    return text + letter


def _reformat_phone(r: random.Random, number: str, country: str) -> str:
    parsed = phonenumbers.parse(number, country)
    style = r.choice(
        (
            phonenumbers.PhoneNumberFormat.NATIONAL,
            phonenumbers.PhoneNumberFormat.E164,
            phonenumbers.PhoneNumberFormat.INTERNATIONAL,
        )
    )
    text = phonenumbers.format_number(parsed, style)
    return text.replace(" ", "-") if r.random() < 0.3 else text


def _nickname(given: str) -> str:
    folded = given.lower()
    if folded in NICKNAMES:
        return NICKNAMES[folded].capitalize()
    nicks = _CANONICAL_TO_NICKNAMES.get(folded)
    return nicks[len(given) % len(nicks)].capitalize() if nicks else given


def _mutate(r: random.Random, rec: PersonRecord, pid: int, domain: str) -> PersonRecord:
    """A duplicate of ``rec`` with one to three mistakes."""
    dup = replace(rec, id=str(pid))
    is_chinese = bool(rec.family_name) and not rec.family_name.isascii()
    kinds = [
        "typo", "swap", "phone", "nickname", "drop", "email_case", "new_email", "pinyin",
    ]  # fmt: skip
    dropped = False
    for kind in r.sample(kinds, r.choice((1, 1, 2, 2, 3))):
        if kind == "typo" and not is_chinese:
            if r.random() < 0.5:
                dup = replace(dup, given_name=_typo(r, dup.given_name))
            else:
                dup = replace(dup, family_name=_typo(r, dup.family_name))
        elif kind == "swap":
            dup = replace(dup, given_name=dup.family_name, family_name=dup.given_name)
        elif kind == "phone" and dup.phones:
            dup = replace(dup, phones=(_reformat_phone(r, dup.phones[0], rec.country),))
        elif kind == "nickname":
            dup = replace(dup, given_name=_nickname(dup.given_name))
        elif kind == "drop" and not dropped:
            dropped = True
            which = r.choice(("emails", "phones", "company", "city"))
            if which == "emails":
                dup = replace(dup, emails=())
            elif which == "phones":
                dup = replace(dup, phones=())
            elif which == "company":
                dup = replace(dup, company="")
            else:
                dup = replace(dup, city="")
        elif kind == "email_case" and dup.emails:
            dup = replace(dup, emails=(f"  {dup.emails[0].title()} ",))
        elif kind == "new_email" and dup.emails and dup.phones:
            local = dup.emails[0].partition("@")[0]
            dup = replace(dup, emails=(f"{local}@{domain or 'example.org'}.example",))
        elif kind == "pinyin" and is_chinese:
            given, family = pinyin(dup.given_name).capitalize(), pinyin(dup.family_name)
            dup = replace(dup, given_name=given, family_name=family.capitalize())
    return dup


def _relative(r: random.Random, rec: PersonRecord, pid: int, country: Country) -> PersonRecord:
    """Another person of the same family, phone (a landline) and city: not a duplicate."""
    other, _ = _person(r, country, pid)
    return replace(other, family_name=rec.family_name, phones=rec.phones, city=rec.city)


def generate_people(n: int, *, seed: int = 0) -> GeneratedSet:
    """``n`` distinct people plus their duplicates and relatives, in a shuffled order."""
    r = random.Random(seed)
    countries = country_pool()
    records: list[PersonRecord] = []
    entity_of: dict[str, int] = {}
    next_id = 1
    for entity in range(n):
        country = r.choice(countries)
        rec, domain = _person(r, country, next_id)
        group = [rec]
        next_id += 1
        if r.random() < DUPLICATE_SHARE:
            for _ in range(1 if r.random() < 0.85 else 2):
                group.append(_mutate(r, rec, next_id, domain))
                next_id += 1
        for member in group:
            entity_of[member.id] = entity
        records += group
        if r.random() < HOUSEHOLD_SHARE:
            records.append(_relative(r, rec, next_id, country))
            entity_of[str(next_id)] = n + entity
            next_id += 1
    r.shuffle(records)
    by_entity: dict[int, list[str]] = {}
    for rec in records:
        by_entity.setdefault(entity_of[rec.id], []).append(rec.id)
    true_pairs: set[tuple[str, str]] = set()
    for ids in by_entity.values():
        ordered = sorted(ids, key=int)
        true_pairs.update((a, b) for pos, a in enumerate(ordered) for b in ordered[pos + 1 :])
    return GeneratedSet(records, true_pairs)
