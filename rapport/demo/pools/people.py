"""Person-name pools per naming culture, each name with an ASCII form for e-mail addresses."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from faker.providers.person.de_DE import Provider as GermanNames
from faker.providers.person.en_GB import Provider as BritishNames
from faker.providers.person.en_US import Provider as AmericanNames
from faker.providers.person.fr_FR import Provider as FrenchNames
from faker.providers.person.zh_CN import Provider as ChineseNames
from pypinyin import lazy_pinyin

# One pool entry: the name as written and a lower-case ASCII form ("müller" -> "mueller").
Name = tuple[str, str]

_EXPANDED = 4096  # weighted lists are expanded to this many entries, so sampling is an index
_GERMAN_ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters only: ``Jean-Luc`` -> ``jeanluc``, ``Müller`` -> ``mueller``."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_GERMAN_ASCII))
    return "".join(c for c in folded if c.isascii() and c.isalpha())


def _weighted(
    names: Sequence[str] | Mapping[str, float], slug: dict[str, str] | None = None
) -> tuple[Name, ...]:
    """Expand a (possibly weighted) name list into a pool where frequent names repeat."""
    keys = list(names)
    weights = list(names.values()) if isinstance(names, Mapping) else [1.0] * len(keys)
    picked = random.Random(0).choices(keys, weights, k=_EXPANDED)
    return tuple((n, (slug or {}).get(n) or ascii_slug(n)) for n in picked)


@dataclass(frozen=True)
class NamePool:
    """Given and family names of one naming culture; ``cjk`` names are written family-first."""

    male: tuple[Name, ...]
    female: tuple[Name, ...]
    family: tuple[Name, ...]
    cjk: bool = False


def _pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text))


def _chinese_given(chars: Sequence[str], rng: random.Random) -> tuple[Name, ...]:
    """Given names of one or two characters (明, 小明) built from Faker's character lists."""
    singles = [c for c in chars if len(c) == 1]
    names: list[str] = []
    for _ in range(_EXPANDED):
        roll = rng.random()
        if roll < 0.35:
            names.append(rng.choice(chars))
        else:
            names.append(rng.choice(singles) + rng.choice(singles))
    return tuple((n, _pinyin(n)) for n in names)


@cache
def name_pools() -> dict[str, NamePool]:
    """Pools keyed by naming culture: ``en_US``, ``en_GB``, ``de_DE``, ``fr_FR``, ``zh_CN``."""
    rng = random.Random(0)
    families: Mapping[str, float] = ChineseNames.last_names
    return {
        "en_US": NamePool(
            _weighted(AmericanNames.first_names_male),
            _weighted(AmericanNames.first_names_female),
            _weighted(AmericanNames.last_names),
        ),
        "en_GB": NamePool(
            _weighted(BritishNames.first_names_male),
            _weighted(BritishNames.first_names_female),
            _weighted(BritishNames.last_names),
        ),
        "de_DE": NamePool(
            _weighted(GermanNames.first_names_male),
            _weighted(GermanNames.first_names_female),
            _weighted(GermanNames.last_names),
        ),
        "fr_FR": NamePool(
            _weighted(FrenchNames.first_names_male),
            _weighted(FrenchNames.first_names_female),
            _weighted(FrenchNames.last_names),
        ),
        "zh_CN": NamePool(
            _chinese_given(ChineseNames.first_names_male, rng),
            _chinese_given(ChineseNames.first_names_female, rng),
            _weighted(families, slug={k: _pinyin(k) for k in families}),
            cjk=True,
        ),
    }
