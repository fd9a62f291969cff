"""WAL checkpoints of an SQLite database moved off a bulk writer's path.

In WAL mode a commit appends the pages it changed to the write-ahead log, and the committing
connection then copies the log back into the database file once the log passes
``wal_autocheckpoint`` pages (the checkpoint). An import batch changes pages all over the
large indexes of a big table, so its commit is followed by a checkpoint of about as many
pages, which the import waits for while one of the machine's cores idles.

``background_checkpoints`` turns the writer's automatic checkpoints off and runs them on a
second connection in a thread of its own instead, one after each batch, while the writer
goes on with the next batch (SQLite releases the GIL while it works). Before asking for the
next checkpoint the writer waits for the previous one, so the log stays within about two
batches. A PASSIVE checkpoint never blocks the writer or readers; what it could not copy the
next one copies. On PostgreSQL, and on an SQLite database that is not a WAL file, nothing
changes.

Written by hand: neither Django nor the sqlite3 module offers checkpoints on another thread.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)


class Checkpointer:
    """A thread with its own connection to ``path`` that checkpoints the WAL on request."""

    def __init__(self, path: str) -> None:
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._connection.execute("PRAGMA busy_timeout=10000")
        self._wanted = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._stopping = False
        self.done = 0  # checkpoints run, for tests and benchmarks
        self._thread = threading.Thread(
            target=self._run, name="rapport-wal-checkpoints", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            if self._stopping:
                return
            try:
                self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                self.done += 1
            except sqlite3.Error:  # the next checkpoint copies what this one could not
                logger.warning("WAL checkpoint failed", exc_info=True)
            finally:
                self._idle.set()

    def request(self) -> None:
        """Checkpoint what is committed now, once the previous checkpoint is done."""
        self._idle.wait()
        self._idle.clear()
        self._wanted.set()

    def close(self) -> None:
        """Wait for the running checkpoint, then stop the thread and close its connection."""
        self._idle.wait()
        self._stopping = True
        self._wanted.set()
        self._thread.join()
        self._connection.close()


def _nothing() -> None:
    return None


@contextmanager
def background_checkpoints(alias: str = DEFAULT_DB_ALIAS) -> Iterator[Callable[[], None]]:
    """Inside, the connection ``alias`` does not checkpoint its WAL on commit; call the
    function given after each commit to have it checkpointed in the background. The automatic
    checkpoints are put back afterwards."""
    db = connections[alias]
    path = str(db.settings_dict.get("NAME") or "")
    if db.vendor != "sqlite" or not path or path == ":memory:" or path.startswith("file:"):
        yield _nothing
        return
    with db.cursor() as cur:
        cur.execute("PRAGMA journal_mode")
        mode = str(cur.fetchone()[0]).lower()
        cur.execute("PRAGMA wal_autocheckpoint")
        pages = int(cur.fetchone()[0])
    if mode != "wal":
        yield _nothing
        return
    checkpointer = Checkpointer(path)
    with db.cursor() as cur:
        cur.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield checkpointer.request
    finally:
        checkpointer.close()
        with db.cursor() as cur:
            cur.execute(f"PRAGMA wal_autocheckpoint = {pages}")


__all__ = ["Checkpointer", "background_checkpoints"]
