"""Writes to the search index: one record inside its write transaction, or every record of
one or all record types in bulk (``INSERT ... SELECT``, no rows through Python).

Pinyin cannot be computed in SQL: SQLite gets it, with case folding and string reversal, as
Python functions registered on the connection; on PostgreSQL a second pass adds it to the few
entries whose title has Chinese characters.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

from rapport.search.ddl import ENTRY, ENTRY_DELETE_TRIGGER, ENTRY_FTS, PHONE
from rapport.search.documents import Document, documents
from rapport.search.models import SearchTerm
from rapport.search.text import HAN_CLASS, fold, has_han, pinyin_forms, title_words

DEFAULT_BATCH_SIZE = 200_000
FTS_BULK_HASHSIZE = 64 * 1024 * 1024
FTS_DEFAULT_HASHSIZE = 1024 * 1024
FTS_DEFAULT_AUTOMERGE = 4
# Ids per statement of a bulk index: well under the bound-parameter limits of both databases.
_IDS_PER_STATEMENT = 2000


def sqlite_functions(sender: Any, connection: Any, **_kw: Any) -> None:
    """``connection_created`` receiver: the SQL functions bulk indexing uses on SQLite."""
    if connection.vendor != "sqlite":
        return
    raw: Any = connection.connection
    raw.create_function("rapport_fold", 1, lambda s: fold(s) if s else "", deterministic=True)
    raw.create_function("rapport_reverse", 1, lambda s: s[::-1] if s else "", deterministic=True)
    raw.create_function("rapport_pinyin", 1, _pinyin_suffix, deterministic=True)


def _pinyin_suffix(title: str | None) -> str:
    forms = pinyin_forms(title) if title and has_han(title) else []
    return " " + " ".join(forms) if forms else ""


def _vendor() -> dict[str, str]:
    if connection.vendor == "sqlite":
        return {
            "agg": "group_concat",
            "fold": "rapport_fold",
            "reverse": "rapport_reverse",
            "pinyin": "rapport_pinyin(d.title)",
        }
    return {"agg": "string_agg", "fold": "lower", "reverse": "reverse", "pinyin": "''"}


def _write(doc: Document, where: str, params: list[Any], *, replace: bool) -> int:
    """(Re)index the records of ``doc`` matching ``where`` (over alias ``r``)."""
    v = _vendor()
    ids_sql = f"SELECT r.id FROM {doc.table} r WHERE {where}"
    with connection.cursor() as cur:
        if replace:
            for table in (ENTRY, PHONE):
                cur.execute(
                    f"DELETE FROM {table} WHERE record_type = %s AND record_id IN ({ids_sql})",
                    [doc.record_type, *params],
                )
        select = doc.select.format(where=where, agg=v["agg"])
        cur.execute(
            f"INSERT INTO {ENTRY} (record_type, record_id, title, subtitle, key, text) "
            f"SELECT %s, d.id, COALESCE(d.title, ''), COALESCE(d.subtitle, ''), "
            f"{v['fold']}(COALESCE(d.title, '')), COALESCE(d.text, '') || {v['pinyin']} "
            f"FROM ({select}) d",
            [doc.record_type, *params],
        )
        count = cur.rowcount
        if doc.phones:
            phones = doc.phones.format(where=where)
            cur.execute(
                f"INSERT INTO {PHONE} (record_type, record_id, digits_rev) "
                f"SELECT %s, p.record_id, {v['reverse']}(REPLACE(p.e164, '+', '')) "
                f"FROM ({phones}) p",
                [doc.record_type, *params * doc.phones.count("{where}")],
            )
        if connection.vendor != "sqlite":
            cur.execute(
                f"SELECT e.id, e.title FROM {ENTRY} e WHERE e.record_type = %s AND "
                f"e.record_id IN ({ids_sql}) AND e.title ~ %s",
                [doc.record_type, *params, HAN_CLASS],
            )
            updates = [(_pinyin_suffix(title), pk) for pk, title in cur.fetchall()]
            if updates:
                cur.executemany(f"UPDATE {ENTRY} SET text = text || %s WHERE id = %s", updates)
    return count


def _add_terms(titles: list[str]) -> None:
    words = {w for title in titles for w in title_words(title)}
    SearchTerm.objects.bulk_create(
        [SearchTerm(term=w) for w in sorted(words)], ignore_conflicts=True, batch_size=2000
    )


def _entry_title(record_type: str, record_id: Any) -> str | None:
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT title FROM {ENTRY} WHERE record_type = %s AND record_id = %s",
            [record_type, record_id],
        )
        row = cur.fetchone()
    return row[0] if row else None


def index_record(record_type: str, record_id: Any) -> None:
    """Bring the entry of one record up to date; when its title changed, also the entries of
    the records that show it (an account's contacts and opportunities). No-op for record types
    that are not indexed."""
    doc = documents().get(record_type)
    if doc is None:
        return
    old_title = _entry_title(record_type, record_id)
    _write(doc, "r.id = %s", [record_id], replace=True)
    new_title = _entry_title(record_type, record_id)
    if new_title:
        _add_terms([new_title])
    if old_title is not None and old_title != new_title:
        for dependent, column in doc.dependents:
            _write(documents()[dependent], f"r.{column} = %s", [record_id], replace=True)


def index_records(record_type: str, record_ids: list[int], *, new: bool = False) -> None:
    """Bring the entries of many records up to date at once (an import's batch): the same
    entries as ``index_record`` for each, with a few statements per chunk of ids. Record
    types whose title others repeat (accounts) are indexed one by one, so that a renamed
    account also re-indexes what shows it. ``new`` says the records were just inserted:
    they have no entries to replace and nothing shows their titles yet."""
    doc = documents().get(record_type)
    if doc is None or not record_ids:
        return
    if doc.dependents and not new:
        for record_id in record_ids:
            index_record(record_type, record_id)
        return
    ids = sorted(set(record_ids))
    for start in range(0, len(ids), _IDS_PER_STATEMENT):
        chunk = ids[start : start + _IDS_PER_STATEMENT]
        where = f"r.id IN ({', '.join(['%s'] * len(chunk))})"
        _write(doc, where, chunk, replace=not new)
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT title FROM {ENTRY} WHERE record_type = %s AND record_id IN "
                f"({', '.join(['%s'] * len(chunk))})",
                [record_type, *chunk],
            )
            titles = [row[0] for row in cur.fetchall() if row[0]]
        _add_terms(titles)


def unindex_record(record_type: str, record_id: Any) -> None:
    """Remove one record's entry and phones."""
    if record_type not in documents():
        return
    with connection.cursor() as cur:
        for table in (ENTRY, PHONE):
            cur.execute(
                f"DELETE FROM {table} WHERE record_type = %s AND record_id = %s",
                [record_type, record_id],
            )


def _clear(record_type: str | None) -> None:
    with connection.cursor() as cur:
        if record_type is not None:
            for table in (ENTRY, PHONE):
                cur.execute(f"DELETE FROM {table} WHERE record_type = %s", [record_type])
        elif connection.vendor == "sqlite":
            # Row by row the delete trigger would re-tokenise every entry to take it out of
            # FTS; 'delete-all' empties the FTS index at once.
            cur.execute("DROP TRIGGER IF EXISTS search_entry_ad")
            cur.execute(f"DELETE FROM {ENTRY}")
            cur.execute(f"DELETE FROM {PHONE}")
            cur.execute(f"INSERT INTO {ENTRY_FTS}({ENTRY_FTS}) VALUES ('delete-all')")
            cur.execute(ENTRY_DELETE_TRIGGER)
        else:
            cur.execute(f"TRUNCATE {ENTRY}, {PHONE}")


def reindex(record_type: str | None = None, *, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Rebuild the index of one record type, or of all when ``record_type`` is None, in one
    transaction; returns the number of records indexed."""
    docs = [documents()[record_type]] if record_type else list(documents().values())
    total = 0
    with transaction.atomic():
        _clear(record_type)
        _fts_bulk_mode(True)
        for doc in docs:
            with connection.cursor() as cur:
                cur.execute(f"SELECT MIN(id), MAX(id) FROM {doc.table}")
                low, high = cur.fetchone()
            if low is None:
                continue
            for start in range(low - 1, high, batch_size):
                total += _write(
                    doc, "r.id > %s AND r.id <= %s", [start, start + batch_size], replace=False
                )
            with connection.cursor() as cur:
                cur.execute(
                    f"SELECT DISTINCT key FROM {ENTRY} WHERE record_type = %s", [doc.record_type]
                )
                _add_terms([row[0] for row in cur.fetchall()])
        _fts_bulk_mode(False)
    return total


@contextmanager
def fts_bulk() -> Iterator[None]:
    """Bulk mode of the full-text index for the writes inside, all in the caller's
    transaction (a worker that dies leaves the settings as they were): a larger buffer and
    no merging of index segments on the way (FTS5's 'automerge'), which more than halves what
    a batch of new entries costs. The segments are merged by the writes that follow, and by
    FTS5 itself once too many accumulate ('crisismerge')."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {ENTRY_FTS}({ENTRY_FTS}, rank) VALUES ('automerge', 0)")
    _fts_bulk_mode(True)
    try:
        yield
    finally:
        _fts_bulk_mode(False)
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {ENTRY_FTS}({ENTRY_FTS}, rank) VALUES ('automerge', %s)",
                [FTS_DEFAULT_AUTOMERGE],
            )


def _fts_bulk_mode(on: bool) -> None:
    """A larger in-memory FTS5 buffer during a bulk load: fewer, larger segments to merge,
    about twice as fast for a million rows ('hashsize', default 1 MB)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {ENTRY_FTS}({ENTRY_FTS}, rank) VALUES ('hashsize', %s)",
                [FTS_BULK_HASHSIZE if on else FTS_DEFAULT_HASHSIZE],
            )
