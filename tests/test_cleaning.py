"""Cleaning on every way in: names, countries, emails, phones and websites."""

import pytest

from conftest import client_for
from rapport.contacts.models import Contact
from rapport.framework.actor import Actor
from rapport.framework.choices import ActorKind, Channel
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_create
from rapport.framework.text import country_code, person_name_clean


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        ("o'brien", "O'Brien"),
        ("MCDONALD", "McDonald"),
        ("ludwig van beethoven", "Ludwig van Beethoven"),
        ("jean-pierre", "Jean-Pierre"),
        ("  ada   lovelace ", "Ada Lovelace"),
        ("DeMarco", "DeMarco"),  # mixed case is kept as typed
        ("王小明", "王小明"),
        ("", ""),
    ],
)
def test_person_names(typed, clean):
    assert person_name_clean(typed) == clean


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("cn", "CN"),
        ("CHN", "CN"),
        ("China", "CN"),
        ("中国", "CN"),
        ("美国", "US"),
        ("USA", "US"),
        ("United States", "US"),
        ("uk", "GB"),
        ("Germany", "DE"),
        ("Atlantis", ""),
    ],
)
def test_country_codes(typed, code):
    assert country_code(typed) == code


def test_api_cleans_what_it_is_given(personas):
    response = client_for(personas.owner).post(
        "/api/contacts/",
        {
            "given_name": "GRACE",
            "family_name": "hopper",
            "country": "United States",
            "emails": [{"email": "  Grace@Navy.MIL "}],
            "phones": [{"number": "(202) 555-0143"}],
        },
    )

    body = response.json()
    assert response.status_code == 201, body
    assert (body["given_name"], body["family_name"], body["display_name"]) == (
        "Grace",
        "Hopper",
        "Grace Hopper",
    )
    assert body["country"] == "US"
    assert body["primary_email"] == "Grace@navy.mil"
    assert body["phones"][0] == {
        "number": "(202) 555-0143",
        "e164": "+12025550143",
        "label": "work",
        "is_primary": True,
    }


def test_an_unknown_country_is_refused_with_the_field_named(personas):
    response = client_for(personas.owner).post(
        "/api/accounts/", {"name": "Acme", "billing_country": "Atlantis"}
    )

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["field"], error["code"]) == ("billing_country", "invalid_choice")


def test_services_clean_for_channels_without_a_serializer(personas):
    actor = Actor(user=personas.owner, kind=ActorKind.IMPORT, channel=Channel.IMPORT)

    contact = record_create(
        actor=actor,
        record_type=get_record_type("contacts"),
        data={"given_name": "marie", "family_name": "CURIE", "country": "中国"},
    )

    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.display_name, stored.country.code) == ("Marie Curie", "CN")


def test_account_website_becomes_a_domain(personas):
    body = (
        client_for(personas.owner)
        .post("/api/accounts/", {"name": "Acme", "website": "HTTPS://WWW.Acme.example/about"})
        .json()
    )

    assert body["domain"] == "acme.example"
