"""Housekeeping tasks of the platform and their place in the periodic schedule."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from rapport.core.models import ScheduledRun
from rapport.core.schedule import schedule


@task()
def task_results_prune() -> int:
    """Delete finished results of the database queue, and scheduler rows, past the retention.

    Returns the number of task results deleted. The newest scheduler row of each job is kept
    whatever its age: it is what stops a job with a long period from running again.
    """
    cutoff = timezone.now() - timedelta(days=settings.RAPPORT_TASK_RESULT_RETENTION_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    newest = ScheduledRun.objects.values("job").annotate(newest=Max("slot"))
    for row in newest:
        ScheduledRun.objects.filter(job=row["job"], slot__lt=min(cutoff, row["newest"])).delete()
    return deleted


@task()
def sessions_clear_expired() -> bool:
    """Delete expired sessions (what ``clearsessions`` does) for the configured session engine.

    Returns False when the engine cannot clear expired sessions (a third-party engine without
    ``clear_expired``); the built-in engines that keep nothing server-side simply do nothing.
    """
    engine = import_module(settings.SESSION_ENGINE)
    try:
        engine.SessionStore.clear_expired()
    except NotImplementedError:
        return False
    return True


# Off the hour, so that they do not pile up with every other job people schedule at :00.
schedule.register(name="core.task_results_prune", task=task_results_prune, cron="17 3 * * *")
schedule.register(
    name="core.sessions_clear_expired", task=sessions_clear_expired, cron="43 * * * *"
)
