"""One timeline per record: field changes from the change log plus what domain apps add
(activities, stage changes) through ``timeline_source``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models

from rapport.core.selectors import record_changes


@dataclass(frozen=True)
class TimelineItem:
    time: dt.datetime
    kind: str  # "activity.<kind>", "change.<action>", "stage.entered", ...
    title: str
    detail: dict[str, Any]


TimelineSource = Callable[[Any, models.Model, int], Iterable[TimelineItem]]
_sources: list[TimelineSource] = []


def timeline_source(source: TimelineSource) -> TimelineSource:
    if source not in _sources:
        _sources.append(source)
    return source


def _changes(user: Any, record: models.Model, limit: int) -> Iterable[TimelineItem]:
    for entry in record_changes(record)[:limit]:
        yield TimelineItem(
            time=entry.time,
            kind=f"change.{entry.action}",
            title=", ".join(entry.changed_fields) if entry.action == "update" else entry.action,
            detail={
                "user": entry.user_id,
                "channel": entry.channel,
                "before": entry.before,
                "after": entry.after,
            },
        )


def record_timeline(*, user: Any, record: models.Model, limit: int = 200) -> list[TimelineItem]:
    """The newest ``limit`` timeline items of ``record`` that ``user`` may see."""
    items: list[TimelineItem] = list(_changes(user, record, limit))
    for source in _sources:
        items.extend(source(user, record, limit))
    items.sort(key=lambda i: i.time, reverse=True)
    return items[:limit]
