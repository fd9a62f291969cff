"""Fixtures of the web-form tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _own_rate_counters(settings: Any, tmp_path: Path) -> None:
    """Each test counts submissions afresh: the rate counters live in a file of the test's own
    (form ids repeat between tests, and the shared file outlives the test run)."""
    settings.RAPPORT_RATE_COUNTERS = "sqlite"
    settings.RAPPORT_COUNTERS_PATH = str(tmp_path / "counters.sqlite3")
