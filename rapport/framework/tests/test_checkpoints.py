"""WAL checkpoints on a thread of their own while a bulk writer goes on."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from rapport.framework import checkpoints
from rapport.framework.checkpoints import Checkpointer, background_checkpoints

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write-ahead log")


def _in_database_file(path: Path, tmp_path: Path) -> int:
    """Rows of ``t`` in the database file itself, without its write-ahead log: what
    checkpoints have copied there."""
    copy = tmp_path / "copy.sqlite3"
    shutil.copyfile(path, copy)
    reader = sqlite3.connect(copy)
    try:
        tables = reader.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 't'").fetchone()
        return int(reader.execute("SELECT COUNT(*) FROM t").fetchone()[0]) if tables[0] else 0
    finally:
        reader.close()
        copy.unlink()


def test_a_checkpoint_copies_the_committed_log_into_the_file(tmp_path: Path) -> None:
    # Given a database in WAL mode whose writer does not checkpoint, with committed rows
    path = tmp_path / "wal.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE t (x INTEGER)")
    writer.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(500)])
    assert _in_database_file(path, tmp_path) == 0  # all still in the log
    # When the checkpointer is asked, and closed (which waits for it)
    checkpointer = Checkpointer(str(path))
    checkpointer.request()
    checkpointer.close()
    # Then the rows are in the database file, and the writer goes on as before
    assert checkpointer.done == 1
    assert _in_database_file(path, tmp_path) == 500
    writer.execute("INSERT INTO t VALUES (1)")
    assert writer.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 501
    writer.close()


@pytest.mark.django_db(transaction=True)
def test_background_checkpoints_replace_the_automatic_ones_then_put_them_back(
    tmp_path: Path, monkeypatch: Any
) -> None:
    from django.db.backends.sqlite3.base import DatabaseWrapper

    def autocheckpoint(db: Any) -> int:
        with db.cursor() as cur:
            cur.execute("PRAGMA wal_autocheckpoint")
            return int(cur.fetchone()[0])

    # Given the test database, in memory: nothing to checkpoint, nothing changed
    with background_checkpoints() as checkpoint:
        checkpoint()
    # And a connection to a database file, in WAL mode as the settings make it
    path = tmp_path / "file.sqlite3"
    file_db = DatabaseWrapper({**connection.settings_dict, "NAME": str(path)}, alias="default")
    monkeypatch.setattr(checkpoints, "connections", {"default": file_db})
    try:
        before = autocheckpoint(file_db)
        assert before > 0
        # When rows are written and committed inside, with a checkpoint asked for
        with background_checkpoints() as checkpoint:
            # the writer's own checkpoints are off
            assert autocheckpoint(file_db) == 0
            with file_db.cursor() as cur:
                cur.execute("CREATE TABLE t (x INTEGER)")
                cur.executemany("INSERT INTO t VALUES (%s)", [(i,) for i in range(300)])
            checkpoint()
        # Then the checkpoint ran before the end (which waits for it): the rows are in the
        # file, and the automatic checkpoints are back
        assert _in_database_file(path, tmp_path) == 300
        assert autocheckpoint(file_db) == before
    finally:
        file_db.close()
