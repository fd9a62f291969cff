"""Request counters per fixed time window, shared by every process of one installation.

Rate limits need a counter that all web processes see. With Redis (``REDIS_URL``) the counters
live in the cache (``incr``). Without it they live in a small SQLite file of their own
(``RAPPORT_COUNTERS_PATH``): one upsert per counter, outside the main database so that counting
never waits for its write lock. Django's file cache was the alternative and cost more than the
rest of a small request (it lists its directory on every write); no library offers a
cross-process counter without a server, hence this module.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

_local = threading.local()


def _sqlite(path: Path) -> sqlite3.Connection:
    key = (os.getpid(), str(path))
    conn: sqlite3.Connection | None = getattr(_local, "conns", {}).get(key)
    if conn is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=10, isolation_level=None)
        # Counters are advisory: losing the last increments in a power cut is acceptable.
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS counter (key TEXT PRIMARY KEY, window INTEGER "
            "NOT NULL, hits INTEGER NOT NULL)"
        )
        _local.conns = {**getattr(_local, "conns", {}), key: conn}
    return conn


def _hit_sqlite(key: str, window: int) -> int:
    conn = _sqlite(Path(settings.RAPPORT_COUNTERS_PATH))
    row = conn.execute(
        "INSERT INTO counter (key, window, hits) VALUES (?, ?, 1) ON CONFLICT(key) DO UPDATE "
        "SET hits = CASE WHEN window = excluded.window THEN hits + 1 ELSE 1 END, "
        "window = excluded.window RETURNING hits",
        (key, window),
    ).fetchone()
    if window % 64 == 0:  # now and then, forget keys that were idle for a while
        conn.execute("DELETE FROM counter WHERE window < ?", (window - 2,))
    return int(row[0])


def _hit_cache(key: str, window: int, ttl: int) -> int:
    window_key = f"rate:{key}:{window}"
    if cache.add(window_key, 1, ttl):
        return 1
    try:
        return int(cache.incr(window_key))
    except ValueError:  # expired between add and incr
        cache.set(window_key, 1, ttl)
        return 1


def counter_hit(key: str, *, window: int, ttl: int) -> int:
    """Count one request for ``key`` in time window number ``window``; the count so far."""
    if settings.RAPPORT_RATE_COUNTERS == "cache":
        return _hit_cache(key, window, ttl)
    return _hit_sqlite(key, window)
