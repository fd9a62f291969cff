"""Screens of the workspace: the home dashboard, My day and notifications."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.workspace import selectors
from rapport.workspace.money import money_text
from rapport.workspace.services import notifications_mark_read


def _chart(
    key: str, title: str, kind: str, series: selectors.ChartSeries, value_label: str
) -> dict[str, Any]:
    """One chart: its data block for charts.js and the rows of its table fallback."""
    money = bool(series.currency)
    return {
        "key": key,
        "data_id": f"chart-{key}-data",
        "title": title,
        "value_label": value_label,
        "missing_rates": series.missing_rates,
        "data": {
            "type": kind,
            "label": value_label,
            "labels": [p.label for p in series.points],
            "values": [float(p.value) for p in series.points],
            "currency": series.currency,
        },
        "rows": [
            (p.label, money_text(Decimal(p.value), series.currency) if money else str(p.value))
            for p in series.points
        ],
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The home screen: pipeline, won revenue, activity and lead charts for the user's data."""
    today = timezone.localdate()
    pipeline, by_stage = selectors.dashboard_pipeline_by_stage(user=request.user, on=today)
    won = selectors.dashboard_won_by_month(user=request.user, today=today)
    currency = by_stage.currency
    charts = [
        _chart(
            "pipeline",
            _("Pipeline by stage (%(pipeline)s)") % {"pipeline": pipeline}
            if pipeline
            else _("Pipeline by stage"),
            "bar",
            by_stage,
            _("Open amount (%(currency)s)") % {"currency": currency},
        ),
        _chart(
            "won",
            _("Won revenue by month"),
            "bar",
            won,
            _("Won amount (%(currency)s)") % {"currency": currency},
        ),
        _chart(
            "activities",
            _("Activities by type, last 30 days"),
            "bar",
            selectors.dashboard_activities_by_type(user=request.user, today=today),
            _("Activities"),
        ),
        _chart(
            "leads",
            _("Leads by status"),
            "bar",
            selectors.dashboard_lead_funnel(user=request.user),
            _("Leads"),
        ),
    ]
    return render(request, "workspace/dashboard.html", {"charts": charts})


@login_required
def my_day(request: HttpRequest) -> HttpResponse:
    """Today's and overdue activities, opportunities closing this month, recent records."""
    now = timezone.now()
    return render(
        request,
        "workspace/my_day.html",
        {"day": selectors.my_day(user=request.user, now=now), "today": timezone.localdate(now)},
    )


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications and overdue tasks; opening the page marks them read."""
    items = selectors.notifications_list(user=request.user)
    overdue = list(selectors.overdue_tasks(user=request.user, now=timezone.now())[:100])
    response = render(request, "workspace/notifications.html", {"items": items, "overdue": overdue})
    notifications_mark_read(user=request.user)
    return response
