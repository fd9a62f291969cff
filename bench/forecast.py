"""``python -m bench.forecast [--db PATH]``: server time of the pipeline forecast page on the
benchmark database (the 1M-contact one by default, about 300,000 opportunities), measured
in-process (the Django handler from request to rendered page, no network).

The page reads the forecast rollup, not the opportunities; the rollup is rebuilt once first
(``rapport forecast rollup``, its time is reported too) since the demo generator writes
opportunities in bulk, around the services that keep it up to date. Scenarios: an
administrator's quarter (everyone), the top manager's quarter (the whole role tree) and a
sales rep's month. Prints a table and writes it into docs/benchmarks.md between its markers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.database import RAPPORT, ROOT, database_url, ensure
from bench.docs import section_write

TARGET_MS = 300.0  # p95 ceiling (issue 5, "Sales automation")
START, END = "<!-- bench:forecast -->", "<!-- /bench:forecast -->"


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(requests: int) -> tuple[list[tuple[str, list[float], str]], dict[str, str]]:
    """Runs inside the Django process set up on the benchmark database."""
    import django

    django.setup()
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from rapport.forecasts.choices import PeriodKind
    from rapport.forecasts.models import ForecastRollup
    from rapport.forecasts.periods import period_current
    from rapport.forecasts.rollup import rollup_rebuild
    from rapport.identity.access import access_context
    from rapport.identity.models import User
    from rapport.opportunities.models import Opportunity

    facts: dict[str, str] = {"opportunities": f"{Opportunity.objects.count():,}"}
    started = time.perf_counter()
    rows = rollup_rebuild()
    facts["rollup rebuild"] = f"{time.perf_counter() - started:.1f} s, {rows:,} rows"
    facts["rollup rows"] = f"{ForecastRollup.objects.count():,}"
    today = timezone.localdate()
    quarter = period_current(PeriodKind.QUARTER, today).key
    month = period_current(PeriodKind.MONTH, today).key
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("id").first()
    managers = [
        (len(access_context(u).subordinate_ids), u)
        for u in User.objects.filter(is_active=True, is_superuser=False, role__isnull=False)
    ]
    reports, manager = max(managers, key=lambda pair: (pair[0], -pair[1].pk))
    rep_id = (
        Opportunity.objects.values("owner_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("owner_id", flat=True)[0]
    )
    rep = User.objects.get(pk=rep_id)
    scenarios = []
    if admin is not None:
        scenarios.append(
            ("administrator, quarter", admin, f"/forecasts/pipeline/?period={quarter}", "everyone")
        )
    scenarios += [
        (
            "top manager, quarter",
            manager,
            f"/forecasts/pipeline/?period={quarter}",
            f"{manager.username}, {reports} people below",
        ),
        ("sales rep, month", rep, f"/forecasts/pipeline/?period={month}", rep.username),
    ]
    results = []
    for name, user, url, note in scenarios:
        client = Client()
        client.force_login(user)
        for _ in range(5):  # warm-up: caches, compiled templates
            assert client.get(url).status_code == 200, url
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        results.append((name, times, note))
    return results, facts


def table(results: list[tuple[str, list[float], str]]) -> str:
    lines = [
        "| forecast page | requests | median ms | p95 ms | target | who |",
        "|---|---:|---:|---:|---|---|",
    ]
    for name, times, note in results:
        p95 = _percentile(times, 95)
        verdict = "met" if p95 <= TARGET_MS else "MISSED"
        lines.append(
            f"| {name} | {len(times)} | {statistics.median(times):.1f} | {p95:.1f} | "
            f"{verdict} (p95 ≤ {TARGET_MS:.0f} ms) | {note} |"
        )
    return "\n".join(lines)


def write_docs(report: str, facts: dict[str, str], database: str) -> None:
    facts_text = "; ".join(f"{k}: {v}" for k, v in facts.items())
    section_write(
        START,
        END,
        f"Last run {dt.date.today().isoformat()} on {database}; single process, "
        f"in-process Django handler time per request. {facts_text}.\n\n{report}",
        heading="## Pipeline forecast page (server time)",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.forecast", description=__doc__)
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "bench" / "bench.sqlite3")
    parser.add_argument(
        "--contacts", type=int, default=1_000_000, help="contacts of a database to build"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument(
        "--reuse", action="store_true", help="use --db as it is (a demo database built elsewhere)"
    )
    parser.add_argument("--label", default="", help="how docs/benchmarks.md names the database")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        results, facts = measure(args.requests)
        report = table(results)
        print("; ".join(f"{k}: {v}" for k, v in facts.items()))
        print(report)
        write_docs(report, facts, args.label)
        return 0
    db = args.db.resolve()
    if args.reuse:
        print(f"database: {db} (reused as it is)")
    else:
        built = ensure(db, args.contacts, args.seed)
        print(f"database: {db} ({f'built in {built:.0f} s' if built else 'reused'})")
    label = args.label or f"the {args.contacts:,}-contact benchmark database"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(db),
        # Base settings (DEBUG off): production's manifest storage would need collectstatic.
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    }
    subprocess.run([*RAPPORT, "migrate", "--noinput", "-v", "0"], check=True, env=env, cwd=ROOT)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.forecast",
            "--child",
            "--requests",
            str(args.requests),
            "--label",
            label,
        ],
        env=env,
        cwd=ROOT,
        check=False,
    ).returncode


if __name__ == "__main__":
    sys.exit(main())
