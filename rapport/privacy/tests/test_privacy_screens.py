"""Privacy screens of contacts and leads: personal data export, consents and erasure."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from conftest import Personas
from rapport.contacts.models import Contact
from rapport.framework.testing.factories import (
    AccountFactory,
    ContactEmailFactory,
    ContactFactory,
    LeadFactory,
)
from rapport.identity.models import SharingDefault
from rapport.leads.models import Lead
from rapport.privacy.models import Consent, PrivacyAction

pytestmark = pytest.mark.django_db


def _client(username: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": "pw"})
    assert response.status_code == 302
    return client


@pytest.fixture
def ada(personas: Personas) -> Contact:
    contact = ContactFactory(
        owner=personas.owner, team=personas.team, given_name="Ada", family_name="Lovelace"
    )
    ContactEmailFactory(contact=contact, email="ada@engines.example")
    return contact


def _read_only_team() -> None:
    SharingDefault.objects.create(record_type="contacts", org_access="private", team_access="read")


def _consents() -> list[tuple[Any, ...]]:
    return list(
        Consent.objects.order_by("pk").values_list("purpose", "granted", "source", "wording")
    )


def test_record_page_shows_privacy_actions_to_who_may_use_them(
    personas: Personas, ada: Contact
) -> None:
    # given teammates may only read each other's contacts
    _read_only_team()
    # when the owner and the teammate open the contact's page
    mine = _client("owner").get(f"/contacts/{ada.pk}/").content.decode()
    theirs = _client("teammate").get(f"/contacts/{ada.pk}/").content.decode()
    # then only the owner gets the privacy actions
    assert f'href="/privacy/contacts/{ada.pk}/personal-data/"' in mine
    assert f'href="/privacy/contacts/{ada.pk}/erase/"' in mine
    assert "/privacy/" not in theirs


def test_personal_data_as_an_html_page(personas: Personas, ada: Contact) -> None:
    response = _client("owner").get(f"/privacy/contacts/{ada.pk}/personal-data/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    body = response.content.decode()
    assert "<h1>Personal data: Ada Lovelace</h1>" in body
    assert "ada@engines.example" in body
    assert list(PrivacyAction.objects.values_list("action", "channel", "detail")) == [
        ("export", "ui", {"format": "html"})
    ]


def test_personal_data_as_a_json_download(personas: Personas, ada: Contact) -> None:
    response = _client("owner").get(
        f"/privacy/contacts/{ada.pk}/personal-data/", {"format": "json"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="personal-data-contacts-{ada.pk}.json"'
    )
    data = json.loads(response.content)
    assert (data["id"], data["fields"]["display_name"]) == (ada.pk, "Ada Lovelace")
    assert [e["email"] for e in data["emails"]] == ["ada@engines.example"]


def test_personal_data_in_an_unknown_format_is_refused(personas: Personas, ada: Contact):
    response = _client("owner").get(f"/privacy/contacts/{ada.pk}/personal-data/", {"format": "x"})
    assert response.status_code == 400
    assert response.content.decode() == "Format: choose json or html."
    assert PrivacyAction.objects.count() == 0


def test_personal_data_is_denied_without_change_permission(
    personas: Personas, ada: Contact
) -> None:
    # given the teammate may only read the contact, and the other user may not see it
    _read_only_team()
    # when they ask for its personal data
    denied = _client("teammate").get(f"/privacy/contacts/{ada.pk}/personal-data/")
    hidden = _client("other").get(f"/privacy/contacts/{ada.pk}/personal-data/")
    # then the teammate is refused, the other gets "not found", and nothing is exported
    assert (denied.status_code, hidden.status_code) == (403, 404)
    assert PrivacyAction.objects.count() == 0


def test_record_and_withdraw_a_consent(personas: Personas, ada: Contact) -> None:
    client = _client("owner")
    # when the owner records a marketing consent with its wording
    recorded = client.post(
        f"/privacy/contacts/{ada.pk}/consents/",
        {"purpose": "marketing_email", "granted": "yes", "wording": "Send me the newsletter."},
    )
    # then it is stored from the user interface and shown as granted
    assert recorded.status_code == 302
    assert _consents() == [("marketing_email", True, "ui", "Send me the newsletter.")]
    page = client.get(f"/privacy/contacts/{ada.pk}/consents/")
    assert ("Marketing email", "Granted") in [
        (label, "Granted" if row and row.granted else "")
        for label, row in page.context["consent_state"]
    ]
    assert page.context["withdrawable"] == [("marketing_email", "Marketing email")]
    # when the owner withdraws it
    withdrawn = client.post(
        f"/privacy/contacts/{ada.pk}/consents/withdraw/", {"purpose": "marketing_email"}
    )
    # then the history has the grant, stamped withdrawn, and the refusal
    assert withdrawn.status_code == 302
    assert _consents() == [
        ("marketing_email", True, "ui", "Send me the newsletter."),
        ("marketing_email", False, "ui", ""),
    ]
    assert Consent.objects.get(granted=True).withdrawn_at is not None
    history = client.get(f"/privacy/contacts/{ada.pk}/consents/")
    assert len(history.context["history"]) == 2
    assert history.context["withdrawable"] == []


def test_withdrawing_a_consent_never_granted_names_the_purpose(personas: Personas, ada: Contact):
    response = _client("owner").post(
        f"/privacy/contacts/{ada.pk}/consents/withdraw/", {"purpose": "phone_calls"}
    )
    assert response.status_code == 400
    assert response.context["errors"] == {
        "withdraw_purpose": "There is no granted consent for this purpose."
    }
    assert _consents() == []


def test_a_consent_with_an_unknown_purpose_names_the_field(personas: Personas, ada: Contact):
    response = _client("owner").post(
        f"/privacy/contacts/{ada.pk}/consents/", {"purpose": "spam", "granted": "yes"}
    )
    assert response.status_code == 400
    assert list(response.context["errors"]) == ["purpose"]
    assert _consents() == []


def test_consent_is_denied_without_change_permission(personas: Personas, ada: Contact) -> None:
    _read_only_team()
    client = _client("teammate")
    page = client.get(f"/privacy/contacts/{ada.pk}/consents/")
    response = client.post(
        f"/privacy/contacts/{ada.pk}/consents/", {"purpose": "profiling", "granted": "yes"}
    )
    assert page.status_code == 200
    assert "Record a consent" not in page.content.decode()
    assert response.status_code == 403
    assert _consents() == []


def test_erase_asks_for_confirmation_then_anonymises(personas: Personas, ada: Contact) -> None:
    client = _client("owner")
    # when the owner opens the erase page and posts without ticking the box
    page = client.get(f"/privacy/contacts/{ada.pk}/erase/")
    unconfirmed = client.post(f"/privacy/contacts/{ada.pk}/erase/", {})
    # then it explains the consequence and nothing is erased
    assert page.status_code == 200
    assert "Erasing cannot be undone." in page.content.decode()
    assert unconfirmed.status_code == 400
    assert Contact.objects.get(pk=ada.pk).display_name == "Ada Lovelace"
    # when they confirm
    erased = client.post(f"/privacy/contacts/{ada.pk}/erase/", {"confirm": "yes"})
    # then the contact is anonymised and its emails gone
    assert erased.status_code == 302
    assert erased["Location"] == f"/contacts/{ada.pk}/"
    contact = Contact.objects.get(pk=ada.pk)
    assert (contact.given_name, contact.display_name) == ("", f"Erased person #{ada.pk}")
    assert contact.emails.count() == 0


def test_erase_a_lead(personas: Personas) -> None:
    lead = LeadFactory(owner=personas.owner, given_name="Grace", email="grace@navy.example")
    response = _client("owner").post(f"/privacy/leads/{lead.pk}/erase/", {"confirm": "yes"})
    assert response.status_code == 302
    assert Lead.objects.get(pk=lead.pk).email == ""


def test_erase_is_denied_without_delete_permission(personas: Personas, ada: Contact) -> None:
    # given teammates may change but not delete each other's contacts
    SharingDefault.objects.create(
        record_type="contacts", org_access="private", team_access="read_write"
    )
    client = _client("teammate")
    page = client.get(f"/privacy/contacts/{ada.pk}/erase/")
    response = client.post(f"/privacy/contacts/{ada.pk}/erase/", {"confirm": "yes"})
    assert (page.status_code, response.status_code) == (403, 403)
    assert Contact.objects.get(pk=ada.pk).display_name == "Ada Lovelace"
    assert PrivacyAction.objects.count() == 0


def test_no_privacy_actions_on_records_that_are_not_persons(personas: Personas) -> None:
    account = AccountFactory(owner=personas.owner)
    page = _client("owner").get(f"/accounts/{account.pk}/").content.decode()
    assert "/privacy/" not in page
    assert "Merge with…" in page
