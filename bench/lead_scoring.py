"""``python -m bench.lead_scoring``: lead scoring speed on a database of its own (a temporary
SQLite file, migrated): ``--leads`` leads (100,000 by default; a third of them qualified or
disqualified, a fifth with activities), six rules (two of them behaviour rules). Measures
training the learned model, rescoring every lead (``leads_rescore``), and scoring one lead as
its save does (``lead_score_refresh``). Prints a table and writes it into docs/benchmarks.md
between its markers (target: thousands of leads per second)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.database import RAPPORT, ROOT, database_url
from bench.docs import section_write

TARGET_PER_SECOND = 1000.0
START, END = "<!-- bench:lead_scoring -->", "<!-- /bench:lead_scoring -->"
INDUSTRIES = ("software", "retail", "finance", "education", "healthcare", "manufacturing")
TITLES = ("Director of IT", "VP Sales", "技术总监", "Engineer", "Intern", "Analyst", "CEO", "")


def _load(leads: int, seed: int) -> None:
    """Leads, activities and rules written in bulk (the scores are what is measured)."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from rapport.activities.models import Activity
    from rapport.identity.models import User
    from rapport.leads.models import Lead
    from rapport.scoring.models import ScoringRule

    rng = random.Random(seed)
    owner = User.objects.create_user("bench-scoring", "bench@example.com", "x")
    now = timezone.now()
    batch = []
    for i in range(leads):
        industry, title = rng.choice(INDUSTRIES), rng.choice(TITLES)
        decided = rng.random() < 1 / 3
        chance = 0.15 + (0.4 if industry == "software" else 0) + (0.3 if "VP" in title else 0)
        status = "new"
        if decided:
            status = "qualified" if rng.random() < chance else "disqualified"
        batch.append(
            Lead(
                owner=owner,
                given_name=f"Lead{i}",
                family_name="Bench",
                display_name=f"Lead{i} Bench",
                email=f"lead{i}@bench.example" if rng.random() < 0.8 else "",
                job_title=title,
                industry=industry,
                employee_count=rng.choice((None, 10, 50, 200, 1000, 5000)),
                country=rng.choice(("DE", "US", "CN", "FR", "")),
                source=rng.choice(("web", "event", "referral", "partner")),
                status=status,
                disqualified_reason="no_need" if status == "disqualified" else "",
            )
        )
    Lead.objects.bulk_create(batch, batch_size=5000)
    lead_type = ContentType.objects.get_for_model(Lead)
    ids = list(Lead.objects.values_list("id", flat=True))
    activities = [
        Activity(
            owner=owner,
            kind=rng.choice(("call", "meeting", "email")),
            subject="Bench",
            related_type=lead_type,
            related_id=lead_id,
            created_at=now - dt.timedelta(days=rng.randint(0, 120)),
        )
        for lead_id in rng.sample(ids, len(ids) // 5)
        for _ in range(rng.randint(1, 3))
    ]
    Activity.objects.bulk_create(activities, batch_size=5000)
    rules = [
        ("Software", "field", "industry", "", None, "equals", "software", 10),
        ("Big company", "field", "employee_count", "", None, "at_least", "1000", 15),
        ("No email", "field", "email", "", None, "is_empty", "", -20),
        ("Senior", "field", "job_title", "", None, "contains", "VP", 10),
        ("Called lately", "behaviour", "", "call", 30, "at_least", "1", 5),
        ("Met", "behaviour", "", "meeting", None, "is_set", "", 20),
    ]
    ScoringRule.objects.bulk_create(
        ScoringRule(
            name=name,
            kind=kind,
            field=field,
            behaviour=behaviour,
            within_days=days,
            operator=operator,
            value=value,
            points=points,
        )
        for name, kind, field, behaviour, days, operator, value, points in rules
    )


def measure(leads: int, seed: int, saves: int) -> list[tuple[str, float, str]]:
    """Runs inside the Django process set up on the temporary database."""
    import django

    django.setup()
    from rapport.framework.actor import Actor
    from rapport.leads.models import Lead
    from rapport.scoring.services import lead_score_refresh, leads_rescore, scoring_model_train

    _load(leads, seed)
    actor = Actor.system()
    results = []
    started = time.perf_counter()
    model = scoring_model_train(actor=actor)
    seconds = time.perf_counter() - started
    results.append(
        (
            "train the learned model",
            seconds,
            f"{model.positives + model.negatives} decided leads; holdout AUC {model.auc:.3f}, "
            f"Brier {model.brier:.3f}",
        )
    )
    for label in ("rescore every lead (rules only)", "rescore every lead (rules + model)"):
        if "only" in label:
            from rapport.scoring.models import LeadScoringModel

            kept = list(LeadScoringModel.objects.all())
            LeadScoringModel.objects.all().delete()
        started = time.perf_counter()
        done = leads_rescore(actor=actor)
        seconds = time.perf_counter() - started
        results.append((label, seconds, f"{done} leads, {done / seconds:,.0f} leads/s"))
        if "only" in label:
            for row in kept:
                row.save(force_insert=True)
    sample = list(Lead.objects.order_by("?")[:saves])
    times = []
    for lead in sample:
        started = time.perf_counter()
        lead_score_refresh(lead=lead)
        times.append(time.perf_counter() - started)
    p95 = sorted(times)[int(0.95 * (len(times) - 1))]
    results.append(
        (
            "score one lead as its save does",
            statistics.median(times),
            f"median of {len(times)}; p95 {p95 * 1000:.1f} ms",
        )
    )
    return results


def table(results: list[tuple[str, float, str]], leads: int) -> str:
    lines = ["| step | seconds | measured |", "|---|---:|---|"]
    for name, seconds, note in results:
        lines.append(f"| {name} | {seconds:.3f} | {note} |")
    rescore = [s for name, s, _n in results if name.startswith("rescore every lead (rules +")]
    rate = leads / rescore[0] if rescore else 0.0
    verdict = "met" if rate >= TARGET_PER_SECOND else "MISSED"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        "\n".join(lines) + f"\n\nRescore with rules and model: {rate:,.0f} leads/s, target "
        f"≥ {TARGET_PER_SECOND:,.0f} leads/s: {verdict}. Machine: {os.cpu_count()} cores, "
        f"load average {load} at the end."
    )


def write_docs(report: str, leads: int) -> None:
    section_write(
        START,
        END,
        f"Last run {dt.date.today().isoformat()}; `python -m bench.lead_scoring "
        f"--leads {leads}`: one process, SQLite, {leads:,} leads, 6 rules (2 behaviour rules), "
        f"a fifth of the leads with 1-3 activities.\n\n{report}",
        heading="## Lead scoring",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lead_scoring", description=__doc__)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        report = table(measure(args.leads, args.seed, args.saves), args.leads)
        print(report)
        write_docs(report, args.leads)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-scoring-") as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(Path(tmp) / "scoring.sqlite3"),
            "RAPPORT_VAR_DIR": tmp,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
        }
        subprocess.run([*RAPPORT, "migrate", "--noinput", "-v", "0"], check=True, env=env, cwd=ROOT)
        command = [sys.executable, "-m", "bench.lead_scoring", "--child"]
        command += ["--leads", str(args.leads), "--seed", str(args.seed)]
        command += ["--saves", str(args.saves)]
        return subprocess.run(command, env=env, cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
