"""Subject access export: everything held about a person, as JSON or an HTML page."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from conftest import Personas, client_for
from rapport.contacts.models import Contact
from rapport.framework.testing.factories import (
    AccountFactory,
    ActivityFactory,
    OpportunityFactory,
    TagFactory,
)
from rapport.opportunities.models import OpportunityContact
from rapport.privacy.choices import PrivacyActionKind
from rapport.privacy.models import PrivacyAction
from rapport.privacy.tests.helpers import contact_via_api, lead_via_api, person_state

pytestmark = pytest.mark.django_db


def test_contact_export_json_holds_everything(personas: Personas) -> None:
    # given a contact with a membership, tag, custom field, activities, opportunities, consent
    account = AccountFactory(owner=personas.owner, name="Engines Ltd")
    contact = contact_via_api(
        personas,
        memberships=[{"account": account.pk, "buying_role": "decision_maker"}],
    )
    contact.tags.add(TagFactory(name="vip"))
    contact.custom_fields = {"nickname": "Enchantress"}
    contact.save(update_fields=["custom_fields"])
    client = client_for(personas.owner)
    client.post(
        f"/api/contacts/{contact.pk}/consents/",
        {"purpose": "profiling", "granted": True, "source": "ui", "wording": "OK to analyse"},
        format="json",
    )
    linked = ActivityFactory(
        owner=personas.owner,
        subject="Call",
        related_type=ContentType.objects.get_for_model(Contact),
        related_id=contact.pk,
    )
    meeting = ActivityFactory(owner=personas.owner, subject="Meeting")
    meeting.participant_contacts.add(contact)
    hidden = ActivityFactory(owner=personas.other, subject="Not yours")
    hidden.participant_contacts.add(contact)
    primary = OpportunityFactory(owner=personas.owner, primary_contact=contact, name="Engine")
    role = OpportunityFactory(owner=personas.owner, name="Loom")
    OpportunityContact.objects.create(opportunity=role, contact=contact, role="champion")
    # when the owner exports the contact's data
    response = client.get(f"/api/contacts/{contact.pk}/personal-data/", {"format": "json"})
    # then
    assert response.status_code == 200
    data = response.json()
    assert (data["record_type"], data["id"]) == ("contacts", contact.pk)
    assert data["fields"]["display_name"] == "Ada Lovelace"
    assert data["fields"]["birthday"] == "1815-12-10"
    assert data["custom_fields"] == {"nickname": "Enchantress"}
    assert data["tags"] == ["vip"]
    assert [e["email"] for e in data["emails"]] == ["ada@engines.example", "ada.l@home.example"]
    assert [p["e164"] for p in data["phones"]] == ["+12025550101"]
    assert [(m["account_name"], m["buying_role"]) for m in data["memberships"]] == [
        ("Engines Ltd", "decision_maker")
    ]
    assert [a["id"] for a in data["activities"]] == [linked.pk, meeting.pk]
    assert sorted(
        (o["name"], o["is_primary_contact"], o["role"]) for o in data["opportunities"]
    ) == [("Engine", True, ""), ("Loom", False, "champion")]
    assert [(c["purpose"], c["granted"], c["wording"]) for c in data["consents"]] == [
        ("profiling", True, "OK to analyse")
    ]
    assert [c["action"] for c in data["changes"]] == ["create"]
    assert data["withheld"] == {"activities": 1, "opportunities": 0}
    assert primary.pk in {o["id"] for o in data["opportunities"]}
    # and the export is a privacy action
    export = PrivacyAction.objects.get(action=PrivacyActionKind.EXPORT)
    assert (export.person_id, export.user, export.detail) == (
        contact.pk,
        personas.owner,
        {"format": "json"},
    )


def test_lead_export_html(personas: Personas) -> None:
    lead = lead_via_api(personas)
    response = client_for(personas.admin).get(
        f"/api/leads/{lead.pk}/personal-data/", {"format": "html"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert "<h1>Personal data: Grace Hopper</h1>" in html
    assert "grace@navy.example" in html
    assert PrivacyAction.objects.get().detail == {"format": "html"}


def test_unknown_format_is_400(personas: Personas) -> None:
    contact = contact_via_api(personas)
    before = person_state(Contact, contact.pk)
    response = client_for(personas.owner).get(
        f"/api/contacts/{contact.pk}/personal-data/", {"format": "xml"}
    )
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("format", "invalid_choice")
    ]
    assert person_state(Contact, contact.pk) == before


@pytest.mark.parametrize(("who", "status"), [("teammate", 403), ("other", 404)])
def test_export_needs_change_access(personas: Personas, who: str, status: int) -> None:
    contact = contact_via_api(personas)
    response = client_for(getattr(personas, who)).get(f"/api/contacts/{contact.pk}/personal-data/")
    assert response.status_code == status
    assert "Lovelace" not in response.content.decode()
    assert PrivacyAction.objects.count() == 0
