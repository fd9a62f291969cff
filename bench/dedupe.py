"""``python -m bench.dedupe [--db PATH] [--generated N]``: measure duplicate detection.

(a) ``duplicate_scan contacts`` over a copy of the 1,000,000-contact benchmark database (the
source file is never written: the scan writes its pairs to the copy): wall time, CPU time,
pairs found, peak memory. (b) Precision, recall and F1 on ``N`` generated people with known
duplicates (``rapport.dedupe.evaluate``), with the time taken. Each part runs in a child
process so that its memory is its own. Prints a table and writes it into docs/benchmarks.md
between ``<!-- bench:dedupe:start -->`` and ``<!-- bench:dedupe:end -->``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.__main__ import machine
from bench.database import RAPPORT, ROOT, database_url
from bench.docs import section_write

START, END = "<!-- bench:dedupe:start -->", "<!-- bench:dedupe:end -->"
SECTION = "## Duplicate detection"
SCAN_TARGET_SECONDS = 180.0
F1_TARGET = 0.95

# Run in the child: scan the database DATABASE_URL points at, print the figures as JSON.
_SCAN_CHILD = """
import json, os, resource, sys, time
import django
django.setup()
from rapport.dedupe.services import duplicate_scan_run
workers = int(sys.argv[1]) if sys.argv[1] != "auto" else None
started = time.perf_counter()
scan = duplicate_scan_run(record_type="contacts", workers=workers)
wall = time.perf_counter() - started
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "status": scan.status, "error": scan.error, "records": scan.record_count,
    "candidates": scan.candidate_count, "pairs": scan.pair_count, "seconds": wall,
    "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
    "rss_mb": me.ru_maxrss / 1024, "worker_rss_mb": kids.ru_maxrss / 1024,
}))
"""

# Run in the child: generate, match and measure N people, print the figures as JSON.
_EVALUATE_CHILD = """
import json, resource, sys, time
import django
django.setup()
from rapport.dedupe.evaluate import evaluate
workers = int(sys.argv[2]) if sys.argv[2] != "auto" else None
started = time.perf_counter()
result = evaluate(int(sys.argv[1]), workers=workers)
total = time.perf_counter() - started
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
b = result.blocking
print(json.dumps({
    "records": result.records, "true_pairs": result.true_pairs, "threshold": result.threshold,
    "precision": result.precision, "recall": result.recall, "f1": result.f1,
    "best_threshold": result.best_threshold, "best_f1": result.best_f1,
    "blocking_recall": result.blocking_recall, "candidates": b.candidate_pairs,
    "largest_block": b.largest_block, "capped_blocks": b.capped_blocks,
    "normalise_seconds": result.normalise_seconds, "match_seconds": result.match_seconds,
    "generate_seconds": total - result.normalise_seconds - result.match_seconds,
    "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
    "rss_mb": me.ru_maxrss / 1024, "worker_rss_mb": kids.ru_maxrss / 1024,
    "report": result.report(),
}))
"""


def copy_database(source: Path, target: Path) -> float:
    """Copy ``source`` to ``target`` (a plain file copy when no write-ahead log is pending,
    else SQLite's backup API); returns the seconds taken."""
    if source.resolve() == target.resolve():
        raise SystemExit(f"--copy-to must differ from --db ({source}): the scan writes to it")
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        stale.unlink(missing_ok=True)
    wal = Path(f"{source}-wal")
    if wal.exists() and wal.stat().st_size:
        with (
            sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src,
            sqlite3.connect(target) as dst,
        ):
            src.backup(dst)
    else:
        shutil.copyfile(source, target)
    return time.perf_counter() - started


def _child(code: str, args: list[str], env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"child failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def scan(db: Path, copy_to: Path, workers: str) -> dict[str, Any]:
    """Copy the database, add the dedupe tables if missing, scan the copy's contacts."""
    copied = copy_database(db, copy_to)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(copy_to),
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    subprocess.run([*RAPPORT, "migrate", "dedupe", "-v", "0"], check=True, env=env, cwd=ROOT)
    figures = _child(_SCAN_CHILD, [workers], env)
    figures["copy_seconds"] = copied
    return figures


def generated(people: int, workers: str) -> dict[str, Any]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    return _child(_EVALUATE_CHILD, [str(people), workers], env)


def table(scanned: dict[str, Any] | None, evaluated: dict[str, Any] | None) -> str:
    lines = [
        "| run | records | candidate pairs | pairs found | precision | recall | F1 "
        "| wall time | CPU time | peak RSS (main / largest worker) | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    if scanned:
        met = scanned["status"] == "done" and scanned["seconds"] <= SCAN_TARGET_SECONDS
        lines.append(
            f"| `duplicate_scan contacts`, benchmark DB copy | {scanned['records']:,} | "
            f"{scanned['candidates']:,} | {scanned['pairs']:,} | n/a | n/a | n/a | "
            f"{scanned['seconds']:.0f} s | {scanned['cpu']:.0f} s | "
            f"{scanned['rss_mb']:,.0f} / {scanned['worker_rss_mb']:,.0f} MB | "
            f"{'met' if met else 'MISSED'} (≤ {SCAN_TARGET_SECONDS:.0f} s) |"
        )
    if evaluated:
        met = evaluated["f1"] >= F1_TARGET
        match_seconds = evaluated["normalise_seconds"] + evaluated["match_seconds"]
        lines.append(
            f"| generated people with known duplicates (seed 2026) | {evaluated['records']:,} | "
            f"{evaluated['candidates']:,} | {evaluated['true_pairs']:,} true | "
            f"{evaluated['precision']:.4f} | {evaluated['recall']:.4f} | {evaluated['f1']:.4f} | "
            f"{match_seconds:.0f} s (+ {evaluated['generate_seconds']:.0f} s generating) | "
            f"{evaluated['cpu']:.0f} s | "
            f"{evaluated['rss_mb']:,.0f} / {evaluated['worker_rss_mb']:,.0f} MB | "
            f"{'met' if met else 'MISSED'} (F1 ≥ {F1_TARGET}) |"
        )
    return "\n".join(lines)


def notes(scanned: dict[str, Any] | None, evaluated: dict[str, Any] | None) -> str:
    parts = []
    if evaluated:
        parts.append(
            f"Generated set: threshold {evaluated['threshold']:.2f}; best threshold of the sweep "
            f"{evaluated['best_threshold']:.2f} (F1 {evaluated['best_f1']:.4f}); blocking "
            f"proposes {evaluated['blocking_recall']:.2%} of the true pairs; largest block "
            f"{evaluated['largest_block']:,}, {evaluated['capped_blocks']:,} blocks compared by "
            f"window; normalising {evaluated['normalise_seconds']:.0f} s, blocking and scoring "
            f"{evaluated['match_seconds']:.0f} s."
        )
    if scanned:
        parts.append(
            f"Scan: the database was copied first ({scanned['copy_seconds']:.0f} s, not "
            "counted); wall time is the whole scan (read, normalise, block, score, write)."
        )
    parts.append(
        "CPU time adds up the main process and its workers; on a shared machine a wall time "
        "well above CPU time / 2 means the cores were busy with other work."
    )
    return " ".join(parts)


def write_docs(report: str) -> None:
    """Replace the generated dedupe part of docs/benchmarks.md (adding the section if absent)."""
    section_write(START, END, report, heading=SECTION, after=SECTION)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dedupe", description=__doc__)
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "bench" / "bench.sqlite3")
    parser.add_argument(
        "--copy-to",
        type=Path,
        default=Path("/tmp/bench-dedupe/scan.sqlite3"),
        help="where the database is copied for the scan (overwritten)",
    )
    parser.add_argument("--generated", type=int, default=1_000_000, help="generated people")
    parser.add_argument("--workers", default="auto", help="processes (default: one per CPU)")
    parser.add_argument("--skip-scan", action="store_true")
    parser.add_argument("--skip-generated", action="store_true")
    parser.add_argument("--no-docs", action="store_true", help="do not update benchmarks.md")
    args = parser.parse_args(argv)

    scanned = evaluated = None
    if not args.skip_scan:
        if not args.db.exists():
            raise SystemExit(f"--db {args.db} does not exist; build it with `python -m bench`")
        print(f"scanning a copy of {args.db} at {args.copy_to} ...", flush=True)
        scanned = scan(args.db, args.copy_to, args.workers)
        print(json.dumps(scanned), flush=True)
    if not args.skip_generated:
        print(f"matching {args.generated:,} generated people ...", flush=True)
        evaluated = generated(args.generated, args.workers)
        print(evaluated.pop("report"), flush=True)
    report = (
        f"Last run {dt.date.today().isoformat()} on {machine()}; "
        f"workers: {args.workers}.\n\n{table(scanned, evaluated)}\n\n{notes(scanned, evaluated)}"
    )
    print()
    print(report)
    if not args.no_docs and scanned and evaluated:
        write_docs(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
