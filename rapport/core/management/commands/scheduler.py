"""``rapport scheduler``: enqueue periodic jobs at their slots until stopped."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rapport.core.schedule import schedule_autodiscover
from rapport.core.schedule_runner import schedule_loop, schedule_run_due


class Command(BaseCommand):
    help = (
        "Enqueue the registered periodic jobs, each once per slot. Safe to run on several "
        "machines at once. `rapport worker` already runs one unless given --no-scheduler."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Enqueue the jobs that are due now, then exit (for cron or a one-off catch-up).",
        )

    def handle(self, *args: Any, once: bool, **options: Any) -> None:
        schedule = schedule_autodiscover()
        if once:
            for run in schedule_run_due(schedule=schedule):
                self.stdout.write(f"enqueued {run.job} for {run.slot.isoformat()}")
            return
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        self.stdout.write(f"Scheduler running {len(schedule)} periodic jobs; Ctrl+C stops it.")
        schedule_loop(schedule=schedule, stop=stop)
