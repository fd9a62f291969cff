from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from rapport.activities.models import Activity
from rapport.framework.timeline import TimelineItem


def activities_for_record(*, user: Any, record: models.Model) -> models.QuerySet[Activity]:
    """Activities linked to ``record`` that ``user`` may see, newest first."""
    return (
        Activity.objects.restrict(user, "view")
        .filter(
            related_type=ContentType.objects.get_for_model(type(record)),
            related_id=record.pk,
        )
        .order_by("-created_at", "-id")
    )


def activity_timeline(user: Any, record: models.Model, limit: int) -> Iterable[TimelineItem]:
    for a in activities_for_record(user=user, record=record)[:limit]:
        yield TimelineItem(
            time=a.start_at or a.due_at or a.created_at,
            kind=f"activity.{a.kind}",
            title=a.subject,
            detail={"id": a.pk, "done": a.done, "body": a.body},
        )
