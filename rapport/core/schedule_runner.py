"""The scheduler: enqueue each periodic job once per slot, however many schedulers run.

Exactly-once comes from the database, not from a lock held by one process: a scheduler first
inserts a ``ScheduledRun(job, slot)`` row, which has a unique constraint, and enqueues the task in
the same transaction only when its insert succeeded. A scheduler that starts late enqueues the
current slot of a job that has not run yet (one catch-up run, never a backlog).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, close_old_connections, connections, transaction
from django.utils import timezone

from rapport.core.models import ScheduledRun
from rapport.core.schedule import PeriodicJob, Schedule

logger = logging.getLogger(__name__)

# Upper bound on one sleep, so that a changed clock or a stop request is noticed soon.
MAX_SLEEP = timedelta(seconds=30)


@dataclass(frozen=True)
class Enqueued:
    """A job this scheduler enqueued for one slot."""

    job: str
    slot: datetime
    task_result_id: str


def scheduled_run_claim(*, job: PeriodicJob, slot: datetime) -> Enqueued | None:
    """Record ``slot`` of ``job`` and enqueue its task, or return None if another scheduler did.

    The row and (for the database queue) the task result are written in one transaction, so a
    failed enqueue leaves the slot unclaimed and the next tick tries again.
    """
    if ScheduledRun.objects.filter(job=job.name, slot=slot).exists():
        return None
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(job=job.name, slot=slot, enqueued_at=timezone.now())
            result = job.task.enqueue()
            run.task_result_id = result.id
            run.save(update_fields=["task_result_id"])
    except IntegrityError:
        return None
    logger.info("enqueued periodic job %s for slot %s as %s", job.name, slot, result.id)
    return Enqueued(job=job.name, slot=slot, task_result_id=result.id)


def schedule_run_due(*, schedule: Schedule, now: datetime | None = None) -> list[Enqueued]:
    """Enqueue every job of ``schedule`` whose current slot has not been claimed yet."""
    now = now or timezone.now()
    enqueued: list[Enqueued] = []
    for job in schedule:
        claimed = scheduled_run_claim(job=job, slot=job.slot_at(now))
        if claimed is not None:
            enqueued.append(claimed)
    return enqueued


def schedule_next_wake(*, schedule: Schedule, now: datetime) -> datetime:
    """When the scheduler should look again: the earliest next slot, at most MAX_SLEEP away."""
    wake = now + MAX_SLEEP
    for job in schedule:
        wake = min(wake, job.next_slot_after(now))
    return wake


def schedule_loop(*, schedule: Schedule, stop: threading.Event) -> None:
    """Run ``schedule_run_due`` at every slot boundary until ``stop`` is set.

    A failing tick (database briefly unavailable, Redis down) is logged and retried on the next
    wake-up instead of ending the loop.
    """
    logger.info("scheduler started with %d periodic jobs", len(schedule))
    while not stop.is_set():
        close_old_connections()
        try:
            schedule_run_due(schedule=schedule)
        except Exception:
            logger.exception("scheduler tick failed; retrying at the next wake-up")
        now = timezone.now()
        stop.wait(max((schedule_next_wake(schedule=schedule, now=now) - now).total_seconds(), 0.05))
    # Connections are per thread: close this thread's own before it ends.
    connections.close_all()
    logger.info("scheduler stopped")
