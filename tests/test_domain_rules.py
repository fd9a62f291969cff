"""Domain rules through the API and services: display names, opportunity probability, stage
history and closing, account hierarchy, currency conversion, record timelines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from freezegun import freeze_time
from rest_framework.test import APIClient

from conftest import Personas, client_for
from rapport.accounts.models import Account
from rapport.contacts.models import Contact
from rapport.core.models import ChangeLogEntry
from rapport.currencies.selectors import MissingExchangeRate, exchange_rate, money_to_base
from rapport.framework.testing.factories import (
    AccountFactory,
    ActivityFactory,
    ExchangeRateFactory,
    PipelineFactory,
    StageFactory,
    currency,
)
from rapport.framework.text import person_display_name
from rapport.leads.models import Lead
from rapport.opportunities.models import CloseReason, Opportunity, StageHistory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


@pytest.fixture
def owner_api(personas: Personas) -> APIClient:
    return client_for(personas.owner)


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content
    return dict(response.json())


# --- display names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "family", "expected"),
    [
        ("小明", "王", "王小明"),
        ("太郎", "山田", "山田太郎"),
        ("민준", "김", "김민준"),
        ("Ada", "Lovelace", "Ada Lovelace"),
        ("  Ada ", " Lovelace  ", "Ada Lovelace"),
        ("", "Lovelace", "Lovelace"),
        ("Ming", "王", "王Ming"),
    ],
)
def test_person_display_name(given: str, family: str, expected: str) -> None:
    assert person_display_name(given, family) == expected


def test_contact_and_lead_display_names_through_the_api(
    personas: Personas, owner_api: APIClient
) -> None:
    # when
    chinese = ok(owner_api.post("/api/contacts/", {"given_name": "小明", "family_name": "王"}), 201)
    western = ok(
        owner_api.post("/api/contacts/", {"given_name": " Ada ", "family_name": "Lovelace"}), 201
    )
    lead = ok(owner_api.post("/api/leads/", {"given_name": "秀英", "family_name": "李"}), 201)
    renamed = ok(owner_api.patch(f"/api/contacts/{western['id']}/", {"given_name": "Augusta"}))
    # then
    assert (
        chinese["display_name"],
        western["display_name"],
        lead["display_name"],
        renamed["display_name"],
    ) == ("王小明", "Ada Lovelace", "李秀英", "Augusta Lovelace")
    assert sorted(Contact.objects.values_list("given_name", "display_name")) == [
        ("Augusta", "Augusta Lovelace"),
        ("小明", "王小明"),
    ]
    assert Lead.objects.get().display_name == "李秀英"


# --- opportunities ------------------------------------------------------------------------


@pytest.fixture
def pipeline(personas: Personas) -> dict[str, Any]:
    p = PipelineFactory(name="Sales")
    return {
        "pipeline": p,
        "qualify": StageFactory(pipeline=p, name="Qualify", position=1, probability=20),
        "propose": StageFactory(pipeline=p, name="Propose", position=2, probability=60),
        "won": StageFactory(pipeline=p, name="Won", position=3, probability=100, kind="won"),
        "lost": StageFactory(pipeline=p, name="Lost", position=4, probability=0, kind="lost"),
        "account": AccountFactory(owner=personas.owner),
    }


def new_opportunity(api: APIClient, pipeline: dict[str, Any], **extra: Any) -> dict[str, Any]:
    payload = {
        "name": "Deal",
        "account": pipeline["account"].pk,
        "pipeline": pipeline["pipeline"].pk,
        "stage": pipeline["qualify"].pk,
        "currency": currency("USD").pk,
        "amount": "5000.00",
        **extra,
    }
    return ok(api.post("/api/opportunities/", payload), 201)


def test_probability_defaults_from_the_stage(
    owner_api: APIClient, pipeline: dict[str, Any]
) -> None:
    # when created without a probability, then moved to the next stage
    created = new_opportunity(owner_api, pipeline)
    moved = ok(
        owner_api.patch(f"/api/opportunities/{created['id']}/", {"stage": pipeline["propose"].pk})
    )
    # then each time the stage's probability
    assert (created["probability"], moved["probability"]) == (20, 60)
    assert Opportunity.objects.get().probability == 60


def test_probability_given_is_kept(owner_api: APIClient, pipeline: dict[str, Any]) -> None:
    # when created with a probability, edited otherwise, then moved with a probability
    created = new_opportunity(owner_api, pipeline, probability=35)
    renamed = ok(owner_api.patch(f"/api/opportunities/{created['id']}/", {"name": "Bigger"}))
    moved = ok(
        owner_api.patch(
            f"/api/opportunities/{created['id']}/",
            {"stage": pipeline["propose"].pk, "probability": 45},
        )
    )
    changed = ok(owner_api.patch(f"/api/opportunities/{created['id']}/", {"probability": 50}))
    # then
    assert [r["probability"] for r in (created, renamed, moved, changed)] == [35, 35, 45, 50]
    assert (Opportunity.objects.get().probability, Opportunity.objects.get().stage_id) == (
        50,
        pipeline["propose"].pk,
    )


def test_stage_history_records_each_stay(
    personas: Personas, owner_api: APIClient, pipeline: dict[str, Any]
) -> None:
    # given an opportunity created at T0
    with freeze_time(at(0)):
        created = new_opportunity(owner_api, pipeline)
    url = f"/api/opportunities/{created['id']}/"
    # when it moves at T0+10, is edited without a stage change at T0+15, moves at T0+20
    with freeze_time(at(10)):
        ok(owner_api.patch(url, {"stage": pipeline["propose"].pk}))
    with freeze_time(at(15)):
        ok(owner_api.patch(url, {"name": "Renamed"}))
    with freeze_time(at(20)):
        body = ok(owner_api.patch(url, {"stage": pipeline["won"].pk}))
    # then one row per stay, each left when the next was entered
    rows = list(
        StageHistory.objects.order_by("entered_at", "id").values_list(
            "stage_id", "entered_at", "left_at", "changed_by_id"
        )
    )
    assert rows == [
        (pipeline["qualify"].pk, at(0), at(10), personas.owner.pk),
        (pipeline["propose"].pk, at(10), at(20), personas.owner.pk),
        (pipeline["won"].pk, at(20), None, personas.owner.pk),
    ]
    assert [(h["stage"], h["left_at"]) for h in body["stage_history"]] == [
        (pipeline["qualify"].pk, "2025-03-01T09:10:00Z"),
        (pipeline["propose"].pk, "2025-03-01T09:20:00Z"),
        (pipeline["won"].pk, None),
    ]


def test_closed_at_is_set_on_won_and_lost_and_cleared_on_reopen(
    owner_api: APIClient, pipeline: dict[str, Any]
) -> None:
    # given
    with freeze_time(at(0)):
        created = new_opportunity(owner_api, pipeline)
    url = f"/api/opportunities/{created['id']}/"
    # when won, edited, lost, reopened
    with freeze_time(at(5)):
        won = ok(owner_api.patch(url, {"stage": pipeline["won"].pk}))
    with freeze_time(at(6)):
        edited = ok(owner_api.patch(url, {"next_step": "Invoice"}))
    with freeze_time(at(7)):
        budget_cut = CloseReason.objects.create(kind="lost", name="Budget cut")
        lost = ok(
            owner_api.patch(url, {"stage": pipeline["lost"].pk, "close_reason": budget_cut.pk})
        )
    with freeze_time(at(8)):
        reopened = ok(owner_api.patch(url, {"stage": pipeline["propose"].pk}))
    # then
    assert [r["closed_at"] for r in (created, won, edited, lost, reopened)] == [
        None,
        "2025-03-01T09:05:00Z",
        "2025-03-01T09:05:00Z",
        "2025-03-01T09:07:00Z",
        None,
    ]
    assert [r["probability"] for r in (won, lost, reopened)] == [100, 0, 60]
    assert Opportunity.objects.get().closed_at is None


def test_closed_at_cannot_be_written_by_the_client(
    owner_api: APIClient, pipeline: dict[str, Any]
) -> None:
    # when
    created = new_opportunity(owner_api, pipeline, closed_at="2020-01-01T00:00:00Z")
    # then
    assert created["closed_at"] is None
    assert Opportunity.objects.get().closed_at is None


# --- account hierarchy ----------------------------------------------------------------------


def test_account_parent_cycle_is_refused(personas: Personas, owner_api: APIClient) -> None:
    # given a chain: holding <- division <- branch
    holding = ok(owner_api.post("/api/accounts/", {"name": "Holding"}), 201)
    division = ok(
        owner_api.post("/api/accounts/", {"name": "Division", "parent": holding["id"]}), 201
    )
    branch = ok(owner_api.post("/api/accounts/", {"name": "Branch", "parent": division["id"]}), 201)
    changes = ChangeLogEntry.objects.count()
    # when the holding is put under its own branch, or under itself
    under_branch = owner_api.patch(f"/api/accounts/{holding['id']}/", {"parent": branch["id"]})
    under_itself = owner_api.patch(f"/api/accounts/{holding['id']}/", {"parent": holding["id"]})
    # then
    for response in (under_branch, under_itself):
        assert response.status_code == 400, response.content
        assert response.json()["errors"] == [
            {
                "field": "parent",
                "code": "parent_cycle",
                "message": "An account cannot be its own ancestor.",
            }
        ]
    assert dict(Account.objects.values_list("name", "parent_id")) == {
        "Holding": None,
        "Division": holding["id"],
        "Branch": division["id"],
    }
    assert ChangeLogEntry.objects.count() == changes


def test_account_may_move_to_another_branch(owner_api: APIClient) -> None:
    # given
    holding = ok(owner_api.post("/api/accounts/", {"name": "Holding"}), 201)
    other = ok(owner_api.post("/api/accounts/", {"name": "Other"}), 201)
    branch = ok(owner_api.post("/api/accounts/", {"name": "Branch", "parent": holding["id"]}), 201)
    # when
    moved = ok(owner_api.patch(f"/api/accounts/{branch['id']}/", {"parent": other["id"]}))
    # then
    assert moved["parent"] == other["id"]


# --- currencies ---------------------------------------------------------------------------


@pytest.fixture
def euro_rates() -> None:
    ExchangeRateFactory(currency=currency("EUR"), date=dt.date(2025, 1, 10), rate=Decimal("1.10"))
    ExchangeRateFactory(currency=currency("EUR"), date=dt.date(2025, 1, 20), rate=Decimal("1.20"))


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (dt.date(2025, 1, 10), Decimal("110.00")),  # the day's own rate
        (dt.date(2025, 1, 15), Decimal("110.00")),  # the latest before it
        (dt.date(2025, 1, 20), Decimal("120.00")),
        (dt.date(2026, 1, 1), Decimal("120.00")),
    ],
)
def test_money_to_base_uses_the_rate_of_the_day(
    euro_rates: None, on: dt.date, expected: Decimal
) -> None:
    assert money_to_base(Decimal("100"), "EUR", on) == expected


def test_money_to_base_rounds_to_the_base_currency(euro_rates: None) -> None:
    # 33.33 x 1.10 = 36.663
    assert money_to_base(Decimal("33.33"), "EUR", dt.date(2025, 1, 12)) == Decimal("36.66")
    assert exchange_rate("EUR", dt.date(2025, 1, 12)) == Decimal("1.10")


def test_money_in_the_base_currency_needs_no_rate() -> None:
    currency("USD")
    assert money_to_base(Decimal("12.5"), "USD", dt.date(2000, 1, 1)) == Decimal("12.50")


@pytest.mark.parametrize(
    ("code", "on"),
    [
        ("EUR", dt.date(2025, 1, 9)),  # before the first rate
        ("GBP", dt.date(2025, 1, 15)),  # no rate at all
    ],
)
def test_missing_rate_raises(euro_rates: None, code: str, on: dt.date) -> None:
    currency(code)
    with pytest.raises(MissingExchangeRate) as raised:
        money_to_base(Decimal("100"), code, on)
    assert (raised.value.currency, raised.value.on) == (code, on)
    assert str(raised.value) == f"no exchange rate for {code} on or before {on}"


# --- timeline -----------------------------------------------------------------------------


def test_contact_timeline_merges_activities_and_changes_newest_first(
    personas: Personas, owner_api: APIClient
) -> None:
    # given a contact created at T0 and edited at T0+30 through the API
    with freeze_time(at(0)):
        contact = ok(owner_api.post("/api/contacts/", {"family_name": "Lovelace"}), 201)
    with freeze_time(at(30)):
        ok(owner_api.patch(f"/api/contacts/{contact['id']}/", {"job_title": "Analyst"}))
    link = {"related_type": ContentType.objects.get_for_model(Contact), "related_id": contact["id"]}
    # ... the owner's call at T0+10, the teammate's team meeting at T0+40, and another
    # user's private note at T0+20 that the owner may not see
    ActivityFactory(
        owner=personas.owner, kind="call", subject="Intro call", start_at=at(10), **link
    )
    ActivityFactory(
        owner=personas.teammate,
        team=personas.team,
        kind="meeting",
        subject="Demo",
        start_at=at(40),
        **link,
    )
    ActivityFactory(
        owner=personas.other, kind="note", subject="Private note", start_at=at(20), **link
    )
    # when
    items = owner_api.get(f"/api/contacts/{contact['id']}/timeline/")
    # then
    assert items.status_code == 200, items.content
    assert [(i["time"], i["kind"], i["title"]) for i in items.json()] == [
        ("2025-03-01T09:40:00Z", "activity.meeting", "Demo"),
        ("2025-03-01T09:30:00Z", "change.update", "job_title"),
        ("2025-03-01T09:10:00Z", "activity.call", "Intro call"),
        ("2025-03-01T09:00:00Z", "change.create", "create"),
    ]
    change = items.json()[1]["detail"]
    assert (change["user"], change["channel"], change["before"], change["after"]) == (
        personas.owner.pk,
        "api",
        {"job_title": ""},
        {"job_title": "Analyst"},
    )


def test_timeline_of_an_invisible_record_is_404(personas: Personas) -> None:
    # given the owner's contact
    with freeze_time(at(0)):
        contact = ok(
            client_for(personas.owner).post("/api/contacts/", {"family_name": "Lovelace"}), 201
        )
    # when another user asks for its timeline
    response = client_for(personas.other).get(f"/api/contacts/{contact['id']}/timeline/")
    # then
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
