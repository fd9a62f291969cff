"""Fixtures for the job tests: real `rapport` processes on a migrated SQLite file, and Redis.

The test database of pytest-django lives in this process (in memory, or inside a transaction);
worker and scheduler processes cannot see it, so they get a database file of their own.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
# Variables of the outer environment that would point the child processes elsewhere.
OUTER_VARIABLES = ("DATABASE_URL", "REDIS_URL", "TASK_BACKEND", "DJANGO_SETTINGS_MODULE")


@dataclass
class Site:
    """A Rapport installation in a temporary directory, driven through the `rapport` command."""

    directory: Path
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def database(self) -> Path:
        return self.directory / "db.sqlite3"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in OUTER_VARIABLES}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.base",
            RAPPORT_VAR_DIR=str(self.directory),
            DATABASE_URL=f"sqlite:///{self.database}",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "rapport.cli", *args]

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run one `rapport` command to completion; fail the test if it fails."""
        done = subprocess.run(
            self.argv(*args),
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, f"rapport {' '.join(args)} failed:\n{done.stdout}{done.stderr}"
        return done

    def start(self, *args: str) -> subprocess.Popen[str]:
        """Start a `rapport` command in the background; the caller stops it."""
        return subprocess.Popen(
            self.argv(*args),
            cwd=REPO,
            env=self.env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )

    def python(self, code: str) -> Any:
        """Run ``code`` inside Django in a fresh process; it sets ``out`` to a JSON-able value."""
        script = f"import json\n{code}\nprint('OUT=' + json.dumps(out))"
        done = self.run("shell", "--no-imports", "-c", script)
        return json.loads(done.stdout.rsplit("OUT=", 1)[1])

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Read the site's database directly (no Django), as an outside observer."""
        with sqlite3.connect(self.database, timeout=20) as connection:
            return connection.execute(sql, params).fetchall()


def wait_for(condition: Callable[[], Any], *, timeout: float, what: str) -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)


def stop(process: subprocess.Popen[str], *, timeout: float = 15) -> str:
    """Stop a background process if it still runs and return what it printed."""
    if process.poll() is None:
        process.terminate()
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file with every migration applied, migrated once per test session."""
    site = Site(tmp_path_factory.mktemp("template-site"))
    site.run("migrate", "--noinput", "-v", "0", timeout=120)
    return site.database


@pytest.fixture
def site(tmp_path: Path, migrated_database: Path) -> Site:
    """A fresh, migrated Rapport installation for one test."""
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{migrated_database}{suffix}")
        if source.exists():
            shutil.copy(source, tmp_path / f"db.sqlite3{suffix}")
    return Site(tmp_path)
