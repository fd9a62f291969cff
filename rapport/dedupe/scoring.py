"""Score a candidate pair in [0, 1] with the reasons behind it.

The model is a logistic regression over a few pieces of evidence, each explainable on its
own: name similarity (Jaro-Winkler of given and family name, the better of the direct and
the swapped reading), and for e-mail, phone, company and city whether both records agree,
disagree or one of them is blank. ``score = 1 / (1 + exp(-(w . features)))``.

The weights in ``WEIGHTS`` were fitted by ``python -m rapport.dedupe.fit`` on the candidate
pairs of ``generate_people(20_000, seed=11)`` and are stored here so that scores do not
depend on a training run; refit and paste when a feature changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rapidfuzz.distance import JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from rapport.dedupe.normalise import NormalisedPerson

FEATURES = (
    "bias",
    "name_similarity",
    "same_email",
    "different_email",
    "same_phone",
    "different_phone",
    "same_company",
    "different_company",
    "same_city",
    "different_city",
    "different_chinese_characters",
    "incomplete_name",
)
WEIGHTS: tuple[float, ...] = (
    -10.68, 12.31, 1.91, -1.98, 2.33, -5.04, 4.00, -3.77, 0.24, -3.56, -1.59, 0.00,
)  # fmt: skip
COMPANY_MATCH = 90.0  # token_set_ratio at or above which two company names are the same
SIMILAR_NAME = 0.8  # below this a name is not named as a reason


@dataclass(frozen=True)
class PairScore:
    """A scored pair: ``score`` in [0, 1] and the evidence, most telling first."""

    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class NameComparison:
    similarity: float
    swapped: bool
    nickname: str  # "bill = william" when the given names matched through the nickname table
    incomplete: bool


def _part_similarity(a: str, b: str) -> float:
    if len(a) == 1 or len(b) == 1:  # an initial: "J." matches John, nothing else
        return 0.9 if a[0] == b[0] else 0.0
    return JaroWinkler.normalized_similarity(a, b)


def _reading_similarity(given_a: str, family_a: str, given_b: str, family_b: str) -> float:
    parts = [(given_a, given_b), (family_a, family_b)]
    known = [_part_similarity(x, y) for x, y in parts if x and y]
    return sum(known) / len(known) if known else 0.0


def compare_names(a: NormalisedPerson, b: NormalisedPerson) -> NameComparison:
    """Name similarity in [0, 1], read directly and with given/family swapped."""
    direct = _reading_similarity(a.given, a.family, b.given, b.family)
    swapped = _reading_similarity(a.given, a.family, b.family, b.given)
    is_swapped = swapped > direct and a.given != a.family
    nickname = ""
    if not is_swapped and a.given == b.given and a.given_folded != b.given_folded:
        nickname = f"{a.given_folded} = {b.given_folded}"
    incomplete = not (a.given and a.family and b.given and b.family)
    return NameComparison(max(direct, swapped), is_swapped, nickname, incomplete)


def _agreement(a: frozenset[str], b: frozenset[str]) -> int:
    """1 if the sets share a value, -1 if both are filled and share none, 0 if one is empty."""
    if not a or not b:
        return 0
    return 1 if a & b else -1


def _text_agreement(a: str, b: str) -> int:
    if not a or not b:
        return 0
    return 1 if a == b or token_set_ratio(a, b) >= COMPANY_MATCH else -1


def _phone_agreement(a: NormalisedPerson, b: NormalisedPerson) -> int:
    exact = _agreement(a.phones, b.phones)
    if exact == -1 and a.phone_tails & b.phone_tails:
        return 1  # same subscriber number read with a different country code
    return exact


def pair_features(
    a: NormalisedPerson, b: NormalisedPerson
) -> tuple[list[float], NameComparison, dict[str, int]]:
    """The feature vector (in ``FEATURES`` order), the name comparison and the agreements."""
    names = compare_names(a, b)
    agree = {
        "email": _agreement(a.emails, b.emails),
        "phone": _phone_agreement(a, b),
        "company": _text_agreement(a.company, b.company),
        "city": _text_agreement(a.city, b.city),
    }
    han_a, han_b = a.family_han + a.given_han, b.family_han + b.given_han
    han_differs = bool(han_a and han_b and han_a != han_b)
    features = [1.0, names.similarity]
    for field in ("email", "phone", "company", "city"):
        features += [float(agree[field] == 1), float(agree[field] == -1)]
    features += [float(han_differs), float(names.incomplete)]
    return features, names, agree


def _reasons(
    a: NormalisedPerson, b: NormalisedPerson, names: NameComparison, agree: dict[str, int]
) -> list[str]:
    reasons = [f"same {field}" for field in ("email", "phone") if agree[field] == 1]
    han_a, han_b = a.family_han + a.given_han, b.family_han + b.given_han
    if names.similarity >= 0.999:
        if han_a and han_b and han_a != han_b:
            reasons.append("same name in pinyin, different characters")
        elif bool(han_a) != bool(han_b):
            reasons.append("same name (Chinese characters and pinyin)")
        else:
            reasons.append("same name")
    elif names.similarity >= SIMILAR_NAME:
        reasons.append(f"similar name ({names.similarity:.2f})")
    if names.swapped:
        reasons.append("swapped given/family names")
    if names.nickname:
        reasons.append(f"nickname ({names.nickname})")
    reasons += [f"same {field}" for field in ("company", "city") if agree[field] == 1]
    reasons += [
        f"different {field}" for field in ("email", "phone", "company") if agree[field] == -1
    ]
    return reasons


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def score_ceiling(
    email: int | None, phone: int | None, company: int | None, city: int | None
) -> float:
    """The highest score a pair can reach given some of its agreements (1 agree, -1 disagree,
    0 one side blank, None not known yet), whatever its names are.

    Matching compares these cheap facts first and scores a pair fully only when its ceiling
    reaches the threshold, so a ceiling below the threshold must never hide a match: unknown
    evidence counts at its best, the name as identical."""
    weight = dict(zip(FEATURES, WEIGHTS, strict=True))
    z = weight["bias"] + max(0.0, weight["name_similarity"])
    z += max(0.0, weight["different_chinese_characters"]) + max(0.0, weight["incomplete_name"])
    for field, agreement in (
        ("email", email),
        ("phone", phone),
        ("company", company),
        ("city", city),
    ):
        same, different = weight[f"same_{field}"], weight[f"different_{field}"]
        if agreement is None:
            z += max(0.0, same, different)
        elif agreement:
            z += same if agreement == 1 else different
    return _sigmoid(z)


def score_pair(a: NormalisedPerson, b: NormalisedPerson) -> PairScore:
    """The probability-like score of ``a`` and ``b`` being one person, with reasons."""
    features, names, agree = pair_features(a, b)
    z = sum(w * f for w, f in zip(WEIGHTS, features, strict=True))
    score = _sigmoid(z)
    return PairScore(score, tuple(_reasons(a, b, names, agree)))
