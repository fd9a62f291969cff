"""Reads of the workspace: My day, the home dashboard, recently viewed records and the
notifications bell. Every record read starts from ``restricted(..., "view")``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import formats, timezone

from rapport.activities.choices import ActivityKind
from rapport.activities.models import Activity
from rapport.framework.base_models import restricted
from rapport.framework.registry import get_record_type
from rapport.identity.models import User
from rapport.leads.choices import LeadStatus
from rapport.leads.models import Lead
from rapport.opportunities.choices import StageKind
from rapport.opportunities.models import Opportunity, Pipeline, Stage
from rapport.workspace.board import pipeline_default
from rapport.workspace.models import Notification, RecentView
from rapport.workspace.money import BaseConverter

# Activities that happen at a time and can be missed; notes and logged emails are records.
SCHEDULED_KINDS = (ActivityKind.TASK, ActivityKind.CALL, ActivityKind.MEETING)
LIST_LIMIT = 100


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The start of ``day`` and of the next day in the current time zone."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


# --- My day ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyDay:
    overdue: list[Activity]
    today: list[Activity]
    closing: list[Opportunity]
    recent: list[RecentRecord]


def my_activities_due(
    *, user: Any, today: dt.date, now: dt.datetime
) -> tuple[list[Activity], list[Activity]]:
    """Open tasks, calls and meetings of ``user`` (owned or taking part) due before today's
    end: ``(overdue, due today)``, earliest first. A task or call is overdue once its time has
    passed; a meeting of today stays on today's list until the day is over."""
    start, end = day_bounds(today)
    taking_part = Activity.participant_users.through.objects.filter(user_id=user.pk).values(
        "activity_id"
    )
    activities = list(
        restricted(Activity, user, "view")
        .filter(Q(owner=user) | Q(pk__in=taking_part), done=False, kind__in=SCHEDULED_KINDS)
        .annotate(when=Coalesce("due_at", "start_at"))
        .filter(when__lt=end)
        .order_by("when", "id")[: LIST_LIMIT * 2]
    )

    def is_overdue(activity: Any) -> bool:
        return bool(activity.when < (start if activity.kind == ActivityKind.MEETING else now))

    overdue = [a for a in activities if is_overdue(a)][:LIST_LIMIT]
    due_today = [a for a in activities if not is_overdue(a)][:LIST_LIMIT]
    return overdue, due_today


def my_opportunities_closing(*, user: Any, today: dt.date) -> list[Opportunity]:
    """Open opportunities of ``user`` expected to close this month, earliest first."""
    first = today.replace(day=1)
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    return list(
        restricted(Opportunity, user, "view")
        .filter(
            owner=user,
            stage__kind=StageKind.OPEN,
            expected_close_date__gte=first,
            expected_close_date__lt=next_month,
        )
        .select_related("account", "stage")
        .order_by("expected_close_date", "id")[:LIST_LIMIT]
    )


def my_day(*, user: Any, now: dt.datetime) -> MyDay:
    """Everything on the My day page of ``user`` at ``now``."""
    today = timezone.localdate(now)
    overdue, due_today = my_activities_due(user=user, today=today, now=now)
    return MyDay(
        overdue=overdue,
        today=due_today,
        closing=my_opportunities_closing(user=user, today=today),
        recent=recent_records(user=user),
    )


# --- recently viewed and notifications: records resolved through restrict ------------------


@dataclass(frozen=True)
class RecentRecord:
    record_type: str
    type_label: str
    label: str
    url: str
    viewed_at: dt.datetime


def visible_records(
    *, user: Any, refs: list[tuple[str, str]]
) -> dict[tuple[str, str], models.Model]:
    """The records named by ``(record type, id)`` that ``user`` may still see: one query per
    record type; gone, forbidden and undeclared ones are left out."""
    by_type: dict[str, list[str]] = defaultdict(list)
    for key, object_id in refs:
        by_type[key].append(object_id)
    found: dict[tuple[str, str], models.Model] = {}
    for key, ids in by_type.items():
        try:
            record_type = get_record_type(key)
        except KeyError:
            continue
        queryset = restricted(record_type.model, user, "view")
        pk_field = record_type.model._meta.pk
        try:
            pks = [pk_field.to_python(i) for i in ids] if pk_field else ids
        except ValidationError:  # an id that cannot be a key of this type: nothing to show
            continue
        for record in queryset.filter(pk__in=pks):
            found[(key, str(record.pk))] = record
    return found


def recent_records(*, user: Any) -> list[RecentRecord]:
    """The records ``user`` opened lately and may still see, newest first."""
    views = list(
        RecentView.objects.filter(user=user)
        .order_by("-viewed_at", "-id")
        .values_list("record_type", "object_id", "viewed_at")
    )
    records = visible_records(user=user, refs=[(k, i) for k, i, _ in views])
    result: list[RecentRecord] = []
    for key, object_id, viewed_at in views:
        record = records.get((key, object_id))
        if record is None:
            continue
        record_type = get_record_type(key)
        result.append(
            RecentRecord(
                record_type=key,
                type_label=record_type.label,
                label=str(record),
                url=reverse("ui:detail", kwargs={"key": key, "pk": record.pk}),
                viewed_at=viewed_at,
            )
        )
    return result


@dataclass(frozen=True)
class NotificationItem:
    notification: Notification
    url: str | None  # None once the record is gone or out of the user's reach


def notifications_list(*, user: Any, limit: int = 50) -> list[NotificationItem]:
    """The newest notifications of ``user``, linked to their records where still visible."""
    rows = list(Notification.objects.filter(user=user).select_related("actor")[:limit])
    records = visible_records(user=user, refs=[(n.record_type, n.object_id) for n in rows])
    return [
        NotificationItem(
            notification=n,
            url=reverse("ui:detail", kwargs={"key": n.record_type, "pk": n.object_id})
            if (n.record_type, n.object_id) in records
            else None,
        )
        for n in rows
    ]


def overdue_tasks(*, user: Any, now: dt.datetime) -> models.QuerySet[Activity]:
    """Open tasks of ``user`` past their due time (the owner index: owner, done, due_at).
    Not through ``restricted``: a user always sees the records they own."""
    return Activity.objects.filter(
        owner=user, done=False, due_at__lt=now, kind=ActivityKind.TASK
    ).order_by("due_at", "id")


def attention_count(*, user: Any, now: dt.datetime) -> int:
    """Unread notifications plus overdue tasks of ``user``: one statement, two indexed
    counts (notifications by user and read_at, activities by owner, done and due_at)."""
    unread = (
        Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("user")
        .annotate(n=Count("*"))
        .values("n")
    )
    overdue = (
        overdue_tasks(user=user, now=now)
        .order_by()
        .values("owner")
        .annotate(n=Count("*"))
        .values("n")
    )
    counts = (
        User.objects.filter(pk=user.pk)
        .annotate(
            unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)),
            overdue=Coalesce(Subquery(overdue, output_field=IntegerField()), Value(0)),
        )
        .values_list("unread", "overdue")
        .first()
    )
    return sum(counts) if counts else 0


# --- the home dashboard ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChartPoint:
    label: str
    value: Decimal | int


@dataclass(frozen=True)
class ChartSeries:
    points: list[ChartPoint]
    currency: str = ""  # set for money
    missing_rates: tuple[str, ...] = ()


def dashboard_pipeline_by_stage(*, user: Any, on: dt.date) -> tuple[Pipeline | None, ChartSeries]:
    """Open amount per stage of the default pipeline, in the base currency at ``on``."""
    pipeline = pipeline_default(list(Pipeline.objects.restrict(user, "view")))
    converter = BaseConverter()
    if pipeline is None:
        return None, ChartSeries(points=[], currency=converter.currency)
    stages = list(
        Stage.objects.filter(pipeline=pipeline, kind=StageKind.OPEN).order_by("position", "id")
    )
    rows = (
        restricted(Opportunity, user, "view")
        .filter(pipeline=pipeline, stage__kind=StageKind.OPEN)
        .order_by()
        .values("stage_id", "currency_id")
        .annotate(total=Sum("amount"))
    )
    amounts: dict[int, Decimal] = defaultdict(Decimal)
    for row in rows:
        amounts[row["stage_id"]] += converter.to_base(
            row["total"] or Decimal(0), row["currency_id"], on
        )
    points = [ChartPoint(stage.name, amounts[stage.pk]) for stage in stages]
    return pipeline, ChartSeries(
        points=points, currency=converter.currency, missing_rates=tuple(sorted(converter.missing))
    )


def _month_start(day: dt.date, back: int) -> dt.date:
    """The first day of the month ``back`` months before the month of ``day``."""
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def dashboard_won_by_month(*, user: Any, today: dt.date) -> ChartSeries:
    """Won amount per month over the last 12 months (this one included), by closing month,
    converted at the rate of the month's end (today for this month)."""
    first = _month_start(today, 11)
    start, _ = day_bounds(first)
    rows = (
        restricted(Opportunity, user, "view")
        .filter(stage__kind=StageKind.WON, closed_at__gte=start)
        .annotate(month=TruncMonth("closed_at"))
        .order_by()
        .values("month", "currency_id")
        .annotate(total=Sum("amount"))
    )
    converter = BaseConverter()
    amounts: dict[dt.date, Decimal] = defaultdict(Decimal)
    for row in rows:
        month = row["month"]
        month_day = month.date() if isinstance(month, dt.datetime) else month
        month_end = _month_start(month_day, -1) - dt.timedelta(days=1)
        amounts[month_day] += converter.to_base(
            row["total"] or Decimal(0), row["currency_id"], min(month_end, today)
        )
    months = [_month_start(today, back) for back in range(11, -1, -1)]
    return ChartSeries(
        points=[
            ChartPoint(formats.date_format(m, "YEAR_MONTH_FORMAT"), amounts[m]) for m in months
        ],
        currency=converter.currency,
        missing_rates=tuple(sorted(converter.missing)),
    )


def dashboard_activities_by_type(*, user: Any, today: dt.date) -> ChartSeries:
    """How many activities of each type were recorded in the last 30 days."""
    start, _ = day_bounds(today - dt.timedelta(days=29))
    counts = dict(
        restricted(Activity, user, "view")
        .filter(created_at__gte=start)
        .order_by()
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return ChartSeries(
        points=[ChartPoint(str(label), counts.get(kind, 0)) for kind, label in ActivityKind.choices]
    )


def dashboard_lead_funnel(*, user: Any) -> ChartSeries:
    """Leads by status, in the order of the funnel."""
    counts = dict(
        restricted(Lead, user, "view")
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return ChartSeries(
        points=[
            ChartPoint(str(label), counts.get(status, 0)) for status, label in LeadStatus.choices
        ]
    )
