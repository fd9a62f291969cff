"""``python -m bench``: build or reuse the 1M-contact database, serve it with gunicorn and
measure the contacts API over HTTP on loopback. Prints a table and writes bench/out/."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
from pathlib import Path

from bench.database import ROOT, ensure
from bench.docs import section_write
from bench.driver import Result, run
from bench.samples import issue_token, load_samples, scenarios
from bench.server import gunicorn

TARGETS = {  # scenario -> (p95 ms ceiling, req/s floor)
    "list contacts (owner, by name, 50)": (50.0, 400.0),
    "search by name prefix": (50.0, 0.0),
    "search by phone digits": (50.0, 0.0),
    "retrieve contact": (50.0, 0.0),
    "create contact": (100.0, 0.0),
}


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {mem_kb / 1024 / 1024:.0f} GiB RAM, "
        f"Python {platform.python_version()}, SQLite (WAL)"
    )


def table(results: list[Result], concurrency: int) -> str:
    lines = [
        f"| request (concurrency {concurrency}) | requests | errors | median ms | p95 ms "
        "| p99 ms | req/s | target | driver CPU ms/req | server CPU ms/req |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in results:
        p95_max, rate_min = TARGETS.get(r.scenario, (float("inf"), 0.0))
        met = r.percentile(95) <= p95_max and r.rate >= rate_min and not r.errors
        target = f"p95 ≤ {p95_max:.0f} ms" + (f", ≥ {rate_min:.0f}/s" if rate_min else "")
        n = max(1, len(r.latencies))
        lines.append(
            f"| {r.scenario} | {len(r.latencies)} | {r.errors} | {r.percentile(50):.1f} | "
            f"{r.percentile(95):.1f} | {r.percentile(99):.1f} | {r.rate:.0f} | "
            f"{'met' if met else 'MISSED'} ({target}) | {r.driver_cpu * 1000 / n:.2f} | "
            f"{r.server_cpu * 1000 / n:.2f} |"
        )
    return "\n".join(lines)


START, END = "<!-- bench:api:start -->", "<!-- bench:api:end -->"


def write_docs(report: str, concurrency: int, duration: float) -> None:
    """Replace the generated part of docs/benchmarks.md with this run's figures."""
    section_write(
        START,
        END,
        f"Last run {dt.date.today().isoformat()} on {machine()}; "
        f"concurrency {concurrency}, {duration:.0f} s measured per request type.\n\n{report}",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "bench" / "bench.sqlite3")
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per request")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--only", default="", help="run only scenarios containing this text")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args(argv)

    db = args.db.resolve()
    built = ensure(db, args.contacts, args.seed)
    print(f"database: {db} ({f'built in {built:.0f} s' if built else 'reused'})")
    args.out.mkdir(parents=True, exist_ok=True)
    samples = load_samples(db)
    token = issue_token(db, dict(os.environ))
    results: list[Result] = []
    with gunicorn(db, args.out) as (port, pids):
        for scenario in scenarios(samples):
            if args.only and args.only not in scenario.name:
                continue
            result = run(
                scenario,
                port=port,
                token=token,
                server_pid=pids[0],
                concurrency=args.concurrency,
                duration=args.duration,
                warmup=args.warmup,
            )
            results.append(result)
            print(
                f"  {scenario.name}: {result.rate:.0f} req/s, p95 "
                f"{result.percentile(95):.1f} ms, errors {result.errors} "
                f"{result.first_error[:200]}",
                flush=True,
            )
    report = table(results, args.concurrency)
    print()
    print(f"{dt.date.today().isoformat()} — {machine()}")
    print(report)
    (args.out / "results.json").write_text(
        json.dumps(
            {
                "date": dt.date.today().isoformat(),
                "machine": machine(),
                "database": str(db),
                "concurrency": args.concurrency,
                "duration": args.duration,
                "results": [
                    {
                        "scenario": r.scenario,
                        "requests": len(r.latencies),
                        "errors": r.errors,
                        "median_ms": r.percentile(50),
                        "p95_ms": r.percentile(95),
                        "p99_ms": r.percentile(99),
                        "rps": r.rate,
                        "driver_cpu_s": r.driver_cpu,
                        "server_cpu_s": r.server_cpu,
                    }
                    for r in results
                ],
            },
            indent=2,
        )
    )
    (args.out / "results.md").write_text(report + "\n")
    if not args.only:
        write_docs(report, args.concurrency, args.duration)
    return 0


if __name__ == "__main__":
    sys.exit(main())
