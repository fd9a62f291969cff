"""Opportunity rules: fields required per stage, forecast category following the stage,
close reasons, competitors, line items and the time in stage. Every refusal names the field
with a stable code and changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import Personas, client_for
from rapport.core.models import ChangeLogEntry
from rapport.framework.actor import Actor
from rapport.framework.testing.factories import (
    AccountFactory,
    OpportunityFactory,
    PipelineFactory,
    StageFactory,
)
from rapport.opportunities.models import (
    Opportunity,
    OpportunityCompetitor,
    OpportunityLine,
    Stage,
    StageHistory,
)
from rapport.opportunities.services import opportunity_close
from rapport.opportunities.tests.factories import (
    CloseReasonFactory,
    CompetitorFactory,
    priced_product,
)
from tests.test_bad_input import field_errors, problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(personas: Personas) -> dict[str, Stage]:
    p = PipelineFactory(name="Sales", is_default=True)
    return {
        "qualify": StageFactory(pipeline=p, name="Qualify", position=1, probability=10),
        "proposal": StageFactory(
            pipeline=p,
            name="Proposal",
            position=2,
            probability=50,
            required_fields=["amount", "expected_close_date"],
        ),
        "negotiate": StageFactory(pipeline=p, name="Negotiate", position=3, probability=80),
        "won": StageFactory(pipeline=p, name="Won", position=4, probability=100, kind="won"),
        "lost": StageFactory(pipeline=p, name="Lost", position=5, probability=0, kind="lost"),
    }


@pytest.fixture
def api(personas: Personas) -> APIClient:
    return client_for(personas.owner)


def _payload(personas: Personas, stage: Stage, **extra: Any) -> dict[str, Any]:
    return {
        "name": "Deal",
        "account": AccountFactory(owner=personas.owner).pk,
        "pipeline": stage.pipeline_id,
        "stage": stage.pk,
        "currency": "USD",
        **extra,
    }


def _state() -> tuple[Any, ...]:
    return (
        list(Opportunity.objects.order_by("pk").values()),
        StageHistory.objects.count(),
        OpportunityLine.objects.count(),
        OpportunityCompetitor.objects.count(),
        ChangeLogEntry.objects.count(),
    )


# --- fields required per stage ----------------------------------------------------------------


def test_moving_to_a_stage_without_its_required_fields_is_refused(
    personas: Personas, api: APIClient, pipeline: dict[str, Stage]
) -> None:
    # given an opportunity without amount nor close date in Qualify
    created = api.post(
        "/api/opportunities/",
        _payload(personas, pipeline["qualify"], expected_close_date=None),
        format="json",
    )
    assert created.status_code == 201, created.content
    before = _state()
    # when it is moved to Proposal, which requires both
    response = api.patch(
        f"/api/opportunities/{created.json()['id']}/", {"stage": pipeline["proposal"].pk}
    )
    # then each missing field is named, and nothing changed
    body = problem(response, 400, "validation_error")
    assert sorted(field_errors(body)) == [
        ("amount", "required_for_stage"),
        ("expected_close_date", "required_for_stage"),
    ]
    messages = {e["field"]: e["message"] for e in body["errors"]}
    assert messages["amount"] == "Amount is required in the stage “Proposal”."
    assert _state() == before


def test_an_opportunity_in_a_stage_keeps_its_required_fields(
    personas: Personas, api: APIClient, pipeline: dict[str, Stage]
) -> None:
    # given an opportunity in Proposal with its required fields
    created = api.post(
        "/api/opportunities/",
        _payload(
            personas, pipeline["proposal"], amount="5000.00", expected_close_date="2026-12-15"
        ),
    )
    assert created.status_code == 201, created.content
    before = _state()
    # when the amount is cleared while it stays in Proposal
    response = api.patch(
        f"/api/opportunities/{created.json()['id']}/", {"amount": None}, format="json"
    )
    # then it is refused
    body = problem(response, 400, "validation_error")
    assert field_errors(body) == [("amount", "required_for_stage")]
    assert _state() == before


def test_lines_satisfy_a_required_amount(
    personas: Personas, api: APIClient, pipeline: dict[str, Stage]
) -> None:
    # given a product priced 40 USD
    product = priced_product("40.00")
    # when an opportunity is created in Proposal with a line but no amount
    response = api.post(
        "/api/opportunities/",
        _payload(
            personas,
            pipeline["proposal"],
            expected_close_date="2026-12-15",
            lines=[{"product": product.pk, "quantity": "3"}],
        ),
        format="json",
    )
    # then the amount comes from the line and the stage accepts it
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "120.00"


def test_the_board_shows_why_a_move_is_refused(
    personas: Personas, pipeline: dict[str, Stage]
) -> None:
    # given an opportunity without amount in Qualify
    opportunity = OpportunityFactory(owner=personas.owner, stage=pipeline["qualify"], amount=None)
    client = Client()
    client.force_login(personas.owner)
    # when it is dragged to Proposal
    response = client.post(
        "/opportunities/board/move/",
        {"opportunity": opportunity.pk, "stage": pipeline["proposal"].pk},
        HTTP_ACCEPT="application/json",
    )
    # then the board's answer gives the reason, and the opportunity stayed
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "message": f"“{opportunity.name}” was not moved: "
        "Amount is required in the stage “Proposal”.",
    }
    assert Opportunity.objects.get().stage_id == pipeline["qualify"].pk


def test_a_stage_may_only_require_opportunity_fields(personas: Personas) -> None:
    # given the administrator and a pipeline
    admin = client_for(personas.admin)
    pipeline = PipelineFactory()
    # when a stage requiring an unknown field is created
    response = admin.post(
        "/api/stages/",
        {"pipeline": pipeline.pk, "name": "Proposal", "required_fields": ["amount", "budget"]},
        format="json",
    )
    # then it is refused naming the field
    body = problem(response, 400, "validation_error")
    assert field_errors(body) == [("required_fields", "unknown_field")]
    assert body["errors"][0]["message"] == (
        "Not an opportunity field that a stage can require: budget."
    )
    assert Stage.objects.count() == 0


# --- forecast category ------------------------------------------------------------------------


def test_stage_forecast_category_defaults_from_kind_and_probability(personas: Personas) -> None:
    admin = client_for(personas.admin)
    pipeline = PipelineFactory()
    made = {
        name: admin.post(
            "/api/stages/",
            {"pipeline": pipeline.pk, "name": name, "probability": p, "kind": kind},
        ).json()["forecast_category"]
        for name, p, kind in [
            ("Early", 10, "open"),
            ("Middle", 50, "open"),
            ("Late", 90, "open"),
            ("Won", 100, "won"),
            ("Lost", 0, "lost"),
        ]
    }
    assert made == {
        "Early": "pipeline",
        "Middle": "best_case",
        "Late": "commit",
        "Won": "closed",
        "Lost": "omitted",
    }


def test_forecast_category_follows_the_stage_unless_set(
    personas: Personas, api: APIClient, pipeline: dict[str, Stage]
) -> None:
    # given a new opportunity in Qualify (pipeline)
    created = api.post("/api/opportunities/", _payload(personas, pipeline["qualify"]))
    url = f"/api/opportunities/{created.json()['id']}/"
    assert created.json()["forecast_category"] == "pipeline"
    # when it moves to Negotiate (80 %: commit), the category follows
    moved = api.patch(url, {"stage": pipeline["negotiate"].pk})
    assert moved.json()["forecast_category"] == "commit"
    # when the rep sets best case, it stays on an unrelated edit
    api.patch(url, {"forecast_category": "best_case"})
    assert api.patch(url, {"next_step": "Call"}).json()["forecast_category"] == "best_case"
    # and a rep cannot forecast an open deal as closed
    body = problem(api.patch(url, {"forecast_category": "closed"}), 400, "validation_error")
    assert field_errors(body) == [("forecast_category", "category_not_open")]
    # and winning makes it closed
    won = api.patch(url, {"stage": pipeline["won"].pk})
    assert won.json()["forecast_category"] == "closed"


# --- close reasons ----------------------------------------------------------------------------


def test_closing_lost_needs_a_reason(
    personas: Personas, api: APIClient, pipeline: dict[str, Stage]
) -> None:
    created = api.post("/api/opportunities/", _payload(personas, pipeline["qualify"]))
    before = _state()
    response = api.patch(
        f"/api/opportunities/{created.json()['id']}/", {"stage": pipeline["lost"].pk}
    )
    body = problem(response, 400, "validation_error")
    assert field_errors(body) == [("close_reason", "close_reason_required")]
    assert body["errors"][0]["message"] == "Choose why the opportunity was lost."
    assert _state() == before


def test_a_won_reason_cannot_close_a_lost_deal(
    personas: Personas, api: APIClient, pipeline: dict[str, Stage]
) -> None:
    won_reason = CloseReasonFactory(kind="won", name="Best fit")
    created = api.post("/api/opportunities/", _payload(personas, pipeline["qualify"]))
    before = _state()
    response = api.patch(
        f"/api/opportunities/{created.json()['id']}/",
        {"stage": pipeline["lost"].pk, "close_reason": won_reason.pk},
    )
    body = problem(response, 400, "validation_error")
    assert field_errors(body) == [("close_reason", "close_reason_kind_mismatch")]
    assert _state() == before


def test_closing_lost_with_a_reason_and_the_winning_competitor(
    personas: Personas, api: APIClient, pipeline: dict[str, Stage]
) -> None:
    reason = CloseReasonFactory(kind="lost", name="Price")
    rival = CompetitorFactory(name="Acme CRM")
    created = api.post(
        "/api/opportunities/",
        _payload(
            personas,
            pipeline["qualify"],
            competitors=[{"competitor": rival.pk, "strengths": "Cheap"}],
        ),
        format="json",
    )
    assert created.status_code == 201, created.content
    opportunity = Opportunity.objects.get()
    # when it is closed lost through the service with the reason and the winner
    closed = opportunity_close(
        actor=Actor(user=personas.owner),
        opportunity=opportunity,
        outcome="lost",
        data={"close_reason": reason},
    )
    # then it is lost with that reason; the competitor row is kept
    assert closed.stage_id == pipeline["lost"].pk
    assert closed.close_reason_id == reason.pk
    assert closed.forecast_category == "omitted"
    body = api.get(f"/api/opportunities/{opportunity.pk}/").json()
    assert body["close_reason"] == reason.pk
    assert body["competitors"] == [
        {"competitor": rival.pk, "strengths": "Cheap", "weaknesses": "", "is_winner": False}
    ]
    # and reopening clears the reason
    reopened = api.patch(f"/api/opportunities/{opportunity.pk}/", {"stage": pipeline["qualify"].pk})
    assert reopened.json()["close_reason"] is None


def test_only_one_competitor_can_win(
    personas: Personas, api: APIClient, pipeline: dict[str, Stage]
) -> None:
    a, b = CompetitorFactory(), CompetitorFactory()
    before = _state()
    response = api.post(
        "/api/opportunities/",
        _payload(
            personas,
            pipeline["qualify"],
            competitors=[
                {"competitor": a.pk, "is_winner": True},
                {"competitor": b.pk, "is_winner": True},
            ],
        ),
        format="json",
    )
    body = problem(response, 400, "validation_error")
    # (the framework reports a child list's own check with the generic code)
    assert field_errors(body) == [("competitors", "invalid")]
    assert body["errors"][0]["message"] == "Only one competitor can have won the deal."
    assert _state() == before


# --- line items -------------------------------------------------------------------------------


def test_lines_are_priced_from_the_price_book_and_total_the_amount(
    personas: Personas, api: APIClient, pipeline: dict[str, Stage]
) -> None:
    # given two products, one priced in EUR only, one in USD (list) and USD (partner)
    seat = priced_product("19.99")
    PriceBookEntry = seat.prices.model
    partner = priced_product("10.00", kind="partner")
    PriceBookEntry.objects.create(
        price_book=partner.prices.get().price_book, product=seat, unit_price=Decimal("15.00")
    )
    service = priced_product("1000.00")
    # when an opportunity in USD gets 3 seats at 10 % off and a service at a given price
    response = api.post(
        "/api/opportunities/",
        _payload(
            personas,
            pipeline["qualify"],
            amount="1.00",
            lines=[
                {"product": seat.pk, "quantity": "3", "discount_percent": "10"},
                {"product": service.pk, "quantity": "1.5", "unit_price": "800.00"},
            ],
        ),
        format="json",
    )
    # then the seat is priced from the list price book and the amount is the lines' total
    assert response.status_code == 201, response.content
    body = response.json()
    assert [line["unit_price"] for line in body["lines"]] == ["19.9900", "800.0000"]
    # 3 x 19.99 x 0.9 = 53.973 -> 53.97; 1.5 x 800 = 1200.00
    assert body["amount"] == "1253.97"
    assert Opportunity.objects.get().amount == Decimal("1253.97")


def test_a_line_without_a_price_in_the_currency_is_refused(
    personas: Personas, api: APIClient, pipeline: dict[str, Stage]
) -> None:
    product = priced_product("50.00", code="EUR")
    before = _state()
    response = api.post(
        "/api/opportunities/",
        _payload(personas, pipeline["qualify"], lines=[{"product": product.pk, "quantity": "1"}]),
        format="json",
    )
    body = problem(response, 400, "validation_error")
    assert field_errors(body) == [("lines.0.unit_price", "no_price")]
    assert _state() == before


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"quantity": "-2"}, "lines.0.quantity"),
        ({"quantity": "0"}, "lines.0.quantity"),
        ({"quantity": "1", "discount_percent": "120"}, "lines.0.discount_percent"),
        ({"quantity": "1", "discount_percent": "-1"}, "lines.0.discount_percent"),
    ],
)
def test_bad_line_values_are_refused_naming_the_field(
    personas: Personas,
    api: APIClient,
    pipeline: dict[str, Stage],
    line: dict[str, str],
    field: str,
) -> None:
    product = priced_product("10.00")
    before = _state()
    response = api.post(
        "/api/opportunities/",
        _payload(personas, pipeline["qualify"], lines=[{"product": product.pk, **line}]),
        format="json",
    )
    body = problem(response, 400, "validation_error")
    assert [f for f, _code in field_errors(body)] == [field]
    assert _state() == before


def test_changing_lines_recomputes_the_amount(
    personas: Personas, api: APIClient, pipeline: dict[str, Stage]
) -> None:
    product = priced_product("100.00")
    created = api.post(
        "/api/opportunities/",
        _payload(personas, pipeline["qualify"], lines=[{"product": product.pk, "quantity": "2"}]),
        format="json",
    )
    url = f"/api/opportunities/{created.json()['id']}/"
    assert created.json()["amount"] == "200.00"
    updated = api.patch(url, {"lines": [{"product": product.pk, "quantity": "5"}]}, format="json")
    assert updated.json()["amount"] == "500.00"


# --- time in stage ----------------------------------------------------------------------------


def test_days_in_stage_counts_from_the_stage_change(
    personas: Personas, api: APIClient, pipeline: dict[str, Stage]
) -> None:
    created = api.post("/api/opportunities/", _payload(personas, pipeline["qualify"]))
    pk = created.json()["id"]
    assert created.json()["days_in_stage"] == 0
    # given it entered its stage 12 days ago
    twelve_days_ago = timezone.now() - dt.timedelta(days=12)
    Opportunity.objects.filter(pk=pk).update(stage_entered_at=twelve_days_ago)
    # then the record and the list say 12
    assert api.get(f"/api/opportunities/{pk}/").json()["days_in_stage"] == 12
    assert api.get("/api/opportunities/").json()["results"][0]["days_in_stage"] == 12
    # and a stage change starts again from 0, with the history row entering at that time
    moved = api.patch(f"/api/opportunities/{pk}/", {"stage": pipeline["negotiate"].pk})
    assert moved.json()["days_in_stage"] == 0
    current = StageHistory.objects.get(opportunity=pk, left_at__isnull=True)
    assert current.entered_at == Opportunity.objects.get(pk=pk).stage_entered_at


def test_days_in_stage_on_the_record_page_and_board(
    personas: Personas, pipeline: dict[str, Stage]
) -> None:
    opportunity = OpportunityFactory(owner=personas.owner, stage=pipeline["qualify"])
    Opportunity.objects.filter(pk=opportunity.pk).update(
        stage_entered_at=timezone.now() - dt.timedelta(days=9)
    )
    client = Client()
    client.force_login(personas.owner)
    page = client.get(f"/opportunities/{opportunity.pk}/").content.decode()
    assert "Days in stage" in page
    board = client.get("/opportunities/board/").content.decode()
    assert "9 days in stage" in board


def test_the_stage_settings_screen_sets_required_fields_and_category(
    personas: Personas, pipeline: dict[str, Stage]
) -> None:
    client = Client()
    client.force_login(personas.admin)
    stage = pipeline["qualify"]
    url = f"/settings/pipelines/stages/{stage.pk}/"
    # the form offers the opportunity fields a stage may require
    page = client.get(url).content.decode()
    assert 'value="next_step"' in page
    assert 'value="stage"' not in page
    # when the administrator requires a next step and sets best case
    response = client.post(
        url,
        {
            "name": "Qualify",
            "probability": "10",
            "kind": "open",
            "forecast_category": "best_case",
            "required_fields": ["next_step", "amount"],
        },
    )
    assert response.status_code == 302
    stage.refresh_from_db()
    assert (stage.required_fields, stage.forecast_category) == (
        ["next_step", "amount"],
        "best_case",
    )


def test_record_pages_show_lines_and_competitors(
    personas: Personas, api: APIClient, pipeline: dict[str, Stage]
) -> None:
    product = priced_product("25.00")
    rival = CompetitorFactory(name="Acme CRM")
    created = api.post(
        "/api/opportunities/",
        _payload(
            personas,
            pipeline["qualify"],
            lines=[{"product": product.pk, "quantity": "4"}],
            competitors=[{"competitor": rival.pk, "weaknesses": "Slow support"}],
        ),
        format="json",
    )
    pk = created.json()["id"]
    client = Client()
    client.force_login(personas.owner)
    page = client.get(f"/opportunities/{pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Acme CRM" in html
    assert "Slow support" in html
    assert product.name in html
    assert client.get(f"/opportunities/{pk}/edit/").status_code == 200
    assert client.get("/opportunities/new/").status_code == 200


def test_an_inactive_close_reason_cannot_be_chosen(
    personas: Personas, api: APIClient, pipeline: dict[str, Stage]
) -> None:
    retired = CloseReasonFactory(kind="lost", name="Old reason", active=False)
    created = api.post("/api/opportunities/", _payload(personas, pipeline["qualify"]))
    before = _state()
    response = api.patch(
        f"/api/opportunities/{created.json()['id']}/",
        {"stage": pipeline["lost"].pk, "close_reason": retired.pk},
    )
    body = problem(response, 400, "validation_error")
    assert field_errors(body) == [("close_reason", "close_reason_inactive")]
    assert _state() == before
