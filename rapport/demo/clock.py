"""Fast timestamps for generated rows: strings in the form Django stores them.

Both SQLite (text) and PostgreSQL (``timestamptz`` read in the UTC session Django opens)
accept ``YYYY-MM-DD HH:MM:SS`` in UTC, so rows are built from pre-formatted day and time
strings instead of one ``datetime`` object per value.
"""

from __future__ import annotations

import datetime as dt

DAY = 86400


class Clock:
    """The demo's time window: ``years`` years of history ending at ``as_of`` (UTC midnight).

    Times are seconds from the start of the window; ``ts`` formats them, ``date`` formats days.
    """

    def __init__(self, as_of: dt.date, years: int) -> None:
        self.end_day = as_of
        self.days = years * 365
        self.start_day = as_of - dt.timedelta(days=self.days)
        self.span = self.days * DAY
        # Dates a year beyond the window cover due dates and expected close dates.
        self._days = [
            (self.start_day + dt.timedelta(days=d)).isoformat() for d in range(self.days + 2 * 366)
        ]
        self._times = [f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(DAY)]

    @property
    def now(self) -> int:
        """The end of the window, in window seconds."""
        return self.span

    def ts(self, seconds: int) -> str:
        """``YYYY-MM-DD HH:MM:SS`` (UTC) of a time in window seconds."""
        seconds = max(0, seconds)
        return self._days[seconds // DAY] + self._times[seconds % DAY]

    def date(self, seconds: int) -> str:
        """``YYYY-MM-DD`` of a time in window seconds."""
        return self._days[max(0, seconds) // DAY]

    def datetime(self, seconds: int) -> dt.datetime:
        """An aware datetime, for the few rows written through the ORM."""
        start = dt.datetime.combine(self.start_day, dt.time(), tzinfo=dt.UTC)
        return start + dt.timedelta(seconds=seconds)

    def business_hours(self, day_seconds: int, minute_of_day: int) -> int:
        """A time on the same day as ``day_seconds`` at ``minute_of_day`` (UTC)."""
        return day_seconds - day_seconds % DAY + minute_of_day * 60
