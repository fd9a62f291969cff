"""Where an import's time goes: wall time spent inside the calls that write to the database
(bulk inserts and updates, search entries, id reservations, commits), summed per kind while
a benchmark runs. The rest of the run is reading the file, cleaning, matching (with the
queries it makes) and deciding, mostly Python.

The writes' share is a ceiling on the import's speed that no faster Python can lift: a run
whose every other step cost nothing would still take that long on the same machine.
"""

from __future__ import annotations

import functools
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# (module, attribute, label): the database writes of the contact batch writer and the job.
WRITES = (
    ("rapport.imports.fast", "insert_rows", "inserts (contacts, emails, phones, change log)"),
    ("rapport.imports.fast", "update_rows", "updates of existing contacts"),
    ("rapport.imports.fast", "reserve_ids", "id reservations"),
    ("rapport.imports.fast", "index_records", "search entries"),
    ("rapport.imports.services", "insert_rows", "import rows (for undo)"),
)
COMMIT = "commits"


@contextmanager
def database_time() -> Iterator[Counter[str]]:
    """Seconds spent in each kind of database write while inside, by label."""
    import importlib

    from django.db.backends.base.base import BaseDatabaseWrapper

    spent: Counter[str] = Counter()
    restore: list[tuple[Any, str, Any]] = []

    def timed(function: Callable[..., Any], label: str) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - started

        return wrapper

    for module_name, attribute, label in WRITES:
        module = importlib.import_module(module_name)
        original = getattr(module, attribute)
        restore.append((module, attribute, original))
        setattr(module, attribute, timed(original, label))
    commit = BaseDatabaseWrapper.commit
    restore.append((BaseDatabaseWrapper, "commit", commit))
    BaseDatabaseWrapper.commit = timed(commit, COMMIT)  # type: ignore[method-assign]
    try:
        yield spent
    finally:
        for owner, attribute, original in reversed(restore):
            setattr(owner, attribute, original)


def phases_table(spent: Counter[str], rows: int, run_s: float) -> str:
    """Microseconds a row in each kind of write, their sum, the rest (Python), and the
    speed the database's share alone allows."""
    if not rows:
        return ""
    database = sum(spent.values())
    lines = ["| where a row's time goes | µs a row |", "|---|---:|"]
    for label, seconds in spent.most_common():
        lines.append(f"| database: {label} | {seconds * 1e6 / rows:,.0f} |")
    lines.append(f"| **database, in all** | **{database * 1e6 / rows:,.0f}** |")
    rest = max(run_s - database, 0.0)
    rest_label = "the rest: reading, cleaning, matching (with its queries), deciding"
    lines.append(f"| {rest_label} | {rest * 1e6 / rows:,.0f} |")
    ceiling = rows / database if database else 0.0
    lines.append(f"| fastest possible with nothing but the writes (rows/s) | {ceiling:,.0f} |")
    return "\n".join(lines)
