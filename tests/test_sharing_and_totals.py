"""Sharing a record through the API, and opportunity totals in the organisation's currency."""

import datetime as dt
from decimal import Decimal

from conftest import client_for
from rapport.core.models import ChangeLogEntry
from rapport.framework.testing.factories import (
    AccountFactory,
    ExchangeRateFactory,
    OpportunityFactory,
    StageFactory,
    currency,
)
from rapport.identity.models import RecordShare


def test_owner_shares_an_account_read_only_with_another_user(personas):
    account = AccountFactory(owner=personas.owner)
    other = client_for(personas.other)
    assert other.get(f"/api/accounts/{account.pk}/").status_code == 404

    response = client_for(personas.owner).post(
        f"/api/accounts/{account.pk}/shares/", {"user": personas.other.pk, "level": "read"}
    )

    assert response.status_code == 201
    assert other.get(f"/api/accounts/{account.pk}/").status_code == 200
    assert other.patch(f"/api/accounts/{account.pk}/", {"name": "X"}).status_code == 403
    account.refresh_from_db()
    assert account.name != "X"
    entry = ChangeLogEntry.objects.get(object_id=account.pk, content_type__model="account")
    assert entry.after == {"shares": [f"user:{personas.other.pk}:read"]}


def test_share_with_team_read_write_lets_its_members_edit(personas):
    account = AccountFactory(owner=personas.owner)
    client_for(personas.owner).post(
        f"/api/accounts/{account.pk}/shares/",
        {"team": personas.other_team.pk, "level": "read_write"},
    )

    response = client_for(personas.other).patch(f"/api/accounts/{account.pk}/", {"name": "Renamed"})

    assert response.status_code == 200
    account.refresh_from_db()
    assert account.name == "Renamed"


def test_teammate_who_may_only_read_cannot_share_and_nothing_changes(personas):
    account = AccountFactory(owner=personas.owner, team=personas.team)

    response = client_for(personas.teammate).post(
        f"/api/accounts/{account.pk}/shares/", {"user": personas.other.pk}
    )

    assert response.status_code == 403
    assert response.json()["code"] == "share_denied"
    assert RecordShare.objects.count() == 0


def test_share_needs_exactly_one_of_user_or_team(personas):
    account = AccountFactory(owner=personas.owner)

    response = client_for(personas.owner).post(
        f"/api/accounts/{account.pk}/shares/", {"user": personas.other.pk, "team": personas.team.pk}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "user"
    assert RecordShare.objects.count() == 0


def test_revoking_a_share_hides_the_record_again(personas):
    account = AccountFactory(owner=personas.owner)
    owner = client_for(personas.owner)
    share_id = owner.post(
        f"/api/accounts/{account.pk}/shares/", {"user": personas.other.pk}
    ).json()["id"]

    response = owner.delete(f"/api/accounts/{account.pk}/shares/{share_id}/")

    assert response.status_code == 204
    assert client_for(personas.other).get(f"/api/accounts/{account.pk}/").status_code == 404


def test_totals_convert_each_currency_at_the_rate_of_the_day(personas):
    stage = StageFactory(probability=50)
    OpportunityFactory(owner=personas.owner, stage=stage, amount=Decimal("100.00"), probability=50)
    OpportunityFactory(
        owner=personas.owner,
        stage=stage,
        amount=Decimal("200.00"),
        currency=currency("EUR"),
        probability=10,
    )
    OpportunityFactory(owner=personas.other, stage=stage, amount=Decimal("999.00"))
    ExchangeRateFactory(currency=currency("EUR"), date=dt.date(2026, 1, 1), rate=Decimal("1.5"))
    ExchangeRateFactory(currency=currency("EUR"), date=dt.date(2026, 6, 1), rate=Decimal("2"))

    response = client_for(personas.owner).get("/api/opportunities/totals/?on=2026-03-01")

    assert response.status_code == 200
    body = response.json()
    assert (body["currency"], body["count"]) == ("USD", 2)
    assert Decimal(body["amount"]) == Decimal("400.00")  # 100 + 200 x 1.5
    assert Decimal(body["weighted_amount"]) == Decimal("80.00")  # 50 + 20 x 1.5
    assert body["missing_rates"] == []


def test_totals_name_currencies_without_a_rate(personas):
    OpportunityFactory(owner=personas.owner, currency=currency("JPY"), amount=Decimal("5000"))

    body = client_for(personas.owner).get("/api/opportunities/totals/").json()

    assert body["missing_rates"] == ["JPY"]
    assert Decimal(body["amount"]) == 0


def test_totals_refuse_a_bad_date(personas):
    response = client_for(personas.owner).get("/api/opportunities/totals/?on=tomorrow")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "on"
