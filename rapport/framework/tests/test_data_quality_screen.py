"""The data-quality screens: the index of record types with checks, and per type each check's
count (only records the user may see) linked to the list filtered by that check."""

from __future__ import annotations

import re
from typing import Any, cast

import pytest
from django.test import Client

from conftest import Personas
from rapport.contacts.models import Contact
from rapport.framework.testing.factories import ContactEmailFactory, ContactFactory

pytestmark = pytest.mark.django_db


def contact(owner: Any) -> Contact:
    return cast(Contact, ContactFactory(owner=owner))


def signed_in(username: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": "pw"})
    assert response.status_code == 302
    return client


def counts(html: str) -> dict[str, int]:
    """``{check key: count}`` as the page shows them."""
    rows = re.findall(r'data-check="([a-z_]+)">.*?data-count="(\d+)"', html, re.S)
    return {key: int(n) for key, n in rows}


def test_counts_are_of_the_records_each_user_may_see(personas: Personas) -> None:
    # given: owner has three contacts, one with an email; other has two without
    mine = [contact(personas.owner) for _ in range(3)]
    ContactEmailFactory(contact=mine[0], email="a@example.com")
    mine[0].primary_email = "a@example.com"
    mine[0].save()
    ContactFactory(owner=personas.other)
    ContactFactory(owner=personas.other)
    # when
    owner_page = signed_in("owner").get("/data-quality/contacts/")
    other_page = signed_in("other").get("/data-quality/contacts/")
    # then
    assert owner_page.status_code == 200
    assert counts(owner_page.content.decode()) == {
        "missing_email": 2,
        "missing_phone": 3,
        "invalid_phone": 0,
        "duplicate_email": 0,
    }
    assert counts(other_page.content.decode()) == {
        "missing_email": 2,
        "missing_phone": 2,
        "invalid_phone": 0,
        "duplicate_email": 0,
    }


def test_each_count_links_to_the_list_filtered_by_its_check(personas: Personas) -> None:
    # given
    mine = [contact(personas.owner) for _ in range(2)]
    ContactEmailFactory(contact=mine[0], email="b@example.com")
    mine[0].primary_email = "b@example.com"
    mine[0].save()
    client = signed_in("owner")
    # when
    html = client.get("/data-quality/contacts/").content.decode()
    listed = client.get("/contacts/?quality=missing_email")
    # then
    assert 'href="/contacts/?quality=missing_email"' in html
    assert listed.status_code == 200
    assert f'/contacts/{mine[1].pk}/"' in listed.content.decode()
    assert f'/contacts/{mine[0].pk}/"' not in listed.content.decode()


def test_the_index_lists_the_types_with_checks_and_the_nav_links_it(personas: Personas) -> None:
    # when
    html = signed_in("owner").get("/data-quality/").content.decode()
    # then
    linked = re.findall(r'href="/data-quality/([a-z-]+)/"', html)
    assert sorted(linked) == ["accounts", "contacts", "leads"]
    assert 'href="/data-quality/" aria-current="page">Data quality</a>' in html


def test_a_type_without_checks_or_unknown_is_not_found(personas: Personas) -> None:
    client = signed_in("owner")
    assert client.get("/data-quality/opportunities/").status_code == 404
    assert client.get("/data-quality/nothing/").status_code == 404


def test_signed_out_users_are_sent_to_sign_in(db: None) -> None:
    response = Client().get("/data-quality/contacts/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
