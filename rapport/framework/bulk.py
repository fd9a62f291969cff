"""Raw bulk writes: rows as tuples with one ``executemany`` (``COPY`` on PostgreSQL), updates
the same way, and ids reserved before the rows that use them are written. Used by the batch
import and by the bulk rescoring of leads.

Written by hand because Django's ``bulk_create`` and ``bulk_update`` build a model instance
and an expression per value (``bulk_update`` a CASE per field and row); at an import's volume
(a million rows, each writing six rows) that machinery costs more than the writes
themselves. These take plain values and convert only the fields whose Python value is not
what the driver takes (dates, JSON, countries).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django_countries.fields import CountryField


def plain_field(f: Any) -> bool:
    """Fields whose Python value is already what the database driver takes (the others, such
    as dates, JSON and countries, are converted with ``get_db_prep_save``)."""
    plain = (models.CharField, models.TextField, models.BooleanField, models.IntegerField)
    return isinstance(f, (*plain, models.ForeignKey)) and not isinstance(f, CountryField)


def _converter(f: Any, db: Any) -> Callable[[Any], Any]:
    """``f.get_db_prep_save`` for one field, without its per-call dispatch for the common
    kinds: JSON serialised with the field's encoder (a string both drivers take for a JSON
    column), datetimes adapted by the backend, a country code given as text kept."""
    if isinstance(f, models.JSONField):
        encoder = f.encoder

        def to_json(value: Any) -> Any:
            return None if value is None else json.dumps(value, cls=encoder)

        return to_json
    if isinstance(f, models.DateTimeField):
        adapt = db.ops.adapt_datetimefield_value
        return lambda value: adapt(f.get_prep_value(value))
    if isinstance(f, CountryField):
        return lambda value: value if isinstance(value, str) else f.get_db_prep_save(value, db)
    return lambda value: f.get_db_prep_save(value, db)


def _prepared(
    model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]
) -> tuple[list[Any], list[Sequence[Any]]]:
    """The fields of ``names`` (attnames) and ``rows`` converted for the driver."""
    db = connections[DEFAULT_DB_ALIAS]
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_attname[n] for n in names]
    convert = [(i, _converter(f, db)) for i, f in enumerate(fields) if not plain_field(f)]
    params: list[Sequence[Any]] = []
    for row in rows:
        if convert or any(isinstance(v, Enum) for v in row):
            values = [v.value if isinstance(v, Enum) else v for v in row]
            for i, to_db in convert:
                values[i] = to_db(values[i])
            row = values
        params.append(row)
    return fields, params


def insert_rows(
    model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert ``rows`` (values in the order of the fields ``names``, attnames for foreign
    keys) into ``model``'s table with one ``executemany`` (``COPY`` on PostgreSQL); returns
    how many. No ids are read back: give the ``id`` among ``names`` when the caller needs
    it (see ``reserve_ids``)."""
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the proxy's lookups add up
    fields, params = _prepared(model, names, rows)
    if not params:
        return 0
    quote = db.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    table = quote(model._meta.db_table)
    if db.vendor == "postgresql":
        # COPY: one stream instead of a statement per row, several times faster.
        sql = f"COPY {table} ({columns}) FROM STDIN"
        started = time.monotonic()
        db.ensure_connection()
        with db.connection.cursor() as raw, raw.copy(sql) as copy:
            for row in params:
                copy.write_row(row)
        if db.queries_logged:  # for the debug tools and query counts, as executemany is
            seconds = time.monotonic() - started
            db.queries_log.append({"sql": f"{len(params)} rows: {sql}", "time": f"{seconds:.3f}"})
        return len(params)
    marks = ", ".join(["%s"] * len(fields))
    with db.cursor() as cur:
        cur.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", params)
    return len(params)


def update_rows(
    model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Set the fields ``names`` (attnames) of existing rows: each row gives their values,
    then the primary key. One UPDATE statement run for every row (``executemany``); returns
    how many rows were given."""
    db = connections[DEFAULT_DB_ALIAS]
    fields, params = _prepared(model, names, rows)
    if not params:
        return 0
    quote = db.ops.quote_name
    sets = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
    pk = quote(str(model._meta.pk.column))  # type: ignore[union-attr]
    with db.cursor() as cur:
        cur.executemany(f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE {pk} = %s", params)
    return len(params)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` ids of ``model`` that no other insert will take, in increasing order, for
    rows the caller inserts later with their ids (so that rows of the same batch can refer to
    them before anything is written).

    On PostgreSQL they come from the table's sequence. On SQLite (AUTOINCREMENT tables,
    which Django creates) the table's ``sqlite_sequence`` counter is moved on by ``count``:
    every later insert without an id is numbered after the block. That write takes the
    database's write lock, so the caller must be in a transaction and write soon."""
    if count <= 0:
        return []
    db = connections[DEFAULT_DB_ALIAS]
    table = model._meta.db_table
    with db.cursor() as cur:
        if db.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [db.ops.quote_name(table), count],
            )
            return sorted(int(row[0]) for row in cur.fetchall())
        if db.vendor != "sqlite":  # pragma: no cover - the two supported databases
            raise NotImplementedError(db.vendor)
        cur.execute("UPDATE sqlite_sequence SET seq = seq + %s WHERE name = %s", [count, table])
        if not cur.rowcount:
            cur.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES "
                f"(%s, COALESCE((SELECT MAX(id) FROM {db.ops.quote_name(table)}), 0) + %s)",
                [table, count],
            )
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        last = int(cur.fetchone()[0])
    return list(range(last - count + 1, last + 1))


@contextmanager
def bounded_mapping(mmap_bytes: int) -> Iterator[None]:
    """At most ``mmap_bytes`` of the SQLite database file mapped into the process while
    inside, put back after: a long import reads index pages all over a large database, and
    every mapped page it touches stays in its resident memory. Read through SQLite's own page
    cache instead, the memory stays bounded, at the same speed (docs/benchmarks.md)."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "sqlite":
        yield
        return
    with db.cursor() as cur:
        cur.execute("PRAGMA mmap_size")
        row = cur.fetchone()
    if row is None:  # a database in memory maps no file
        yield
        return
    mmap = int(row[0])
    with db.cursor() as cur:
        cur.execute(f"PRAGMA mmap_size = {int(mmap_bytes)}")
    try:
        yield
    finally:
        with db.cursor() as cur:
            cur.execute(f"PRAGMA mmap_size = {mmap}")


__all__ = ["bounded_mapping", "insert_rows", "plain_field", "reserve_ids", "update_rows"]
