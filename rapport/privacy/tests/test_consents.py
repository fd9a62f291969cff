"""Consents per person and purpose: recorded, withdrawn, history kept, access enforced."""

from __future__ import annotations

from typing import Any

import pytest
from freezegun import freeze_time

from conftest import Personas, client_for
from rapport.contacts.models import Contact
from rapport.leads.models import Lead
from rapport.privacy.choices import ConsentPurpose, PrivacyActionKind
from rapport.privacy.models import Consent, PrivacyAction
from rapport.privacy.tests.helpers import contact_via_api, lead_via_api, person_state

pytestmark = pytest.mark.django_db

WORDING = "Yes, send me the monthly newsletter."


def _grant(client: Any, url: str, purpose: str = "marketing_email") -> Any:
    return client.post(
        url,
        {"purpose": purpose, "granted": True, "source": "web_form", "wording": WORDING},
        format="json",
    )


def test_grant_then_withdraw_keeps_history_and_current_state(personas: Personas) -> None:
    # given a contact of the owner
    contact = contact_via_api(personas)
    client = client_for(personas.owner)
    url = f"/api/contacts/{contact.pk}/consents/"
    # when consent is granted, then withdrawn a day later
    with freeze_time("2026-01-05 10:00:00"):
        granted = _grant(client, url)
    with freeze_time("2026-01-06 09:30:00"):
        withdrawn = client.post(
            url + "withdraw/", {"purpose": "marketing_email", "source": "email"}, format="json"
        )
    # then both are rows of their own; the grant is stamped with the withdrawal
    assert granted.status_code == 201
    assert withdrawn.status_code == 201
    grant = Consent.objects.get(pk=granted.json()["id"])
    assert (grant.granted, grant.source, grant.wording) == (True, "web_form", WORDING)
    assert grant.withdrawn_at is not None
    assert grant.withdrawn_at.isoformat() == "2026-01-06T09:30:00+00:00"
    assert grant.withdrawn_source == "email"
    assert grant.contact_id == contact.pk and grant.lead_id is None
    # and the current state per purpose is the withdrawal
    state = client.get(url).json()
    assert set(state["current"]) == set(ConsentPurpose.values)
    assert state["current"]["marketing_email"]["id"] == withdrawn.json()["id"]
    assert state["current"]["marketing_email"]["granted"] is False
    assert state["current"]["phone_calls"] is None
    assert [row["id"] for row in state["history"]] == [withdrawn.json()["id"], grant.pk]
    # and each change is a privacy action naming the person, not their data
    actions = list(
        PrivacyAction.objects.order_by("id").values_list("action", "person_type", "person_id")
    )
    assert actions == [
        (PrivacyActionKind.CONSENT_RECORDED, "contacts", contact.pk),
        (PrivacyActionKind.CONSENT_WITHDRAWN, "contacts", contact.pk),
    ]


def test_lead_consents(personas: Personas) -> None:
    lead = lead_via_api(personas)
    client = client_for(personas.owner)
    response = _grant(client, f"/api/leads/{lead.pk}/consents/", "phone_calls")
    assert response.status_code == 201
    assert Consent.objects.get().lead_id == lead.pk
    state = client.get(f"/api/leads/{lead.pk}/consents/").json()
    assert state["current"]["phone_calls"]["granted"] is True


def test_unknown_purpose_is_400_naming_the_field(personas: Personas) -> None:
    contact = contact_via_api(personas)
    before = person_state(Contact, contact.pk)
    response = _grant(client_for(personas.owner), f"/api/contacts/{contact.pk}/consents/", "spam")
    assert response.status_code == 400
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("purpose", "invalid_choice")]
    assert person_state(Contact, contact.pk) == before


def test_withdraw_without_grant_is_400(personas: Personas) -> None:
    contact = contact_via_api(personas)
    before = person_state(Contact, contact.pk)
    response = client_for(personas.owner).post(
        f"/api/contacts/{contact.pk}/consents/withdraw/",
        {"purpose": "profiling", "source": "ui"},
        format="json",
    )
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("purpose", "not_granted")
    ]
    assert person_state(Contact, contact.pk) == before


def test_access_follows_the_person(personas: Personas) -> None:
    # given the owner's contact in team East: the teammate may see it, not change it
    contact = contact_via_api(personas)
    url = f"/api/contacts/{contact.pk}/consents/"
    before = person_state(Contact, contact.pk)
    # then the teammate reads the consents but may not record one
    assert client_for(personas.teammate).get(url).status_code == 200
    assert _grant(client_for(personas.teammate), url).status_code == 403
    # and someone outside the team does not see the person at all
    assert client_for(personas.other).get(url).status_code == 404
    assert _grant(client_for(personas.other), url).status_code == 404
    assert person_state(Contact, contact.pk) == before
    # and the manager may
    assert _grant(client_for(personas.manager), url).status_code == 201


def test_unknown_person_is_404(personas: Personas) -> None:
    client = client_for(personas.admin)
    assert client.get("/api/leads/999999/consents/").status_code == 404
    assert Lead.objects.count() == 0
