"""Search: turn a query into candidate index rows, keep those the user may see, rank them.

Candidates come from three cheap lookups, each capped at ``CANDIDATES`` rows: title prefix
(B-tree), substring per word (trigram index) and phone suffix (B-tree on reversed digits).
Only when they find nothing does a typo pass rewrite each word to its nearest vocabulary
words. Access control is applied to the candidates through the caller's ``visible``
function, which must read through ``Model.objects.restrict``; rapidfuzz scores the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from rapport.search.candidates import (
    TRIGRAM,
    Clause,
    Row,
    phone_rows,
    prefix_rows,
    similar_terms,
    text_rows,
)
from rapport.search.documents import documents
from rapport.search.text import fold, is_cjk, phone_query_digits, pinyin_forms, query_words

CANDIDATES = 300
WIDE_CANDIDATES = 1000
# A second, wider lookup when access control left fewer than this (a page of a list).
WIDE_BELOW = 50
SIMILAR_TERMS = 30
TYPO_MIN_RATIO = 70.0
NEAREST_TERMS = 5

# (record type, record ids) -> the ids among them the user may see.
Visible = Callable[[str, list[int]], set[int]]


@dataclass(frozen=True)
class SearchHit:
    record_type: str
    record_id: int
    title: str
    subtitle: str
    score: float


def indexed_types() -> list[str]:
    return list(documents())


def _clause(word: str) -> Clause:
    if is_cjk(word) and len(word) < TRIGRAM:
        # Too short for trigrams: find it by its pinyin, then by the characters themselves.
        forms = [f for f in pinyin_forms(word) if len(f) >= TRIGRAM]
        return Clause(tuple(forms), word)
    if len(word) < TRIGRAM:
        return Clause((), word)
    return Clause((word,))


def _typo_clause(clause: Clause) -> Clause:
    word = clause.alternatives[0] if len(clause.alternatives) == 1 else ""
    if not word.isalpha() or is_cjk(word):
        return clause
    scored = sorted(
        ((fuzz.ratio(word, t), t) for t in similar_terms(word, SIMILAR_TERMS) if t != word),
        reverse=True,
    )
    near = [t for ratio, t in scored[:NEAREST_TERMS] if ratio >= TYPO_MIN_RATIO]
    return Clause((word, *near), clause.contains)


def _score(query: str, phone_digits: int, row: Row) -> float:
    if row.phone:
        # The whole number (give or take a country code) beats a suffix.
        return 100.0 if phone_digits >= len(row.phone) - 3 else 90.0
    title = fold(row.title)
    if title == query:
        return 100.0
    if title.startswith(query):
        return 95.0
    if any(w.startswith(query) for w in title.split()):
        return 92.0
    best = max(fuzz.WRatio(query, title), 0.9 * fuzz.partial_ratio(query, fold(row.text)))
    return round(0.9 * best, 1)


def _lookup(
    query: str,
    words: list[str],
    clauses: list[Clause],
    types: list[str],
    all_types: bool,
    limit: int,
) -> tuple[list[Row], bool]:
    """Candidate rows, and whether any lookup hit ``limit`` (more may match)."""
    found: list[list[Row]] = []
    digits = phone_query_digits(query)
    if digits:
        found.append(phone_rows(digits, types, limit))
    found.append(prefix_rows(" ".join(words), [], types, limit))
    if any(c.alternatives for c in clauses):
        found.append(text_rows(clauses, types, all_types, limit))
    elif len(words) > 1:
        found.append(prefix_rows(words[0], [c.contains for c in clauses[1:]], types, limit))
    return [r for rows in found for r in rows], any(len(rows) >= limit for rows in found)


def _visible_rows(rows: Iterable[Row], visible: Visible, seen: dict[tuple[str, int], Row]) -> None:
    by_type: dict[str, dict[int, Row]] = {}
    for row in rows:
        key = (row.record_type, row.record_id)
        if key not in seen or (row.phone and not seen[key].phone):
            by_type.setdefault(row.record_type, {})[row.record_id] = row
    for record_type, candidates in by_type.items():
        for pk in visible(record_type, list(candidates)):
            seen[(record_type, pk)] = candidates[pk]


def search(query: str, *, types: list[str], visible: Visible, limit: int) -> list[SearchHit]:
    """The records of ``types`` matching ``query`` that ``visible`` lets through, best first,
    at most ``limit``."""
    types = [t for t in types if t in documents()]
    words = query_words(query)
    if not types or not words:
        return []
    all_types = len(types) == len(documents())
    clauses = [_clause(w) for w in words]
    found: dict[tuple[str, int], Row] = {}
    if not phone_query_digits(query):
        # Title-prefix matches outrank every other kind of match: when enough of them are
        # visible, the slower lookups could only add rows that would be cut off.
        rows = prefix_rows(" ".join(words), [], types, CANDIDATES)
        _visible_rows(rows, visible, found)
        if len(found) >= limit:
            return _ranked(found, words, query, limit)
    rows, capped = _lookup(query, words, clauses, types, all_types, CANDIDATES)
    _visible_rows(rows, visible, found)
    if len(found) < min(limit, WIDE_BELOW) and capped:
        # Capped before access control: the user may see few of the first candidates.
        rows, _capped = _lookup(query, words, clauses, types, all_types, WIDE_CANDIDATES)
        _visible_rows(rows, visible, found)
    if not rows:
        # No record contains the words as typed: try the nearest vocabulary words.
        typo = [_typo_clause(c) if c.alternatives else c for c in clauses]
        if typo != clauses:
            _visible_rows(text_rows(typo, types, all_types, CANDIDATES), visible, found)
    return _ranked(found, words, query, limit)


def _ranked(
    found: dict[tuple[str, int], Row], words: list[str], query: str, limit: int
) -> list[SearchHit]:
    folded = " ".join(words)
    digits = max((len(d) for d in phone_query_digits(query)), default=0)
    hits = [
        SearchHit(r.record_type, r.record_id, r.title, r.subtitle, _score(folded, digits, r))
        for r in found.values()
    ]
    hits.sort(key=lambda h: (-h.score, len(h.title), h.title, h.record_id))
    return hits[:limit]
