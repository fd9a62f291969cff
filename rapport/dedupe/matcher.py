"""Find duplicate people in a list of records: normalise, block, score, keep the likely ones.

Large lists are scored by several processes: the people and their blocks are built once,
then worker processes forked from this one (sharing them copy-on-write) each score a range
of people against their candidates and send back only the pairs at or above the threshold.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from rapport.dedupe.blocking import BlockingStats, Blocks
from rapport.dedupe.normalise import NormalisedPerson, PersonRecord, normalise
from rapport.dedupe.scoring import score_ceiling, score_pair

# Best F1 on the generated evaluation set (see docs/benchmarks.md, "Duplicate detection").
DEFAULT_THRESHOLD = 0.65
# Below this many people one process is faster than starting workers.
PARALLEL_MIN_PEOPLE = 50_000
RANGES_PER_WORKER = 16  # smaller ranges balance the work when some people have big blocks
_FLOAT_MARGIN = 1e-9  # a ceiling is summed in another order than the score


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


def default_workers() -> int:
    """Worker processes for a large match: one per CPU this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside: matching allocates millions of objects without
    cycles, and every collection would walk all of them again (it doubled the time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _possible_table(threshold: float) -> dict[tuple[int, int, int, int], bool]:
    """Whether a pair with these (email, phone, company, city) states can reach
    ``threshold``; company and city state 2 means "both filled, not equal" (not known yet)."""
    table = {}
    for email in (0, 1, -1):
        for phone in (0, 1, -1):
            for company in (0, 1, 2):
                for city in (0, 1, 2):
                    ceiling = score_ceiling(
                        email, phone, None if company == 2 else company, None if city == 2 else city
                    )
                    table[email, phone, company, city] = ceiling >= threshold - _FLOAT_MARGIN
    return table


class _Job:
    """What scoring a range of people needs, built once (before forking workers)."""

    def __init__(
        self, people: Sequence[NormalisedPerson], threshold: float, blocks: Blocks | None
    ) -> None:
        self.people = people
        self.blocks = blocks if blocks is not None else Blocks(people)
        self.threshold = threshold
        self.possible = _possible_table(threshold)
        self.strangers_possible = any(
            self.possible[-1, -1, c, y] for c in (0, 1, 2) for y in (0, 1, 2)
        )
        self.no_email = frozenset(i for i, p in enumerate(people) if not p.emails)
        self.no_phone = frozenset(i for i, p in enumerate(people) if not p.phone_tails)


def _score_range(job: _Job, start: int, stop: int) -> tuple[list[DuplicatePair], int]:
    """The pairs at or above ``threshold`` of people ``start``..``stop`` with the candidates
    after them, and twice the number of candidate pairs (each pair is counted from both ends).

    E-mail, phone, company and city are compared first; only a pair whose best possible score
    (``score_ceiling``) reaches the threshold has its names compared and is scored. When two
    people who both have e-mail and phone but share neither cannot reach the threshold (true
    at the default one), those candidates are dropped with set operations before any loop."""
    people, blocks, threshold, possible = job.people, job.blocks, job.threshold, job.possible
    strangers_possible, no_email, no_phone = job.strangers_possible, job.no_email, job.no_phone
    found: list[DuplicatePair] = []
    candidates = 0
    for i in range(start, stop):
        a = people[i]
        everyone, contacts = blocks.neighbourhood(i)
        candidates += len(everyone) - (i in everyone)
        emails, tails, company, city = a.emails, a.phone_tails, a.company, a.city
        if emails and tails and not strangers_possible:
            everyone = contacts | (everyone & no_email) | (everyone & no_phone)
        for j in everyone:
            if j <= i:
                continue
            b = people[j]
            other = b.emails
            email = 0 if not (emails and other) else (-1 if emails.isdisjoint(other) else 1)
            other = b.phone_tails
            phone = 0 if not (tails and other) else (-1 if tails.isdisjoint(other) else 1)
            text = b.company
            same_company = 0 if not (company and text) else (1 if company == text else 2)
            text = b.city
            same_city = 0 if not (city and text) else (1 if city == text else 2)
            if not possible[email, phone, same_company, same_city]:
                continue
            left, right = (b, a) if id_sort_key(b.id) < id_sort_key(a.id) else (a, b)
            result = score_pair(left, right)
            if result.score >= threshold:
                found.append(DuplicatePair(left.id, right.id, result.score, result.reasons))
    return found, candidates


# What forked workers read: set just before a pool starts, inherited copy-on-write.
_SHARED: _Job | None = None
_SHARED_RECORDS: tuple[Sequence[PersonRecord], str, bool] | None = None


def _score_shared_range(bounds: tuple[int, int]) -> tuple[list[DuplicatePair], int]:
    assert _SHARED is not None, "workers are forked after the job is set"
    with paused_gc():
        return _score_range(_SHARED, *bounds)


def _normalise_shared_range(bounds: tuple[int, int]) -> list[NormalisedPerson]:
    assert _SHARED_RECORDS is not None, "workers are forked after the records are set"
    records, region, gmail_rules = _SHARED_RECORDS
    with paused_gc():
        return [
            normalise(r, region=region, gmail_rules=gmail_rules)
            for r in records[bounds[0] : bounds[1]]
        ]


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _ranges(n: int, workers: int) -> list[tuple[int, int]]:
    step = max(1, -(-n // (workers * RANGES_PER_WORKER)))
    return [(start, min(start + step, n)) for start in range(0, n, step)]


def worker_count(workers: int | None, n: int) -> int:
    """How many processes match ``n`` people when asked for ``workers`` (None: one per CPU):
    1 unless it pays to fork."""
    count = workers if workers is not None else default_workers()
    return count if count > 1 and n >= PARALLEL_MIN_PEOPLE and _can_fork() else 1


def normalise_all(
    records: Sequence[PersonRecord],
    *,
    region: str,
    gmail_rules: bool = False,
    workers: int | None = None,
) -> list[NormalisedPerson]:
    """``normalise`` of every record, in order; in forked workers for a large list (parsing
    phone numbers is the slow part)."""
    global _SHARED_RECORDS
    count = worker_count(workers, len(records))
    with paused_gc():
        if count == 1:
            return [normalise(r, region=region, gmail_rules=gmail_rules) for r in records]
        _SHARED_RECORDS = (records, region, gmail_rules)
        try:
            with multiprocessing.get_context("fork").Pool(count) as pool:
                parts = pool.map(_normalise_shared_range, _ranges(len(records), count), chunksize=1)
        finally:
            _SHARED_RECORDS = None
        return [person for part in parts for person in part]


def match_people(
    people: Sequence[NormalisedPerson],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    workers: int | None = None,
    blocks: Blocks | None = None,
) -> tuple[list[DuplicatePair], BlockingStats]:
    """Pairs of ``people`` scoring at least ``threshold`` (ids in ``id_sort_key`` order, in no
    particular order of pairs) and the blocking figures; ``blocks`` if already built.

    With more than one worker (default: one per CPU) and at least ``PARALLEL_MIN_PEOPLE``
    people, the scoring runs in forked processes. Close database connections before calling
    with workers if the children could otherwise share them."""
    global _SHARED
    n = len(people)
    count = worker_count(workers, n)
    with paused_gc():
        job = _Job(people, threshold, blocks)
        if count == 1:
            found, twice = _score_range(job, 0, n)
            return found, job.blocks.stats(twice // 2)
        _SHARED = job
        try:
            with multiprocessing.get_context("fork").Pool(count) as pool:
                results = pool.map(_score_shared_range, _ranges(n, count), chunksize=1)
        finally:
            _SHARED = None
    found = [pair for pairs, _ in results for pair in pairs]
    return found, job.blocks.stats(sum(c for _, c in results) // 2)


def score_candidates(
    people: Sequence[NormalisedPerson],
    *,
    floor: float = 0.0,
    workers: int | None = 1,
    blocks: Blocks | None = None,
) -> tuple[list[DuplicatePair], BlockingStats]:
    """Every candidate pair from blocking scoring at least ``floor`` (all of them at 0), with
    its score; ids in ``id_sort_key`` order."""
    return match_people(people, threshold=floor, workers=workers, blocks=blocks)


def find_duplicates(
    records: Sequence[PersonRecord],
    *,
    region: str,
    threshold: float = DEFAULT_THRESHOLD,
    gmail_rules: bool = False,
    workers: int | None = None,
) -> MatchResult:
    """Pairs of ``records`` scoring at least ``threshold``, best first. Phones without a
    country code are read in ``region`` (an ISO code such as ``US``)."""
    started = time.perf_counter()
    people = normalise_all(records, region=region, gmail_rules=gmail_rules, workers=workers)
    pairs, stats = match_people(people, threshold=threshold, workers=workers)
    pairs.sort(key=lambda p: (-p.score, id_sort_key(p.left_id), id_sort_key(p.right_id)))
    return MatchResult(pairs, stats, time.perf_counter() - started)
