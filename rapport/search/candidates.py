"""Candidate lookups: each returns at most ``limit`` index rows, cheaply, in no useful order;
ranking and access control come after (rapport.search.query).

The query language is the database's own: an FTS5 MATCH expression over trigrams on SQLite,
``ILIKE``/``%`` backed by pg_trgm GIN indexes and a ``simple`` tsquery on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection

from rapport.search.ddl import ENTRY, ENTRY_FTS, PHONE, TERM, TERM_FTS

TRIGRAM = 3
PG_SIMILARITY_THRESHOLD = 0.2
PREFIX_TERMS = 500


@dataclass(frozen=True)
class Clause:
    """One query word: the record must contain one of ``alternatives`` (each ≥ 3 chars;
    several after typo correction or a pinyin rewrite), and ``contains`` if set (a word too
    short for trigrams, checked on the candidates)."""

    alternatives: tuple[str, ...] = ()
    contains: str = ""


@dataclass(frozen=True)
class Row:
    record_type: str
    record_id: int
    title: str
    subtitle: str
    text: str
    phone: str = ""


_COLUMNS = "e.record_type, e.record_id, e.title, e.subtitle, e.text"


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _types_sql(types: list[str], params: list[Any], alias: str = "e") -> str:
    params.extend(types)
    # On SQLite a unary + keeps the planner off the (record_type, record_id) index: the type is
    # checked on the few candidate rows, never used to scan a whole type.
    plus = "+" if connection.vendor == "sqlite" else ""
    return f"{plus}{alias}.record_type IN (" + ", ".join(["%s"] * len(types)) + ")"


def _rows(sql: str, params: list[Any]) -> list[Row]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return [Row(*row) for row in cur.fetchall()]


def text_rows(clauses: list[Clause], types: list[str], all_types: bool, limit: int) -> list[Row]:
    """Entries containing every clause. Needs at least one clause with alternatives."""
    params: list[Any] = []
    if connection.vendor == "sqlite":
        match = " AND ".join(
            "text : (" + " OR ".join(_fts_string(a) for a in c.alternatives) + ")"
            for c in clauses
            if c.alternatives
        )
        if not all_types:
            # Filtering by type inside FTS keeps "acme" among accounts from walking through
            # every contact of Acme first.
            match += " AND record_type : (" + " OR ".join(_fts_string(t) for t in types) + ")"
        params.append(match)
        where = [f"{ENTRY_FTS} MATCH %s"]
        for c in clauses:
            if c.contains:
                where.append("e.text LIKE %s ESCAPE '\\'")
                params.append(_like(c.contains))
        where.append(_types_sql(types, params))
        sql = (
            f"SELECT {_COLUMNS} FROM {ENTRY_FTS} f JOIN {ENTRY} e ON e.id = f.rowid "
            f"WHERE {' AND '.join(where)} LIMIT %s"
        )
    else:
        where = []
        for c in clauses:
            if c.alternatives:
                where.append("(" + " OR ".join(["e.text ILIKE %s"] * len(c.alternatives)) + ")")
                params.extend(_like(a) for a in c.alternatives)
            if c.contains:
                where.append("e.text ILIKE %s")
                params.append(_like(c.contains))
        where.append(_types_sql(types, params))
        sql = f"SELECT {_COLUMNS} FROM {ENTRY} e WHERE {' AND '.join(where)} LIMIT %s"
    return _rows(sql, [*params, limit])


def prefix_rows(prefix: str, contains: list[str], types: list[str], limit: int) -> list[Row]:
    """Entries whose folded title starts with ``prefix`` (a B-tree range scan) and contains
    each of ``contains``: the best matches for a name typed from its start."""
    params: list[Any] = []
    if connection.vendor == "sqlite":
        where = ["e.key >= %s AND e.key < %s"]
        params += [prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)]
        like = "e.text LIKE %s ESCAPE '\\'"
    else:
        where = ["e.key LIKE %s"]
        params.append(_like(prefix)[1:])
        like = "e.text ILIKE %s"
    for word in contains:
        where.append(like)
        params.append(_like(word))
    where.append(_types_sql(types, params))
    return _rows(
        f"SELECT {_COLUMNS} FROM {ENTRY} e WHERE {' AND '.join(where)} LIMIT %s", [*params, limit]
    )


def phone_rows(digit_variants: list[str], types: list[str], limit: int) -> list[Row]:
    """Entries with a phone whose E.164 digits end with one of ``digit_variants``."""
    rows: list[Row] = []
    for digits in digit_variants:
        params: list[Any] = []
        rev = digits[::-1]
        if connection.vendor == "sqlite":
            cond = "p.digits_rev >= %s AND p.digits_rev < %s"
            params += [rev, rev[:-1] + chr(ord(rev[-1]) + 1)]
        else:
            cond = "p.digits_rev LIKE %s"
            params.append(rev + "%")
        types_sql = _types_sql(types, params, "p")
        rows += _rows(
            f"SELECT {_COLUMNS}, p.digits_rev FROM {PHONE} p JOIN {ENTRY} e "
            f"ON e.record_type = p.record_type AND e.record_id = p.record_id "
            f"WHERE {cond} AND {types_sql} LIMIT %s",
            [*params, limit],
        )
    return rows


def similar_terms(word: str, limit: int) -> list[str]:
    """Vocabulary words that may be ``word`` misspelt: sharing trigrams or the first two
    letters with it (unfiltered; the caller measures the distance)."""
    if connection.vendor == "sqlite":
        padded = f" {word} "
        grams = {padded[i : i + TRIGRAM] for i in range(len(padded) - TRIGRAM + 1)}
        sql = (
            f"SELECT t.term FROM {TERM_FTS} f JOIN {TERM} t ON t.id = f.rowid "
            f"WHERE {TERM_FTS} MATCH %s ORDER BY f.rank LIMIT %s"
        )
        params: list[Any] = [" OR ".join(_fts_string(g) for g in sorted(grams)), limit]
    else:
        sql = (
            f"SELECT t.term FROM {TERM} t WHERE t.term %% %s "
            f"ORDER BY similarity(t.term, %s) DESC LIMIT %s"
        )
        params = [word, word, limit]
    # A swapped letter in a short word leaves few shared trigrams: the words sharing its
    # first two letters are candidates too.
    start = word[:2]
    sql_prefix = (
        f"SELECT t.term FROM {TERM} t WHERE t.term >= %s AND t.term < %s "
        f"AND LENGTH(t.term) BETWEEN %s AND %s LIMIT %s"
    )
    prefix_params: list[Any] = [
        start,
        start[:-1] + chr(ord(start[-1]) + 1),
        len(word) - 2,
        len(word) + 2,
        PREFIX_TERMS,
    ]
    with connection.cursor() as cur:
        cur.execute(sql_prefix, prefix_params)
        terms = [row[0] for row in cur.fetchall()]
        if connection.vendor == "postgresql":
            # The default threshold (0.3) misses one swapped letter in a short word.
            cur.execute("SELECT set_limit(%s)", [PG_SIMILARITY_THRESHOLD])
        cur.execute(sql, params)
        return [*terms, *(row[0] for row in cur.fetchall() if row[0] not in terms)]
