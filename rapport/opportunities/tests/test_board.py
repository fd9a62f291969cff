"""The pipeline board: cards by stage, totals, filters, moves and refused moves."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import Personas
from rapport.core.models import ChangeLogEntry
from rapport.framework.testing.factories import (
    ExchangeRateFactory,
    OpportunityFactory,
    PipelineFactory,
    StageFactory,
    currency,
)
from rapport.opportunities.models import Opportunity, Pipeline, Stage, StageHistory

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@dataclass
class Sales:
    pipeline: Pipeline
    qualify: Stage
    propose: Stage
    won: Stage
    renewals: Pipeline
    renew: Stage


@pytest.fixture
def sales(personas: Personas) -> Sales:
    pipeline = PipelineFactory(name="Sales", is_default=True, position=1)
    renewals = PipelineFactory(name="Renewals", position=0)
    return Sales(
        pipeline=pipeline,
        qualify=StageFactory(pipeline=pipeline, name="Qualify", position=1, probability=20),
        propose=StageFactory(pipeline=pipeline, name="Propose", position=2, probability=60),
        won=StageFactory(pipeline=pipeline, name="Won", position=3, probability=100, kind="won"),
        renewals=renewals,
        renew=StageFactory(pipeline=renewals, name="Renew", position=1),
    )


def signed_in(username: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": "pw"}).status_code == 302
    return client


def deal(owner: Any, stage: Stage, amount: str = "1000.00", **extra: Any) -> Opportunity:
    return OpportunityFactory(
        owner=owner,
        stage=stage,
        pipeline=stage.pipeline,
        amount=Decimal(amount),
        probability=stage.probability,
        **extra,
    )


def columns(response: Any) -> dict[str, list[str]]:
    return {c.stage.name: [o.name for o in c.cards] for c in response.context["board"].columns}


def test_board_shows_the_default_pipeline_by_stage_with_totals(
    personas: Personas, sales: Sales
) -> None:
    # given two deals in Qualify and one in Propose, and another user's private deal
    deal(personas.owner, sales.qualify, "1000.00", name="Alpha")
    deal(personas.owner, sales.qualify, "500.00", name="Beta")
    deal(personas.owner, sales.propose, "2000.00", name="Gamma")
    deal(personas.other, sales.propose, "9999.00", name="Hidden")
    # when
    response = signed_in("owner").get("/opportunities/board/")
    # then
    assert response.status_code == 200
    assert columns(response) == {"Qualify": ["Alpha", "Beta"], "Propose": ["Gamma"], "Won": []}
    board = response.context["board"]
    totals = {c.stage.name: c.totals for c in board.columns}
    assert (totals["Qualify"].count, totals["Qualify"].amount) == (2, Decimal("1500.00"))
    assert totals["Qualify"].weighted == Decimal("300.00")
    assert (totals["Propose"].count, totals["Propose"].weighted) == (1, Decimal("1200.00"))
    body = response.content.decode()
    assert "1,500.00 USD" in body
    assert "1,200.00 USD" in body
    assert "Hidden" not in body
    assert 'id="move-' in body  # every card has its keyboard "Move to" control


def test_totals_are_converted_to_the_base_currency_and_missing_rates_are_named(
    personas: Personas, sales: Sales
) -> None:
    # given a EUR deal with a rate of 1.1 and a GBP deal without any rate
    ExchangeRateFactory(currency=currency("EUR"), date=timezone.localdate(), rate=Decimal("1.1"))
    deal(personas.owner, sales.qualify, "100.00", currency=currency("EUR"))
    deal(personas.owner, sales.qualify, "50.00", currency=currency("GBP"))
    deal(personas.owner, sales.qualify, "10.00")
    # when
    response = signed_in("owner").get("/opportunities/board/")
    # then
    board = response.context["board"]
    qualify = board.columns[0].totals
    assert (qualify.count, qualify.amount, qualify.weighted) == (
        3,
        Decimal("120.00"),
        Decimal("24.00"),
    )
    assert board.missing_rates == ["GBP"]
    assert "Amounts in GBP are left out of the totals" in response.content.decode()


def test_another_pipeline_is_chosen_with_the_pipeline_filter(
    personas: Personas, sales: Sales
) -> None:
    deal(personas.owner, sales.renew, name="Renewal 2027")
    response = signed_in("owner").get(f"/opportunities/board/?pipeline={sales.renewals.pk}")
    assert columns(response) == {"Renew": ["Renewal 2027"]}


def test_filters_by_owner_team_and_close_date(personas: Personas, sales: Sales) -> None:
    # given deals of owner (one in team East) and teammate (team East) closing on several days
    today = timezone.localdate()
    deal(personas.owner, sales.qualify, name="Mine soon", expected_close_date=today)
    deal(
        personas.owner,
        sales.qualify,
        name="Mine later",
        expected_close_date=today + dt.timedelta(days=60),
        team=personas.team,
    )
    deal(personas.teammate, sales.qualify, name="Mate's", team=personas.team)
    client = signed_in("owner")
    # when / then
    by_owner = client.get(f"/opportunities/board/?owner={personas.teammate.pk}")
    assert columns(by_owner)["Qualify"] == ["Mate's"]
    by_team = client.get(f"/opportunities/board/?team={personas.team.pk}")
    assert sorted(columns(by_team)["Qualify"]) == ["Mate's", "Mine later"]
    by_date = client.get(
        f"/opportunities/board/?close_from={today.isoformat()}"
        f"&close_to={(today + dt.timedelta(days=7)).isoformat()}"
    )
    assert columns(by_date)["Qualify"] == ["Mine soon"]


def test_bad_filters_are_named_beside_their_field(personas: Personas, sales: Sales) -> None:
    deal(personas.owner, sales.qualify, name="Alpha")
    response = signed_in("owner").get(
        "/opportunities/board/?close_from=2026-12-01&close_to=2026-11-01&pipeline=999999"
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["close_to"] == ["The end of the range must not be before its start."]
    assert form.errors["pipeline"] == [
        "Select a valid choice. 999999 is not one of the available choices."
    ]
    # the valid part still shows: the default pipeline, unfiltered by dates
    assert columns(response)["Qualify"] == ["Alpha"]


def test_columns_are_capped_with_a_link_to_the_rest(
    personas: Personas, sales: Sales, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given three deals in one stage and a cap of two cards per column
    monkeypatch.setattr("rapport.workspace.board.CARDS_PER_COLUMN", 2)
    today = timezone.localdate()
    for days, name in ((3, "Third"), (1, "First"), (2, "Second")):
        deal(
            personas.owner,
            sales.qualify,
            name=name,
            expected_close_date=today + dt.timedelta(days=days),
        )
    # when
    response = signed_in("owner").get("/opportunities/board/")
    # then the earliest closing two are cards, the count and totals still cover all three
    qualify = response.context["board"].columns[0]
    assert [o.name for o in qualify.cards] == ["First", "Second"]
    assert (qualify.totals.count, qualify.more) == (3, 1)
    body = response.content.decode()
    assert f"/opportunities/?pipeline={sales.pipeline.pk}&amp;stage={sales.qualify.pk}" in body
    assert "1 more" in body


def test_moving_a_card_changes_the_stage_with_history_and_change_log(
    personas: Personas, sales: Sales
) -> None:
    # given
    opportunity = deal(personas.owner, sales.qualify, "1000.00", name="Alpha")
    StageHistory.objects.create(
        opportunity=opportunity, stage=sales.qualify, entered_at=timezone.now()
    )
    # when
    response = signed_in("owner").post(
        "/opportunities/board/move/",
        {"opportunity": opportunity.pk, "stage": sales.propose.pk, "pipeline": sales.pipeline.pk},
        **JSON,
    )
    # then
    assert response.status_code == 200
    payload = json.loads(response.content)
    assert payload["ok"] is True
    assert payload["message"] == "“Alpha” moved to Propose."
    assert payload["totals"][str(sales.propose.pk)] == {
        "count": "1",
        "amount": "1,000.00 USD",
        "weighted": "600.00 USD",
    }
    assert payload["totals"][str(sales.qualify.pk)]["count"] == "0"
    opportunity.refresh_from_db()
    assert (opportunity.stage_id, opportunity.probability) == (sales.propose.pk, 60)
    history = list(StageHistory.objects.filter(opportunity=opportunity).order_by("id"))
    assert [(h.stage_id, h.left_at is None) for h in history] == [
        (sales.qualify.pk, False),
        (sales.propose.pk, True),
    ]
    assert history[1].changed_by == personas.owner
    entry = ChangeLogEntry.objects.get(object_id=str(opportunity.pk), action="update")
    assert entry.after["stage"] == sales.propose.pk
    assert entry.before["stage"] == sales.qualify.pk
    assert entry.channel == "ui"


def test_moving_without_javascript_redirects_back_to_the_board_with_a_message(
    personas: Personas, sales: Sales
) -> None:
    opportunity = deal(personas.owner, sales.qualify, name="Alpha")
    client = signed_in("owner")
    response = client.post(
        "/opportunities/board/move/",
        {"opportunity": opportunity.pk, "stage": sales.won.pk, "pipeline": sales.pipeline.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/opportunities/board/?pipeline={sales.pipeline.pk}"
    opportunity.refresh_from_db()
    assert opportunity.stage_id == sales.won.pk
    assert "“Alpha” moved to Won." in client.get(response["Location"]).content.decode()


def _unchanged(opportunity: Opportunity, stage: Stage) -> None:
    opportunity.refresh_from_db()
    assert opportunity.stage_id == stage.pk
    assert StageHistory.objects.filter(opportunity=opportunity).count() == 0
    assert not ChangeLogEntry.objects.filter(object_id=str(opportunity.pk)).exists()


def test_a_stage_of_another_pipeline_is_refused_and_nothing_changes(
    personas: Personas, sales: Sales
) -> None:
    opportunity = deal(personas.owner, sales.qualify, name="Alpha")
    response = signed_in("owner").post(
        "/opportunities/board/move/",
        {"opportunity": opportunity.pk, "stage": sales.renew.pk},
        **JSON,
    )
    assert response.status_code == 400
    assert json.loads(response.content) == {
        "ok": False,
        "message": "“Alpha” was not moved: The stage “Renew” is not part of the "
        "opportunity's pipeline.",
    }
    _unchanged(opportunity, sales.qualify)


def test_a_user_who_may_only_see_the_deal_cannot_move_it(personas: Personas, sales: Sales) -> None:
    # given a deal of owner in team East: teammate may see it but not change it
    opportunity = deal(personas.owner, sales.qualify, name="Alpha", team=personas.team)
    client = signed_in("teammate")
    assert columns(client.get("/opportunities/board/"))["Qualify"] == ["Alpha"]
    # when
    response = client.post(
        "/opportunities/board/move/",
        {"opportunity": opportunity.pk, "stage": sales.propose.pk},
        **JSON,
    )
    # then
    assert response.status_code == 403
    assert json.loads(response.content)["message"] == (
        "“Alpha” was not moved: You do not have permission to do this."
    )
    _unchanged(opportunity, sales.qualify)


def test_a_deal_out_of_reach_is_not_found_and_bad_input_is_named(
    personas: Personas, sales: Sales
) -> None:
    opportunity = deal(personas.owner, sales.qualify, name="Alpha")
    client = signed_in("other")
    hidden = client.post(
        "/opportunities/board/move/",
        {"opportunity": opportunity.pk, "stage": sales.propose.pk},
        **JSON,
    )
    assert hidden.status_code == 404
    assert json.loads(hidden.content)["message"] == "No such opportunity, or you may not see it."
    bad = client.post("/opportunities/board/move/", {"opportunity": "x", "stage": ""}, **JSON)
    assert bad.status_code == 400
    assert json.loads(bad.content)["message"] == "Choose an opportunity and a stage."
    no_stage = signed_in("owner").post(
        "/opportunities/board/move/", {"opportunity": opportunity.pk, "stage": 999999}, **JSON
    )
    assert (no_stage.status_code, json.loads(no_stage.content)["message"]) == (
        400,
        "No such stage.",
    )
    _unchanged(opportunity, sales.qualify)


def test_the_board_reads_a_fixed_number_of_queries(
    personas: Personas, sales: Sales, django_assert_max_num_queries: Any
) -> None:
    # given a few deals, measured; then ten times as many in every stage and currency
    ExchangeRateFactory(currency=currency("EUR"), date=timezone.localdate(), rate=Decimal("1.1"))
    for stage in (sales.qualify, sales.propose):
        deal(personas.owner, stage)
    client = signed_in("owner")
    client.get("/opportunities/board/")  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as few:
        client.get("/opportunities/board/")
    for stage in (sales.qualify, sales.propose, sales.won):
        for _ in range(10):
            deal(personas.owner, stage, currency=currency("EUR"))
            deal(personas.owner, stage)
    # when / then
    with django_assert_max_num_queries(len(few.captured_queries) + 1):  # + the EUR rate
        response = client.get("/opportunities/board/")
    assert sum(len(c.cards) for c in response.context["board"].columns) == 62
    # session, user, access context (5), pipelines, stages, cards, totals, EUR rate, base
    # currency decimals, the bell, and the owner and team filter choices
    with django_assert_max_num_queries(16):
        client.get("/opportunities/board/")
