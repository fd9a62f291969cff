"""How many records of each kind a demo of N contacts holds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoPlan:
    """Record counts and time span derived from the number of contacts.

    For N contacts: N/10 accounts, 0.3 N opportunities, N activities, N/5 leads and
    max(5, N/20000) sales reps, spread over ``years`` years ending at ``as_of``.
    """

    contacts: int
    seed: int
    as_of: dt.date
    years: int = 4
    batch_size: int = 5000

    @property
    def accounts(self) -> int:
        return max(1, self.contacts // 10)

    @property
    def opportunities(self) -> int:
        return self.contacts * 3 // 10

    @property
    def activities(self) -> int:
        return self.contacts

    @property
    def leads(self) -> int:
        return self.contacts // 5

    @property
    def reps(self) -> int:
        return max(5, self.contacts // 20000)


@dataclass
class DemoResult:
    """What a demo load wrote: rows per table and the elapsed time."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    skipped: bool = False

    def add(self, table: str, rows: int) -> None:
        self.counts[table] = self.counts.get(table, 0) + rows
