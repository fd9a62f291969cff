"""The housekeeping tasks: pruning old task results and clearing expired sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from rapport.core.models import ScheduledRun
from rapport.core.tasks import sessions_clear_expired, task_results_prune
from rapport.core.tests.sample_tasks import multiply

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def queued_result(settings: Settings, *, status: str, finished_days_ago: int | None) -> str:
    settings.TASKS = DATABASE_QUEUE
    result_id = multiply.enqueue(2, 3).id
    finished_at = (
        None if finished_days_ago is None else timezone.now() - timedelta(days=finished_days_ago)
    )
    DBTaskResult.objects.filter(id=result_id).update(status=status, finished_at=finished_at)
    return result_id


def test_prune_deletes_only_finished_results_past_the_retention(settings: Settings) -> None:
    # given results that finished 20 and 3 days ago, one that failed 15 days ago, one still queued
    settings.RAPPORT_TASK_RESULT_RETENTION_DAYS = 14
    old = queued_result(settings, status=TaskResultStatus.SUCCESSFUL, finished_days_ago=20)
    recent = queued_result(settings, status=TaskResultStatus.SUCCESSFUL, finished_days_ago=3)
    failed = queued_result(settings, status=TaskResultStatus.FAILED, finished_days_ago=15)
    waiting = queued_result(settings, status=TaskResultStatus.READY, finished_days_ago=None)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    # when the prune task runs through the Tasks API
    result = task_results_prune.enqueue()

    # then the two old finished results are gone and the others are kept
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 2
    remaining = {str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)}
    assert remaining == {recent, waiting}
    assert not {old, failed} & remaining


def test_prune_keeps_the_newest_scheduler_row_of_each_job(settings: Settings) -> None:
    settings.RAPPORT_TASK_RESULT_RETENTION_DAYS = 14
    now = timezone.now()
    for job, days_ago in [("hourly", 30), ("hourly", 20), ("hourly", 1), ("yearly", 200)]:
        slot = now - timedelta(days=days_ago)
        ScheduledRun.objects.create(job=job, slot=slot, enqueued_at=slot)

    task_results_prune.call()

    kept = sorted((run.job, (now - run.slot).days) for run in ScheduledRun.objects.all())
    # the yearly job's only row stays, or it would run again at the next tick
    assert kept == [("hourly", 1), ("yearly", 200)]


def test_prune_keeps_rows_newer_than_the_cutoff(settings: Settings) -> None:
    settings.RAPPORT_TASK_RESULT_RETENTION_DAYS = 14
    slot = datetime(2099, 1, 1, tzinfo=UTC)
    ScheduledRun.objects.create(job="hourly", slot=slot, enqueued_at=slot)
    ScheduledRun.objects.create(job="hourly", slot=slot + timedelta(hours=1), enqueued_at=slot)

    task_results_prune.call()

    assert ScheduledRun.objects.count() == 2


def test_clear_sessions_deletes_expired_sessions_only() -> None:
    # given one expired and one live session in the database
    expired, live = SessionStore(), SessionStore()
    expired["user"] = "gone"
    expired.set_expiry(-60)
    expired.save()
    live["user"] = "here"
    live.save()

    # when the task runs
    result = sessions_clear_expired.enqueue()

    # then only the live session is left
    assert result.return_value is True
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
