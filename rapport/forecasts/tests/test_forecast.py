"""The pipeline forecast: figures per person rolled up through the role hierarchy, who sees
what, managers' adjustments, quotas, the page and the API."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from conftest import Personas, client_for
from rapport.core.models import ChangeLogEntry
from rapport.forecasts.api import PipelineForecastSerializer, forecast_data
from rapport.forecasts.models import ForecastAdjustment, Quota
from rapport.forecasts.periods import period_parse
from rapport.forecasts.selectors import pipeline_forecast
from rapport.framework.actor import Actor
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_create
from rapport.framework.testing.factories import (
    AccountFactory,
    PipelineFactory,
    StageFactory,
    currency,
)
from rapport.opportunities.models import Stage
from tests.test_bad_input import field_errors, problem

pytestmark = pytest.mark.django_db

NOV = dt.date(2026, 11, 20)


@pytest.fixture
def stages(personas: Personas) -> dict[str, Stage]:
    pipeline = PipelineFactory()
    return {
        "pipeline": StageFactory(pipeline=pipeline, probability=10, position=1),
        "best_case": StageFactory(pipeline=pipeline, probability=50, position=2),
        "commit": StageFactory(pipeline=pipeline, probability=90, position=3),
        "won": StageFactory(pipeline=pipeline, probability=100, kind="won", position=4),
    }


def deal(user: Any, stage: Stage, amount: str, day: dt.date = NOV) -> None:
    record_create(
        actor=Actor(user=user),
        record_type=get_record_type("opportunities"),
        data={
            "name": "Deal",
            "account": AccountFactory(owner=user),
            "pipeline": stage.pipeline,
            "stage": stage,
            "currency": currency("USD"),
            "amount": Decimal(amount),
            "expected_close_date": day,
        },
    )


@pytest.fixture
def sales(personas: Personas, stages: dict[str, Stage]) -> Personas:
    deal(personas.owner, stages["commit"], "1000")
    deal(personas.owner, stages["won"], "2000")
    deal(personas.owner, stages["commit"], "7777", day=dt.date(2027, 1, 5))  # next quarter
    deal(personas.teammate, stages["best_case"], "500")
    deal(personas.other, stages["pipeline"], "300")
    usd = currency("USD")
    Quota.objects.create(
        user=personas.owner,
        period_kind="quarter",
        period_start=dt.date(2026, 10, 1),
        amount=Decimal("10000"),
        currency=usd,
    )
    for month in (10, 11):
        Quota.objects.create(
            user=personas.teammate,
            period_kind="month",
            period_start=dt.date(2026, month, 1),
            amount=Decimal("1000"),
            currency=usd,
        )
    Quota.objects.create(
        team=personas.team,
        period_kind="quarter",
        period_start=dt.date(2026, 10, 1),
        amount=Decimal("50000"),
        currency=usd,
    )
    return personas


def figures(
    closed: str,
    commit: str,
    best: str,
    pipeline: str,
    weighted: str,
    quota: str | None,
    attainment: float | None,
    open_count: int,
) -> dict[str, Any]:
    return {
        "closed": closed,
        "commit": commit,
        "best_case": best,
        "pipeline": pipeline,
        "weighted": weighted,
        "quota": quota,
        "attainment": attainment,
        "open_count": open_count,
        "unconverted": 0,
    }


OWNER = figures("2000.00", "3000.00", "3000.00", "1000.00", "900.00", "10000.00", 0.2, 1)
TEAMMATE = figures("0.00", "0.00", "500.00", "500.00", "250.00", "2000.00", 0.0, 1)
OTHER = figures("0.00", "0.00", "0.00", "300.00", "30.00", None, None, 1)
NOBODY = figures("0.00", "0.00", "0.00", "0.00", "0.00", None, None, 0)
ALL = figures("2000.00", "3000.00", "3500.00", "1800.00", "1180.00", "12000.00", 2000 / 12000, 3)


def forecast(user: Any, **params: str) -> dict[str, Any]:
    response = client_for(user).get("/api/forecasts/pipeline/", {"period": "2026-Q4", **params})
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def by_name(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in body["people"]}


def test_a_manager_sees_the_sum_of_their_reports(sales: Personas) -> None:
    body = forecast(sales.manager)
    people = by_name(body)
    # the manager first, then the reports below them
    assert [p["name"] for p in body["people"]] == ["manager", "other", "owner", "teammate"]
    assert [p["depth"] for p in body["people"]] == [0, 1, 1, 1]
    assert people["owner"]["own"] == OWNER
    assert people["owner"]["rolled"] == OWNER
    assert people["teammate"]["rolled"] == TEAMMATE
    assert people["other"]["rolled"] == OTHER
    assert people["manager"]["own"] == NOBODY
    assert people["manager"]["rolled"] == ALL
    assert body["total"] == ALL
    assert (body["period"], body["start"], body["end"], body["currency"]) == (
        "2026-Q4",
        "2026-10-01",
        "2026-12-31",
        "USD",
    )


def test_a_rep_sees_only_their_own_numbers(sales: Personas) -> None:
    body = forecast(sales.owner)
    assert [p["name"] for p in body["people"]] == ["owner"]
    assert body["people"][0]["rolled"] == OWNER
    assert body["total"] == OWNER
    # and asking for a colleague is refused naming the parameter
    response = client_for(sales.owner).get(
        "/api/forecasts/pipeline/", {"period": "2026-Q4", "owner": sales.teammate.pk}
    )
    assert field_errors(problem(response, 400, "validation_error")) == [("owner", "does_not_exist")]


def test_an_administrator_sees_everyone(sales: Personas) -> None:
    body = forecast(sales.admin)
    assert sorted(p["name"] for p in body["people"]) == [
        "admin",
        "manager",
        "other",
        "owner",
        "teammate",
    ]
    assert body["total"] == ALL


def test_month_period_and_team_filter(sales: Personas) -> None:
    body = forecast(sales.manager, period="2026-11", team=str(sales.team.pk))
    assert sorted(by_name(body)) == ["owner", "teammate"]
    # a month: the owner's quarter quota does not count, the teammate's November one does
    assert by_name(body)["owner"]["rolled"]["quota"] is None
    assert by_name(body)["teammate"]["rolled"]["quota"] == "1000.00"
    assert body["team"]["figures"]["commit"] == "3000.00"
    # the team's own quota is a quarter's: for a month, its members' quotas add up
    assert body["team"]["figures"]["quota"] == "1000.00"
    quarter = forecast(sales.manager, team=str(sales.team.pk))
    assert quarter["team"]["figures"]["quota"] == "50000.00"


def test_a_bad_period_is_refused(sales: Personas) -> None:
    response = client_for(sales.manager).get("/api/forecasts/pipeline/", {"period": "2026-Q5"})
    body = problem(response, 400, "validation_error")
    assert field_errors(body) == [("period", "invalid_period")]


# --- adjustments ------------------------------------------------------------------------------


def test_a_manager_adjusts_a_reports_commit(sales: Personas) -> None:
    # when the manager sets the owner's commit to 2,500
    response = client_for(sales.manager).post(
        "/api/forecasts/adjustments/",
        {"period": "2026-Q4", "user": sales.owner.pk, "amount": "2500.00", "note": "Slip risk"},
        format="json",
    )
    # then it is recorded, in the change log too
    assert response.status_code == 201, response.content
    adjustment = ForecastAdjustment.objects.get()
    assert (adjustment.manager, adjustment.user, adjustment.period_start, adjustment.amount) == (
        sales.manager,
        sales.owner,
        dt.date(2026, 10, 1),
        Decimal("2500.00"),
    )
    entry = ChangeLogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(ForecastAdjustment),
        object_id=str(adjustment.pk),
    )
    assert entry.action == "create"
    assert entry.user == sales.manager
    assert entry.after["amount"] == "2500.00"
    assert entry.after["note"] == "Slip risk"
    # and the forecast shows it next to the raw commit, and in the rollup above
    body = forecast(sales.manager)
    people = by_name(body)
    assert people["owner"]["rolled"]["commit"] == "3000.00"
    assert people["owner"]["adjusted_commit"] == "2500.00"
    assert people["manager"]["rolled"]["commit"] == "3000.00"
    assert people["manager"]["adjusted_rollup_commit"] == "2500.00"
    assert body["adjusted_total_commit"] == "2500.00"
    assert [(a["manager"], a["target"], a["amount"], a["note"]) for a in body["adjustments"]] == [
        ("manager", "owner", "2500.00", "Slip risk")
    ]


@pytest.mark.parametrize("who", ["owner", "teammate"])
def test_only_a_manager_above_may_adjust(sales: Personas, who: str) -> None:
    # given the owner (a rep) trying to adjust themselves or a peer
    target = getattr(sales, who)
    changes = ChangeLogEntry.objects.count()
    response = client_for(sales.owner).post(
        "/api/forecasts/adjustments/",
        {"period": "2026-Q4", "user": target.pk, "amount": "1.00"},
        format="json",
    )
    body = problem(response, 403, "not_their_manager")
    assert body["detail"] == (
        "Only a manager above these people, or an administrator, may adjust their forecast."
    )
    assert ForecastAdjustment.objects.count() == 0
    assert ChangeLogEntry.objects.count() == changes


def test_team_adjustments_by_the_manager_and_an_administrator(sales: Personas) -> None:
    for user, amount in ((sales.manager, "4000.00"), (sales.admin, "4200.00")):
        response = client_for(user).post(
            "/api/forecasts/adjustments/",
            {"period": "2026-Q4", "team": sales.team.pk, "amount": amount},
            format="json",
        )
        assert response.status_code == 201, response.content
    body = forecast(sales.manager, team=str(sales.team.pk))
    assert body["team"]["adjusted_commit"] == "4200.00"
    assert body["adjusted_total_commit"] == "4200.00"
    assert [a["amount"] for a in body["adjustments"]] == ["4200.00", "4000.00"]


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"amount": "-5.00"}, "amount", "negative_amount"),
        ({"period": "Q4"}, "period", "invalid_period"),
        ({"team": "TEAM"}, "user", "user_or_team"),
    ],
)
def test_bad_adjustments_are_refused(
    sales: Personas, payload: dict[str, Any], field: str, code: str
) -> None:
    data = {"period": "2026-Q4", "user": sales.owner.pk, "amount": "10.00", **payload}
    if payload.get("team") == "TEAM":
        data["team"] = sales.team.pk
    response = client_for(sales.manager).post("/api/forecasts/adjustments/", data, format="json")
    assert field_errors(problem(response, 400, "validation_error")) == [(field, code)]
    assert ForecastAdjustment.objects.count() == 0


# --- quotas -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "field", "code", "message"),
    [
        ({"team": "TEAM"}, "user", "user_or_team", "Give a user or a team, not both."),
        ({"user": None}, "user", "user_or_team", "Give the user or the team the quota is for."),
        (
            {"period_start": "2026-11-15"},
            "period_start",
            "not_period_start",
            "A month starts on its first day.",
        ),
        (
            {"period_kind": "quarter"},
            "period_start",
            "not_period_start",
            "A quarter starts on 1 January, 1 April, 1 July or 1 October.",
        ),
        ({"amount": "-1.00"}, "amount", "min_value", None),
    ],
)
def test_bad_quotas_are_refused(
    personas: Personas, payload: dict[str, Any], field: str, code: str, message: str | None
) -> None:
    data: dict[str, Any] = {
        "user": personas.owner.pk,
        "period_kind": "month",
        "period_start": "2026-11-01",
        "amount": "1000.00",
        "currency": "USD",
        **payload,
    }
    if payload.get("team") == "TEAM":
        data["team"] = personas.team.pk
    changes = ChangeLogEntry.objects.count()
    response = client_for(personas.admin).post("/api/quotas/", data, format="json")
    body = problem(response, 400, "validation_error")
    assert field_errors(body) == [(field, code)]
    if message:
        assert body["errors"][0]["message"] == message
    assert Quota.objects.count() == 0
    assert ChangeLogEntry.objects.count() == changes


def test_a_second_quota_for_the_same_period_is_refused(personas: Personas) -> None:
    admin = client_for(personas.admin)
    data = {
        "user": personas.owner.pk,
        "period_kind": "quarter",
        "period_start": "2026-10-01",
        "amount": "1000.00",
        "currency": "USD",
    }
    assert admin.post("/api/quotas/", data, format="json").status_code == 201
    response = admin.post("/api/quotas/", {**data, "amount": "5.00"}, format="json")
    assert response.status_code == 400
    assert Quota.objects.count() == 1


# --- the page ---------------------------------------------------------------------------------


def _chart_data(html: str) -> dict[str, Any]:
    match = re.search(
        r'<script id="forecast-chart-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert match
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def test_the_page_shows_the_chart_and_table_of_the_apis_numbers(sales: Personas) -> None:
    client = Client()
    client.force_login(sales.manager)
    response = client.get("/forecasts/pipeline/", {"period": "2026-Q4"})
    assert response.status_code == 200
    html = response.content.decode()
    api = forecast(sales.manager)
    # the page's data is the API's
    assert response.context["data"] == api
    chart = _chart_data(html)
    assert chart["labels"] == ["manager", "other", "owner", "teammate"]
    series = {s["key"]: s["values"] for s in chart["series"]}
    assert series == {
        "quota": ["12000.00", "0", "10000.00", "2000.00"],
        "closed": ["2000.00", "0.00", "2000.00", "0.00"],
        "commit": ["3000.00", "0.00", "3000.00", "0.00"],
        "best_case": ["3500.00", "0.00", "3000.00", "500.00"],
    }
    # the table has the same numbers
    assert "rapport/forecast-pipeline.js" in html
    assert "vendor/chart.js/dist/chart.umd.min.js" in html
    owner_row = re.search(rf'<tr data-user="{sales.owner.pk}">(.*?)</tr>', html, re.S)
    assert owner_row
    cells = dict(re.findall(r'<td data-col="(\w+)">(.*?)</td>', owner_row.group(1)))
    assert cells == {
        "quota": "10,000.00 USD",
        "closed": "2,000.00 USD",
        "attainment": "20 %",
        "commit": "3,000.00 USD",
        "adjusted": "—",
        "best_case": "3,000.00 USD",
        "pipeline": "1,000.00 USD",
        "weighted": "900.00 USD",
    }
    # the manager gets the adjustment form for their reports
    assert 'action="/forecasts/pipeline/adjust/"' in html
    assert f'<option value="user:{sales.owner.pk}">owner</option>' in html


def test_the_page_form_records_an_adjustment(sales: Personas) -> None:
    client = Client()
    client.force_login(sales.manager)
    response = client.post(
        "/forecasts/pipeline/adjust/",
        {"period": "2026-Q4", "target": f"user:{sales.teammate.pk}", "amount": "800", "note": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert ForecastAdjustment.objects.get().user == sales.teammate
    assert "Adjustment saved." in response.content.decode()
    assert "800.00 USD" in response.content.decode()


def test_a_rep_has_no_adjustment_form(sales: Personas) -> None:
    client = Client()
    client.force_login(sales.owner)
    html = client.get("/forecasts/pipeline/").content.decode()
    assert 'action="/forecasts/pipeline/adjust/"' not in html


def test_the_forecast_api_reads_a_fixed_number_of_queries(
    sales: Personas, stages: dict[str, Stage]
) -> None:
    client = client_for(sales.manager)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/forecasts/pipeline/", {"period": "2026-Q4"}).status_code == 200
    for i in range(30):
        deal([sales.owner, sales.teammate, sales.other][i % 3], stages["commit"], "10")
    client = client_for(sales.manager)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/forecasts/pipeline/", {"period": "2026-Q4"}).status_code == 200
    assert len(many) == len(few)
    assert len(few) <= 12


def test_the_api_output_is_what_its_schema_serializer_says(sales: Personas) -> None:
    # given a forecast with an adjustment and a team
    client_for(sales.manager).post(
        "/api/forecasts/adjustments/",
        {"period": "2026-Q4", "team": sales.team.pk, "amount": "10.00"},
        format="json",
    )
    result = pipeline_forecast(user=sales.manager, period=period_parse("2026-Q4"), team=sales.team)
    # then the hand-written representation equals the documented serializer's
    assert forecast_data(result) == json.loads(json.dumps(PipelineForecastSerializer(result).data))


def test_the_owner_filter_shows_a_person_and_their_reports(sales: Personas) -> None:
    body = forecast(sales.admin, owner=str(sales.manager.pk))
    assert [p["name"] for p in body["people"]] == ["manager", "other", "owner", "teammate"]
    assert body["total"] == ALL
    only_owner = forecast(sales.manager, owner=str(sales.owner.pk))
    assert [p["name"] for p in only_owner["people"]] == ["owner"]
    response = client_for(sales.manager).get("/api/forecasts/pipeline/", {"team": "999"})
    assert field_errors(problem(response, 400, "validation_error")) == [("team", "does_not_exist")]


def test_the_forecast_endpoints_are_documented_and_the_page_is_in_the_navigation(
    sales: Personas,
) -> None:
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert set(schema["paths"]["/api/forecasts/pipeline/"]) == {"get"}
    assert set(schema["paths"]["/api/forecasts/adjustments/"]) == {"post"}
    parameters = {
        p["name"] for p in schema["paths"]["/api/forecasts/pipeline/"]["get"]["parameters"]
    }
    assert parameters == {"period", "team", "owner"}
    client = Client()
    client.force_login(sales.owner)
    assert 'href="/forecasts/pipeline/"' in client.get("/").content.decode()


def test_amounts_without_an_exchange_rate_are_counted_and_said(
    personas: Personas, stages: dict[str, Stage]
) -> None:
    # given a deal in a currency with no exchange rate
    record_create(
        actor=Actor(user=personas.owner),
        record_type=get_record_type("opportunities"),
        data={
            "name": "Deal",
            "account": AccountFactory(owner=personas.owner),
            "pipeline": stages["commit"].pipeline,
            "stage": stages["commit"],
            "currency": currency("GBP"),
            "amount": Decimal("900"),
            "expected_close_date": NOV,
        },
    )
    # then it is left out of the amounts, counted, and the page says so
    body = forecast(personas.owner)
    assert (body["total"]["commit"], body["total"]["unconverted"]) == ("0.00", 1)
    client = Client()
    client.force_login(personas.owner)
    html = client.get("/forecasts/pipeline/", {"period": "2026-Q4"}).content.decode()
    assert "1 opportunity is left out: there is no exchange rate for its currency." in html


def test_signed_out_visitors_get_no_forecast(sales: Personas) -> None:
    assert APIClient().get("/api/forecasts/pipeline/").status_code == 401
    response = APIClient().post(
        "/api/forecasts/adjustments/",
        {"period": "2026-Q4", "user": sales.owner.pk, "amount": "1.00"},
        format="json",
    )
    assert response.status_code == 401
    assert ForecastAdjustment.objects.count() == 0
    page = Client().get("/forecasts/pipeline/")
    assert page.status_code == 302
    assert page["Location"].startswith("/login/")
