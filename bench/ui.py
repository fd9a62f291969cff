"""``python -m bench.ui``: server time of the web UI's heaviest screens on the 1M-contact
benchmark database, measured in-process (the Django handler from request to rendered page, no
network): a contact list page, a record page with 200 timeline entries, and the pipeline board
of a sales rep with about 500+ open opportunities. Prints a table and writes it into
docs/benchmarks.md between its markers."""

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

TARGETS = {  # scenario -> p95 ms ceiling (issue "Web application")
    "contact list page (50 rows)": 80.0,
    "record page, 200 timeline entries": 100.0,
    "pipeline board, open opportunities": 150.0,
}
START, END = "<!-- bench:ui:start -->", "<!-- bench:ui:end -->"


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(requests: int) -> list[tuple[str, list[float], str]]:
    """Runs inside the Django process set up on the benchmark database."""
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Count
    from django.test import Client

    from rapport.activities.models import Activity
    from rapport.contacts.models import Contact
    from rapport.identity.models import User
    from rapport.opportunities.models import Opportunity, Pipeline

    # The sales rep with the most open opportunities: the board's worst case.
    rep_id = (
        Opportunity.objects.filter(stage__kind="open")
        .values("owner_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("owner_id", flat=True)[0]
    )
    rep = User.objects.get(pk=rep_id)
    open_count = Opportunity.objects.filter(stage__kind="open", owner=rep).count()
    pipeline_id = (
        Opportunity.objects.filter(owner=rep, stage__kind="open")
        .values_list("pipeline_id", flat=True)
        .first()
    )
    pipeline = Pipeline.objects.filter(pk=pipeline_id).first()
    # A contact of the rep's with 200 activities on its timeline (added once, then reused).
    contact = Contact.objects.filter(owner=rep).order_by("id").first()
    assert contact is not None and pipeline is not None
    ct = ContentType.objects.get_for_model(Contact)
    have = Activity.objects.filter(related_type=ct, related_id=contact.pk).count()
    if have < 200:
        now = dt.datetime.now(dt.UTC)
        Activity.objects.bulk_create(
            Activity(
                kind="note",
                subject=f"Bench note {i}",
                body="Timeline entry for the benchmark.",
                related_type=ct,
                related_id=contact.pk,
                owner=rep,
                created_at=now - dt.timedelta(hours=i),
                updated_at=now - dt.timedelta(hours=i),
            )
            for i in range(200 - have)
        )
    client = Client()
    client.force_login(rep)
    scenarios = [
        (
            "contact list page (50 rows)",
            "/contacts/?ordering=display_name",
            f"owner {rep.username}",
        ),
        (
            "record page, 200 timeline entries",
            f"/contacts/{contact.pk}/",
            f"contact {contact.pk}",
        ),
        (
            "pipeline board, open opportunities",
            f"/opportunities/board/?pipeline={pipeline.pk}&owner={rep.pk}",
            f"{open_count} open opportunities of {rep.username}",
        ),
    ]
    results = []
    for name, url, note in scenarios:
        for _ in range(5):  # warm-up: caches, compiled templates
            assert client.get(url).status_code == 200, url
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        results.append((name, times, note))
    return results


def table(results: list[tuple[str, list[float], str]]) -> str:
    lines = [
        "| screen | requests | median ms | p95 ms | target | measured on |",
        "|---|---:|---:|---:|---|---|",
    ]
    for name, times, note in results:
        p95 = _percentile(times, 95)
        ceiling = TARGETS[name]
        verdict = "met" if p95 <= ceiling else "MISSED"
        lines.append(
            f"| {name} | {len(times)} | {statistics.median(times):.1f} | {p95:.1f} | "
            f"{verdict} (p95 ≤ {ceiling:.0f} ms) | {note} |"
        )
    return "\n".join(lines)


def write_docs(report: str) -> None:
    section_write(
        START,
        END,
        f"Last run {dt.date.today().isoformat()}; single process, in-process "
        f"Django handler time per request.\n\n{report}",
        heading="## Web UI (server time)",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ui", description=__doc__)
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "bench" / "bench.sqlite3")
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        results = measure(args.requests)
        report = table(results)
        print(report)
        write_docs(report)
        return 0
    db = args.db.resolve()
    built = ensure(db, args.contacts, args.seed)
    print(f"database: {db} ({f'built in {built:.0f} s' if built else 'reused'})")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(db),
        # Base settings (DEBUG off): production's manifest storage would need collectstatic.
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    }
    subprocess.run([*RAPPORT, "migrate", "--noinput", "-v", "0"], check=True, env=env, cwd=ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bench.ui", "--child", "--requests", str(args.requests)],
        env=env,
        cwd=ROOT,
        check=False,
    ).returncode


if __name__ == "__main__":
    sys.exit(main())
