"""The one registry of periodic jobs: which task runs, and when.

Apps register their jobs at import time of their ``tasks`` module::

    schedule.register(name="core.sessions_clear", task=sessions_clear, cron="23 * * * *")

Time is cut into slots: for an interval job, multiples of ``every`` counted from the Unix epoch;
for a cron job, the cron expression's fire times in ``settings.TIME_ZONE``. A job is due once per
slot; ``rapport.core.schedule_runner`` makes sure it is enqueued exactly once per slot.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from croniter import croniter
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django_tasks.base import Task

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# croniter's get_prev() is strictly before its start; one microsecond later makes it "at or before".
_JUST_AFTER = timedelta(microseconds=1)


class ScheduleError(ValueError):
    """Raised for an invalid registration: bad name, interval or cron expression, or a duplicate."""


@dataclass(frozen=True)
class PeriodicJob:
    """A task enqueued (without arguments) once per slot of an interval or a cron expression."""

    name: str
    task: Task[[], Any]
    every: timedelta | None = None
    cron: str | None = None

    def slot_at(self, now: datetime) -> datetime:
        """The start of the slot that contains ``now`` (aware, UTC)."""
        if self.every is not None:
            periods = (now - EPOCH) // self.every
            return EPOCH + periods * self.every
        start = timezone.localtime(now) + _JUST_AFTER
        fire: datetime = croniter(self.cron, start).get_prev(datetime)
        return fire.astimezone(UTC)

    def next_slot_after(self, now: datetime) -> datetime:
        """The start of the first slot after the one that contains ``now`` (aware, UTC)."""
        if self.every is not None:
            return self.slot_at(now) + self.every
        fire: datetime = croniter(self.cron, timezone.localtime(now)).get_next(datetime)
        return fire.astimezone(UTC)


class Schedule:
    """A set of periodic jobs keyed by name; the project uses the module-level ``schedule``."""

    def __init__(self) -> None:
        self._jobs: dict[str, PeriodicJob] = {}

    def register(
        self,
        *,
        name: str,
        task: Task[[], Any],
        every: timedelta | None = None,
        cron: str | None = None,
    ) -> PeriodicJob:
        """Add a job that runs ``task`` every ``every`` or at the times of ``cron``, not both."""
        if not name or len(name) > 100:
            raise ScheduleError("a periodic job needs a name of 1 to 100 characters")
        if name in self._jobs:
            raise ScheduleError(f"periodic job {name!r} is already registered")
        if (every is None) == (cron is None):
            raise ScheduleError(f"periodic job {name!r} needs exactly one of every= and cron=")
        if every is not None and every < timedelta(seconds=1):
            raise ScheduleError(f"periodic job {name!r}: every= must be at least one second")
        if cron is not None and not croniter.is_valid(cron):
            raise ScheduleError(f"periodic job {name!r}: invalid cron expression {cron!r}")
        job = PeriodicJob(name=name, task=task, every=every, cron=cron)
        self._jobs[name] = job
        return job

    def unregister(self, name: str) -> None:
        """Remove a job; a no-op when it is not registered."""
        self._jobs.pop(name, None)

    def __iter__(self) -> Iterator[PeriodicJob]:
        return iter(sorted(self._jobs.values(), key=lambda job: job.name))

    def __len__(self) -> int:
        return len(self._jobs)

    def __contains__(self, name: object) -> bool:
        return name in self._jobs


schedule = Schedule()


def schedule_autodiscover() -> Schedule:
    """Import every installed app's ``tasks`` module, where apps register their jobs."""
    autodiscover_modules("tasks")
    return schedule
