"""Forecast periods: a calendar month ("2026-11") or quarter ("2026-Q4")."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from rapport.forecasts.choices import PeriodKind

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: dt.date  # the first day

    @property
    def months(self) -> list[dt.date]:
        """The first day of each month of the period."""
        count = 3 if self.kind == PeriodKind.QUARTER else 1
        return [month_add(self.start, i) for i in range(count)]

    @property
    def end(self) -> dt.date:
        """The first day after the period."""
        return month_add(self.start, len(self.months))

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def key(self) -> str:
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    def previous(self) -> Period:
        return Period(self.kind, month_add(self.start, -len(self.months)))

    def next(self) -> Period:
        return Period(self.kind, self.end)


def month_add(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_parse(text: str) -> Period:
    """``2026-11`` or ``2026-Q4``; a ValidationError naming ``period`` otherwise."""
    value = (text or "").strip()
    match = _MONTH.match(value)
    if match and 1 <= int(match[2]) <= 12:
        return Period(PeriodKind.MONTH, dt.date(int(match[1]), int(match[2]), 1))
    match = _QUARTER.match(value)
    if match:
        return Period(PeriodKind.QUARTER, dt.date(int(match[1]), (int(match[2]) - 1) * 3 + 1, 1))
    raise ValidationError(
        {
            "period": ValidationError(
                _("Enter a month as YYYY-MM (2026-11) or a quarter as YYYY-Qn (2026-Q4)."),
                code="invalid_period",
            )
        }
    )


def period_of(kind: str, start: dt.date) -> Period:
    return Period(PeriodKind(kind), start)


def period_current(kind: PeriodKind, today: dt.date) -> Period:
    if kind == PeriodKind.QUARTER:
        return Period(kind, dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1))
    return Period(kind, today.replace(day=1))


def period_start_valid(kind: str, start: dt.date) -> bool:
    """A month starts on its first day; a quarter on the first day of January, April, July
    or October."""
    if start.day != 1:
        return False
    return kind != PeriodKind.QUARTER or start.month in (1, 4, 7, 10)
