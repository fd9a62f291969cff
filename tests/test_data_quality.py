"""Data-quality counts per record type, each linked to the records behind it."""

from conftest import client_for
from rapport.framework.testing.factories import (
    AccountFactory,
    ContactEmailFactory,
    ContactFactory,
    ContactPhoneFactory,
    LeadFactory,
)


def _counts(client, key):
    response = client.get(f"/api/{key}/data-quality/")
    assert response.status_code == 200
    return {row["key"]: (row["count"], row["records"]) for row in response.json()}


def test_contact_checks_count_only_visible_records_and_link_to_them(personas):
    mine = [ContactFactory(owner=personas.owner) for _ in range(4)]
    ContactEmailFactory(contact=mine[0], email="shared@example.com")
    mine[0].primary_email = "shared@example.com"
    mine[0].save()
    ContactEmailFactory(contact=mine[1], email="Shared@example.com")
    mine[1].primary_email = "Shared@example.com"
    mine[1].save()
    ContactPhoneFactory(contact=mine[2], number="12", e164="")
    ContactFactory(owner=personas.other)  # invisible: counted nowhere
    client = client_for(personas.owner)

    counts = _counts(client, "contacts")

    assert {k: c for k, (c, _url) in counts.items()} == {
        "missing_email": 2,
        "missing_phone": 3,
        "invalid_phone": 1,
        "duplicate_email": 2,
    }
    listed = client.get(counts["duplicate_email"][1]).json()["results"]
    assert sorted(r["id"] for r in listed) == sorted([mine[0].pk, mine[1].pk])


def test_lead_and_account_checks(personas):
    LeadFactory(owner=personas.owner, email="", phone="not a number")
    LeadFactory(owner=personas.owner, email="x@example.com")
    LeadFactory(owner=personas.owner, email="X@example.com")
    AccountFactory(owner=personas.owner, domain="", website="")
    AccountFactory(owner=personas.owner, domain="acme.example")
    AccountFactory(owner=personas.owner, domain="acme.example")
    client = client_for(personas.owner)

    leads = {k: c for k, (c, _u) in _counts(client, "leads").items()}
    accounts = {k: c for k, (c, _u) in _counts(client, "accounts").items()}

    assert (leads["missing_email"], leads["invalid_phone"], leads["duplicate_email"]) == (1, 1, 2)
    assert (accounts["missing_website"], accounts["duplicate_domain"]) == (1, 2)


def test_an_unknown_check_is_refused(personas):
    response = client_for(personas.owner).get("/api/contacts/?quality=shiny")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "quality"
