"""The home dashboard: its aggregates respect permissions and come with table fallbacks."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from conftest import Personas
from rapport.framework.testing.factories import (
    ActivityFactory,
    ExchangeRateFactory,
    LeadFactory,
    OpportunityFactory,
    PipelineFactory,
    StageFactory,
    currency,
)
from rapport.workspace.selectors import (
    ChartPoint,
    dashboard_activities_by_type,
    dashboard_lead_funnel,
    dashboard_pipeline_by_stage,
    dashboard_won_by_month,
)

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": "pw"}).status_code == 302
    return client


def test_pipeline_by_stage_counts_only_what_the_user_may_see(personas: Personas) -> None:
    # given the default pipeline with two open stages and a won one
    pipeline = PipelineFactory(name="Sales", is_default=True)
    qualify = StageFactory(pipeline=pipeline, name="Qualify", position=1)
    propose = StageFactory(pipeline=pipeline, name="Propose", position=2)
    won = StageFactory(pipeline=pipeline, name="Won", position=3, kind="won")
    ExchangeRateFactory(currency=currency("EUR"), date=timezone.localdate(), rate=Decimal("2"))

    def deal(owner: object, stage: object, amount: str, code: str = "USD") -> None:
        OpportunityFactory(
            owner=owner,
            stage=stage,
            pipeline=pipeline,
            amount=Decimal(amount),
            currency=currency(code),
        )

    deal(personas.owner, qualify, "100.00")
    deal(personas.owner, qualify, "50.00", "EUR")
    deal(personas.owner, propose, "300.00")
    deal(personas.owner, won, "1000.00")
    deal(personas.other, qualify, "99999.00")  # private to other
    # when
    chosen, series = dashboard_pipeline_by_stage(user=personas.owner, on=timezone.localdate())
    # then
    assert chosen == pipeline
    assert series.points == [
        ChartPoint("Qualify", Decimal("200.00")),
        ChartPoint("Propose", Decimal("300.00")),
    ]
    assert series.currency == "USD"
    # and other sees only their own deal
    _, theirs = dashboard_pipeline_by_stage(user=personas.other, on=timezone.localdate())
    assert [p.value for p in theirs.points] == [Decimal("99999.00"), Decimal(0)]


def test_won_revenue_by_month_over_the_last_twelve_months(personas: Personas) -> None:
    # given won deals this month, two months ago and thirteen months ago, and another user's
    today = timezone.localdate()
    won = StageFactory(name="Won", kind="won")
    now = timezone.now()

    def won_deal(owner: object, amount: str, closed: dt.datetime) -> None:
        deal = OpportunityFactory(
            owner=owner, stage=won, pipeline=won.pipeline, amount=Decimal(amount)
        )
        deal.closed_at = closed
        deal.save(update_fields=["closed_at"])

    won_deal(personas.owner, "100.00", now)
    won_deal(personas.owner, "40.00", now)
    won_deal(personas.owner, "250.00", now - dt.timedelta(days=62))
    won_deal(personas.owner, "999.00", now - dt.timedelta(days=400))
    won_deal(personas.other, "777.00", now)
    # when
    series = dashboard_won_by_month(user=personas.owner, today=today)
    # then
    assert len(series.points) == 12
    assert series.points[-1].value == Decimal("140.00")
    assert sum(p.value for p in series.points) == Decimal("390.00")
    assert series.points[-1].label == today.strftime("%B %Y")


def test_activities_by_type_and_lead_funnel(personas: Personas) -> None:
    # given
    old = timezone.now() - dt.timedelta(days=31)
    ActivityFactory(owner=personas.owner, kind="call")
    ActivityFactory(owner=personas.owner, kind="call")
    ActivityFactory(owner=personas.owner, kind="meeting")
    ActivityFactory(owner=personas.owner, kind="task", created_at=old)
    ActivityFactory(owner=personas.other, kind="note")
    LeadFactory(owner=personas.owner, status="new")
    LeadFactory(owner=personas.owner, status="qualified")
    LeadFactory(owner=personas.other, status="qualified")
    # when
    activities = dashboard_activities_by_type(user=personas.owner, today=timezone.localdate())
    leads = dashboard_lead_funnel(user=personas.owner)
    # then
    assert [(p.label, p.value) for p in activities.points] == [
        ("Task", 0),
        ("Call", 2),
        ("Meeting", 1),
        ("Note", 0),
        ("Logged email", 0),
    ]
    assert [(p.label, p.value) for p in leads.points] == [
        ("New", 1),
        ("Working", 0),
        ("Nurturing", 0),
        ("Qualified", 1),
        ("Disqualified", 0),
    ]


def test_home_page_has_charts_with_data_blocks_and_tables(personas: Personas) -> None:
    # given
    pipeline = PipelineFactory(name="Sales", is_default=True)
    stage = StageFactory(pipeline=pipeline, name="Qualify")
    OpportunityFactory(
        owner=personas.owner, stage=stage, pipeline=pipeline, amount=Decimal("1234.5")
    )
    OpportunityFactory(owner=personas.other, stage=stage, pipeline=pipeline, amount=Decimal("50"))
    # when
    response = signed_in("owner").get("/")
    # then
    body = response.content.decode()
    assert response.status_code == 200
    data = json.loads(
        re.search(
            r'<script id="chart-pipeline-data" type="application/json">(.*?)</script>', body
        ).group(1)  # type: ignore[union-attr]
    )
    assert data == {
        "type": "bar",
        "label": "Open amount (USD)",
        "labels": ["Qualify"],
        "values": [1234.5],
        "currency": "USD",
    }
    assert '<th scope="row">Qualify</th><td>1,234.50 USD</td>' in body
    assert body.count('<canvas data-chart="chart-') == 4
    assert body.count('<details class="chart-table">') == 4
    # no inline script: every script is a file or a JSON data block
    for tag in re.findall(r"<script[^>]*>", body):
        assert " src=" in tag or 'type="application/json"' in tag, tag
