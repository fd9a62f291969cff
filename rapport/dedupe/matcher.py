"""Find duplicate people in a list of records: normalise, block, score, keep the likely ones."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from rapport.dedupe.blocking import BlockingStats, candidate_pairs
from rapport.dedupe.normalise import NormalisedPerson, PersonRecord, normalise
from rapport.dedupe.scoring import score_pair

# Best F1 on the generated evaluation set (see docs/benchmarks.md, "Duplicate detection").
DEFAULT_THRESHOLD = 0.65


@dataclass(frozen=True)
class DuplicatePair:
    """Two records that are probably one person; ``left_id`` sorts before ``right_id``."""

    left_id: str
    right_id: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class MatchResult:
    pairs: list[DuplicatePair]
    blocking: BlockingStats
    seconds: float


def id_sort_key(record_id: str) -> tuple[int, int, str]:
    """Numeric ids in numeric order (2 < 10), then the others as text."""
    stripped = record_id.strip()
    if stripped.isdigit():
        return (0, int(stripped), "")
    return (1, 0, record_id)


def score_candidates(
    people: Sequence[NormalisedPerson],
) -> tuple[list[DuplicatePair], BlockingStats]:
    """Every candidate pair from blocking with its score, ids in ``id_sort_key`` order."""
    index_pairs, stats = candidate_pairs(people)
    scored: list[DuplicatePair] = []
    for i, j in index_pairs:
        a, b = people[i], people[j]
        if id_sort_key(b.id) < id_sort_key(a.id):
            a, b = b, a
        result = score_pair(a, b)
        scored.append(DuplicatePair(a.id, b.id, result.score, result.reasons))
    return scored, stats


def find_duplicates(
    records: Sequence[PersonRecord],
    *,
    region: str,
    threshold: float = DEFAULT_THRESHOLD,
    gmail_rules: bool = False,
) -> MatchResult:
    """Pairs of ``records`` scoring at least ``threshold``, best first. Phones without a
    country code are read in ``region`` (an ISO code such as ``US``)."""
    started = time.perf_counter()
    people = [normalise(r, region=region, gmail_rules=gmail_rules) for r in records]
    scored, stats = score_candidates(people)
    pairs = [p for p in scored if p.score >= threshold]
    pairs.sort(key=lambda p: (-p.score, id_sort_key(p.left_id), id_sort_key(p.right_id)))
    return MatchResult(pairs, stats, time.perf_counter() - started)
