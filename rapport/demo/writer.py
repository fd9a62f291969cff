"""Bulk row insertion with each database's fastest path.

SQLite: ``executemany`` on the raw connection inside one transaction, with the load-time
PRAGMAs (no fsync, a large page cache, foreign-key checks off: the generator writes
parents before children and the tests check the constraints). PostgreSQL: ``COPY ... FROM
STDIN``. Rows are plain tuples whose values are already in the database's storage form
(timestamps as ``YYYY-MM-DD HH:MM:SS`` UTC strings, decimals as strings, JSON as text).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Field, Max, Model

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Table:
    """A table and the columns (model field names) its generated rows fill, in order."""

    model: type[Model]
    fields: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    @property
    def columns(self) -> tuple[str, ...]:
        fields = (self.model._meta.get_field(f) for f in self.fields)
        return tuple(str(f.column) for f in fields if isinstance(f, Field))


Batch = dict[Table, list[Row]]


def max_id(model: type[Model]) -> int:
    """The highest primary key in the table, 0 when empty: generated ids start after it."""
    return int(model._default_manager.aggregate(m=Max("pk"))["m"] or 0)


class RowWriter:
    """Writes batches of generated rows and counts them per table."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.dropped_indexes: list[str] = []
        self._sql: dict[Table, str] = {}

    @property
    def is_sqlite(self) -> bool:
        return connection.vendor == "sqlite"

    def _statement(self, table: Table) -> str:
        if table not in self._sql:
            quote = connection.ops.quote_name
            cols = ", ".join(quote(c) for c in table.columns)
            if self.is_sqlite:
                marks = ", ".join("?" * len(table.columns))
                self._sql[table] = f"INSERT INTO {quote(table.name)} ({cols}) VALUES ({marks})"
            else:
                self._sql[table] = f"COPY {quote(table.name)} ({cols}) FROM STDIN"
        return self._sql[table]

    def insert(self, table: Table, rows: Sequence[Row]) -> None:
        """Insert ``rows`` into ``table`` (inside the caller's transaction)."""
        if not rows:
            return
        raw: Any = connection.connection
        if self.is_sqlite:
            raw.executemany(self._statement(table), rows)
        else:
            with raw.cursor() as cursor, cursor.copy(self._statement(table)) as copy:
                for row in rows:
                    copy.write_row(row)
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    def write(self, batch: Batch) -> None:
        """Insert every table of ``batch``, parents first (the order the batch lists them)."""
        for table, rows in batch.items():
            self.insert(table, rows)

    def rebuild_indexes(self) -> None:
        """Recreate the indexes dropped for the load (see ``load_session``)."""
        with connection.cursor() as cursor:
            for sql in self.dropped_indexes:
                cursor.execute(sql)
        self.dropped_indexes = []

    def reset_sequences(self, models: Sequence[type[Model]]) -> None:
        """After inserting explicit ids, move PostgreSQL's sequences past them."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(models))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    def analyze(self) -> None:
        """Refresh the query planner's statistics after the load. Full statistics on SQLite:
        sampled ones (``analysis_limit``) rated an owner as selective as a pipeline, and the
        pipeline board scanned a whole pipeline for one owner's cards."""
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _drop_sqlite_indexes(tables: Sequence[str]) -> list[str]:
    """Drop the secondary indexes of ``tables``; returns the statements that recreate them.

    Building an index once from sorted data is several times faster than updating it for
    every inserted row once the B-trees outgrow the page cache.
    """
    marks = ", ".join("?" * len(tables))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            f"AND sql IS NOT NULL AND tbl_name IN ({marks})",
            list(tables),
        )
        found = cursor.fetchall()
        for name, _sql in found:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [sql for _name, sql in found]


@contextmanager
def load_session(*, rebuild_indexes: Sequence[str] = ()) -> Iterator[RowWriter]:
    """One transaction for the whole load, with SQLite tuned for bulk writes meanwhile.

    On SQLite the indexes of the ``rebuild_indexes`` tables are dropped for the load and
    rebuilt before the commit (worth it when the load at least doubles those tables).
    """
    connection.ensure_connection()
    writer = RowWriter()
    # PRAGMAs that change durability or constraint checks only work outside a transaction
    # (inside one, e.g. in tests, the load simply runs with the connection's settings).
    tuned = writer.is_sqlite and not connection.in_atomic_block
    checks_off = False
    if tuned:
        checks_off = connection.disable_constraint_checking()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-1048576")  # 1 GiB of page cache, in KiB
            cursor.execute("PRAGMA temp_store=MEMORY")
    try:
        with transaction.atomic():
            if writer.is_sqlite and rebuild_indexes:
                writer.dropped_indexes = _drop_sqlite_indexes(rebuild_indexes)
            yield writer
            writer.rebuild_indexes()
    finally:
        if tuned:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA cache_size=-65536")
            if checks_off:
                connection.enable_constraint_checking()
