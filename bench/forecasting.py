"""Forecasting benchmark on the 1,000,000-contact database (300,000 opportunities).

Times training the win-probability model (reading the closed deals, their stage history and
activities, the holdout evaluation and the final refit) against its 60 s target and scoring
every open opportunity (read, predict, bulk write) against its 10 s target; reports the
holdout Brier score of the model against the stage defaults, and the bookings forecast's
rolling-origin backtest against seasonal naive. Writes its section of docs/benchmarks.md.

    python -m bench.forecasting [--db PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.database import RAPPORT, ROOT, database_url, ensure
from bench.docs import section_write

START, END = "<!-- bench:forecasting -->", "<!-- /bench:forecasting -->"
TRAIN_TARGET_S = 60.0
SCORE_TARGET_S = 10.0


def measure() -> str:
    """Run inside the benchmark database's Django; returns the Markdown report."""
    # Imported here: Django must be set up first, in the child process that has the
    # benchmark database's DATABASE_URL.
    import django

    django.setup()
    from django.core.cache import cache
    from django.db.models import Count

    from rapport.framework.actor import Actor
    from rapport.opportunities.models import Opportunity
    from rapport.orders.models import Order
    from rapport.predictions.bookings import bookings_forecast
    from rapport.predictions.services import win_model_train, win_probabilities_score

    opportunities = Opportunity.objects.count()
    open_count = Opportunity.objects.filter(closed_at__isnull=True).count()
    orders = Order.objects.aggregate(n=Count("id"))["n"]
    started = time.perf_counter()
    model = win_model_train(actor=Actor.system())
    train_s = time.perf_counter() - started
    started = time.perf_counter()
    scored = win_probabilities_score(actor=Actor.system())
    score_s = time.perf_counter() - started
    m = model.metrics
    cache.clear()
    started = time.perf_counter()
    bookings = bookings_forecast(horizon=12)
    bookings_s = time.perf_counter() - started

    def verdict(seconds: float, target: float) -> str:
        return f"{'met' if seconds <= target else 'MISSED'} (≤ {target:.0f} s)"

    lines = [
        f"Last run {dt.date.today().isoformat()}: {opportunities:,} opportunities "
        f"({m['closed']:,} closed: {m['won']:,} won, {m['lost']:,} lost; {open_count:,} open), "
        f"{orders:,} orders. One OpenMP thread for the model (``THREADS``), on a 2-core "
        "machine shared with other jobs: times vary with its load.",
        "",
        "| step | seconds | target | notes |",
        "|---|---:|---|---|",
        f"| train win-probability model | {train_s:.1f} | {verdict(train_s, TRAIN_TARGET_S)} | "
        f"read + {model.training_rows:,} stage snapshots, {m['training_rows']:,}-row sample "
        f"per fit; {m['calibration']} calibration, 3 folds; holdout + refit |",
        f"| score all open opportunities | {score_s:.1f} | {verdict(score_s, SCORE_TARGET_S)} | "
        f"{scored:,} scored: read, predict, bulk write |",
        f"| bookings forecast + backtest | {bookings_s:.1f} | - | "
        f"{len(bookings['history'])} months, {bookings.get('model')} |",
        "",
        f"Win probability on the holdout (newest 20 % of closes: {m['holdout_opportunities']:,} "
        f"deals, {m['holdout_rows']:,} stage snapshots):",
        "",
        "| probabilities | Brier score | log loss |",
        "|---|---:|---:|",
        f"| model | {m['model']['brier']:.4f} | {m['model']['log_loss']:.4f} |",
        f"| model before calibration | {m['uncalibrated_brier']:.4f} | |",
        f"| stage defaults | {m['stage_default']['brier']:.4f} | "
        f"{m['stage_default']['log_loss']:.4f} |",
        "",
        f"Brier skill score against the stage defaults: {m['brier_skill_score']:.3f}.",
    ]
    backtest = bookings.get("backtest")
    if backtest:
        lines += [
            "",
            f"Bookings ({bookings['currency']}, {bookings['orders']:,} orders + "
            f"{bookings['won_without_order']:,} won deals without an order), rolling origin: "
            f"{backtest['origins']} origins, {backtest['horizon']} months ahead:",
            "",
            "| method | MASE | MAPE % |",
            "|---|---:|---:|",
            f"| {bookings['model']} | {backtest['model']['mase']:.3f} | "
            f"{backtest['model']['mape']:.1f} |",
            f"| seasonal naive | {backtest['seasonal_naive']['mase']:.3f} | "
            f"{backtest['seasonal_naive']['mape']:.1f} |",
            "",
            f"Actuals inside the 80 % interval: {backtest['coverage_80']:.2f}; inside the 95 % "
            f"interval: {backtest['coverage_95']:.2f}.",
        ]
    return "\n".join(lines)


def write_docs(report: str) -> None:
    section_write(START, END, report, heading="## Forecasting")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.forecasting", description=__doc__)
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "bench" / "bench.sqlite3")
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        report = measure()
        print(report)
        write_docs(report)
        return 0
    db = args.db.resolve()
    built = ensure(db, args.contacts, args.seed)
    print(f"database: {db} ({f'built in {built:.0f} s' if built else 'reused'})", flush=True)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(db),
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    subprocess.run([*RAPPORT, "migrate", "--noinput", "-v", "0"], check=True, env=env, cwd=ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bench.forecasting", "--child"], env=env, cwd=ROOT, check=False
    ).returncode


if __name__ == "__main__":
    sys.exit(main())
