"""The generated screens render for every record type and write through the services."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import Personas
from rapport.contacts.models import Contact
from rapport.core.selectors import record_changes
from rapport.framework.choices import Channel
from rapport.framework.registry import record_types


def signed_in(user_name: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": user_name, "password": "pw"}).status_code == 302
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("key", [rt.key for rt in record_types()])
def test_list_and_create_screens_render(personas: Personas, key: str) -> None:
    client = signed_in("admin")
    assert client.get(f"/{key}/").status_code == 200
    assert client.get(f"/{key}/new/").status_code == 200


@pytest.mark.django_db
def test_a_contact_created_in_the_form_is_cleaned_logged_and_listed(personas: Personas) -> None:
    # given
    client = signed_in("owner")
    # when
    response = client.post(
        "/contacts/new/",
        {
            "given_name": "ada",
            "family_name": "LOVELACE",
            "emails-0-email": "Ada@Example.COM",
            "emails-0-is_primary": "on",
            "phones-0-number": "+1 650 253 0000",
        },
    )
    # then
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{contact.pk}/"
    assert contact.owner == personas.owner
    assert contact.primary_email == "Ada@example.com"
    assert record_changes(contact).get().channel == Channel.UI
    listing = client.get("/contacts/")
    assert "Ada Lovelace" in listing.content.decode()


@pytest.mark.django_db
def test_bad_input_is_shown_beside_the_field_and_nothing_is_saved(personas: Personas) -> None:
    client = signed_in("owner")
    response = client.post("/contacts/new/", {"given_name": "Ada", "emails-0-email": "not-mail"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="f-family_name-err"' in body or 'id="f-emails-err"' in body
    assert Contact.objects.count() == 0


@pytest.mark.django_db
def test_a_record_the_user_may_not_see_is_not_found(personas: Personas) -> None:
    contact = Contact.objects.create(family_name="Hidden", owner=personas.other)
    client = signed_in("owner")
    assert client.get(f"/contacts/{contact.pk}/").status_code == 404
    assert client.get(f"/contacts/{contact.pk}/edit/").status_code == 404
    assert client.post(f"/contacts/{contact.pk}/delete/").status_code == 404
    assert Contact.objects.filter(pk=contact.pk).exists()


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(personas: Personas) -> None:
    response = signed_in("owner").get("/contacts/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()
