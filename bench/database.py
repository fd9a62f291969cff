"""The benchmark database: built once with ``rapport demo`` and reused while complete."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAPPORT = [sys.executable, "-m", "rapport.cli"]


def database_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".complete.json")


def is_complete(path: Path, contacts: int, seed: int) -> bool:
    """True when ``path`` holds a finished demo load of ``contacts`` contacts and ``seed``."""
    marker = _marker(path)
    if not path.exists() or not marker.exists():
        return False
    info = json.loads(marker.read_text())
    if info.get("contacts") != contacts or info.get("seed") != seed:
        return False
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return bool(db.execute("SELECT COUNT(*) FROM contacts_contact").fetchone()[0] >= contacts)


def build(path: Path, contacts: int, seed: int, env: dict[str, str]) -> float:
    """Create the database from scratch; returns the seconds ``rapport demo`` took."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (
        path,
        _marker(path),
        path.with_name(path.name + "-wal"),
        path.with_name(path.name + "-shm"),
    ):
        stale.unlink(missing_ok=True)
    run_env = {**env, "DATABASE_URL": database_url(path)}
    subprocess.run([*RAPPORT, "migrate", "--noinput", "-v", "0"], check=True, env=run_env, cwd=ROOT)
    subprocess.run([*RAPPORT, "createcachetable"], check=True, env=run_env, cwd=ROOT)
    started = time.monotonic()
    subprocess.run(
        [*RAPPORT, "demo", "--contacts", str(contacts), "--seed", str(seed)],
        check=True,
        env=run_env,
        cwd=ROOT,
    )
    seconds = time.monotonic() - started
    _marker(path).write_text(
        json.dumps({"contacts": contacts, "seed": seed, "demo_seconds": round(seconds, 1)})
    )
    return seconds


def ensure(path: Path, contacts: int, seed: int) -> float | None:
    """Build the database unless a complete one is there; the build time, or None if reused."""
    if is_complete(path, contacts, seed):
        return None
    return build(path, contacts, seed, dict(os.environ))
