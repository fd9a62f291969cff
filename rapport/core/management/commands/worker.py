"""``rapport worker``: the task worker of the configured backend, with the scheduler beside it."""

from __future__ import annotations

import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks.backends.base import BaseTaskBackend
from django_tasks_db import DatabaseBackend
from django_tasks_rq import RQBackend

from rapport.core.schedule import schedule_autodiscover
from rapport.core.schedule_runner import schedule_loop, schedule_run_due


def worker_run(*, backend: BaseTaskBackend, batch: bool, verbosity: int) -> None:
    """Run the worker command that serves ``backend``'s queues: db_worker or rqworker."""
    queues = sorted(backend.queues)
    if isinstance(backend, DatabaseBackend):
        # No autoreload: its parent process would run a second scheduler thread.
        call_command(
            "db_worker",
            queue_name=",".join(queues),
            backend_name=backend.alias,
            batch=batch,
            reload=False,
            startup_delay=not batch,
            verbosity=verbosity,
        )
    elif isinstance(backend, RQBackend):
        # django-tasks-rq needs its own Job class; RQ's scheduler runs deferred (run_after) tasks.
        call_command(
            "rqworker",
            *queues,
            job_class="django_tasks_rq.Job",
            burst=batch,
            with_scheduler=True,
            verbosity=verbosity,
        )
    else:
        raise CommandError(
            f"task backend {type(backend).__name__} has no worker process; "
            "set TASK_BACKEND to 'database' or 'redis'"
        )


class Command(BaseCommand):
    help = (
        "Run background tasks: db_worker for the database queue, rqworker for Redis "
        "(TASK_BACKEND), plus the periodic-job scheduler in a thread."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-scheduler",
            action="store_false",
            dest="scheduler",
            help="Do not enqueue periodic jobs from this process (another one runs the scheduler).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Enqueue the periodic jobs that are due, run every queued task, then exit.",
        )

    def handle(self, *args: Any, scheduler: bool, batch: bool, **options: Any) -> None:
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        verbosity: int = options["verbosity"]
        if not scheduler:
            worker_run(backend=backend, batch=batch, verbosity=verbosity)
            return
        schedule = schedule_autodiscover()
        if batch:
            schedule_run_due(schedule=schedule)
            worker_run(backend=backend, batch=True, verbosity=verbosity)
            return
        stop = threading.Event()
        thread = threading.Thread(
            target=schedule_loop,
            kwargs={"schedule": schedule, "stop": stop},
            name="rapport-scheduler",
            daemon=True,
        )
        thread.start()
        try:
            worker_run(backend=backend, batch=False, verbosity=verbosity)
        finally:
            stop.set()
            thread.join(timeout=10)
