"""The periodic-job registry, slot arithmetic and exactly-once claims on real database rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django_tasks.exceptions import InvalidTaskError
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from rapport.core.models import ScheduledRun
from rapport.core.schedule import Schedule, ScheduleError, schedule_autodiscover
from rapport.core.schedule_runner import (
    MAX_SLEEP,
    Enqueued,
    schedule_next_wake,
    schedule_run_due,
    scheduled_run_claim,
)
from rapport.core.tasks import sessions_clear_expired, task_results_prune

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def database_queue(settings: Settings) -> None:
    settings.TASKS = DATABASE_QUEUE


@pytest.fixture
def two_jobs() -> Schedule:
    schedule = Schedule()
    schedule.register(name="every-15-min", task=task_results_prune, every=timedelta(minutes=15))
    schedule.register(name="nightly", task=sessions_clear_expired, cron="17 3 * * *")
    return schedule


class TestSlots:
    @pytest.mark.parametrize(
        ("now", "slot", "next_slot"),
        [
            ("2024-05-02T10:07:30", "2024-05-02T10:00:00", "2024-05-02T10:15:00"),
            ("2024-05-02T10:15:00", "2024-05-02T10:15:00", "2024-05-02T10:30:00"),
            ("2024-05-02T10:14:59.999999", "2024-05-02T10:00:00", "2024-05-02T10:15:00"),
        ],
    )
    def test_interval_slots_are_multiples_of_the_interval(
        self, two_jobs: Schedule, now: str, slot: str, next_slot: str
    ) -> None:
        job = next(j for j in two_jobs if j.name == "every-15-min")
        assert job.slot_at(at(now)) == at(slot)
        assert job.next_slot_after(at(now)) == at(next_slot)

    @pytest.mark.parametrize(
        ("now", "slot", "next_slot"),
        [
            ("2024-05-02T03:16:59", "2024-05-01T03:17:00", "2024-05-02T03:17:00"),
            ("2024-05-02T03:17:00", "2024-05-02T03:17:00", "2024-05-03T03:17:00"),
            ("2024-05-02T23:00:00", "2024-05-02T03:17:00", "2024-05-03T03:17:00"),
        ],
    )
    def test_cron_slots_are_the_fire_times(
        self, two_jobs: Schedule, now: str, slot: str, next_slot: str
    ) -> None:
        job = next(j for j in two_jobs if j.name == "nightly")
        assert job.slot_at(at(now)) == at(slot)
        assert job.next_slot_after(at(now)) == at(next_slot)

    def test_cron_is_read_in_the_configured_time_zone(self, settings: Settings) -> None:
        settings.TIME_ZONE = "Asia/Shanghai"
        schedule = Schedule()
        job = schedule.register(name="morning", task=task_results_prune, cron="0 9 * * *")
        # 09:30 in Shanghai is 01:30 UTC; the 09:00 slot starts at 01:00 UTC
        assert job.slot_at(at("2024-05-02T01:30:00")) == at("2024-05-02T01:00:00")

    def test_next_wake_is_the_earliest_next_slot_but_never_far_away(
        self, two_jobs: Schedule
    ) -> None:
        assert schedule_next_wake(schedule=two_jobs, now=at("2024-05-02T10:14:50")) == at(
            "2024-05-02T10:15:00"
        )
        now = at("2024-05-02T10:00:00")
        assert schedule_next_wake(schedule=two_jobs, now=now) == now + MAX_SLEEP


class TestRegistration:
    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({}, "exactly one of"),
            ({"every": timedelta(hours=1), "cron": "0 * * * *"}, "exactly one of"),
            ({"cron": "61 * * * *"}, "invalid cron"),
            ({"every": timedelta(milliseconds=10)}, "at least one second"),
        ],
    )
    def test_invalid_registrations_are_refused(self, kwargs: dict, message: str) -> None:
        schedule = Schedule()
        with pytest.raises(ScheduleError, match=message):
            schedule.register(name="job", task=task_results_prune, **kwargs)
        assert len(schedule) == 0

    def test_a_name_is_registered_once(self) -> None:
        schedule = Schedule()
        schedule.register(name="job", task=task_results_prune, cron="0 * * * *")
        with pytest.raises(ScheduleError, match="already registered"):
            schedule.register(name="job", task=sessions_clear_expired, every=timedelta(hours=1))
        assert [job.task for job in schedule] == [task_results_prune]

    def test_the_project_schedule_holds_the_housekeeping_jobs(self) -> None:
        schedule = schedule_autodiscover()
        assert "core.task_results_prune" in schedule
        assert "core.sessions_clear_expired" in schedule


@pytest.mark.django_db
@pytest.mark.usefixtures("database_queue")
class TestExactlyOnce:
    def test_due_jobs_are_enqueued_once_per_slot(self, two_jobs: Schedule) -> None:
        now = at("2024-05-02T10:07:30")

        first = schedule_run_due(schedule=two_jobs, now=now)
        again = schedule_run_due(schedule=two_jobs, now=now + timedelta(minutes=5))

        assert [(run.job, run.slot) for run in first] == [
            ("every-15-min", at("2024-05-02T10:00:00")),
            ("nightly", at("2024-05-02T03:17:00")),
        ]
        assert again == []
        rows = ScheduledRun.objects.order_by("job")
        assert [(r.job, r.slot, r.task_result_id) for r in rows] == [
            (run.job, run.slot, run.task_result_id) for run in first
        ]
        assert sorted(str(r.id) for r in DBTaskResult.objects.all()) == sorted(
            run.task_result_id for run in first
        )

    def test_the_next_slot_is_enqueued_again(self, two_jobs: Schedule) -> None:
        schedule_run_due(schedule=two_jobs, now=at("2024-05-02T10:07:30"))

        later = schedule_run_due(schedule=two_jobs, now=at("2024-05-02T10:15:00"))

        assert [(run.job, run.slot) for run in later] == [
            ("every-15-min", at("2024-05-02T10:15:00"))
        ]
        assert DBTaskResult.objects.count() == 3

    def test_a_slot_claimed_by_another_scheduler_is_skipped(self, two_jobs: Schedule) -> None:
        job = next(j for j in two_jobs if j.name == "nightly")
        slot = at("2024-05-02T03:17:00")
        ScheduledRun.objects.create(job="nightly", slot=slot, enqueued_at=slot)

        assert scheduled_run_claim(job=job, slot=slot) is None

        assert ScheduledRun.objects.count() == 1
        assert DBTaskResult.objects.count() == 0

    def test_a_failed_enqueue_leaves_the_slot_unclaimed(self, settings: Settings) -> None:
        # given a job routed to a queue that the backend stopped serving
        settings.TASKS = {
            "default": {**DATABASE_QUEUE["default"], "QUEUES": ["default", "reports"]}
        }
        elsewhere = task_results_prune.using(queue_name="reports")
        job = Schedule().register(name="misrouted", task=elsewhere, every=timedelta(hours=1))
        settings.TASKS = DATABASE_QUEUE

        with pytest.raises(InvalidTaskError):
            scheduled_run_claim(job=job, slot=at("2024-05-02T10:00:00"))

        assert ScheduledRun.objects.count() == 0
        assert DBTaskResult.objects.count() == 0

    def test_claim_reports_what_it_enqueued(self, two_jobs: Schedule) -> None:
        job = next(j for j in two_jobs if j.name == "every-15-min")
        slot = at("2024-05-02T10:00:00")

        claimed = scheduled_run_claim(job=job, slot=slot)

        result = DBTaskResult.objects.get()
        assert claimed == Enqueued(job="every-15-min", slot=slot, task_result_id=str(result.id))
        assert result.task_path == "rapport.core.tasks.task_results_prune"
        assert result.status == "READY"
