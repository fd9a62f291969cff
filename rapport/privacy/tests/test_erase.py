"""Erasure: the person is anonymised everywhere, the row and its relations stay."""

from __future__ import annotations

import json

import pytest
from django.contrib.contenttypes.models import ContentType

from conftest import Personas, client_for
from rapport.activities.models import Activity
from rapport.contacts.models import Contact, ContactEmail, ContactPhone
from rapport.core.models import ChangeLogEntry
from rapport.framework.search import global_search
from rapport.framework.testing.factories import ActivityFactory, OpportunityFactory
from rapport.leads.models import Lead
from rapport.opportunities.models import Opportunity, OpportunityContact
from rapport.privacy.choices import PrivacyActionKind
from rapport.privacy.models import PrivacyAction
from rapport.privacy.tests.helpers import contact_via_api, lead_via_api, person_state

pytestmark = pytest.mark.django_db

PERSONAL = ["Ada", "Lovelace", "ada@engines.example", "ada.l@home.example", "London", "1815"]


def test_erase_contact_anonymises_everywhere_and_keeps_relations(personas: Personas) -> None:
    # given a contact with a change history, an activity about her, and an opportunity
    contact = contact_via_api(personas)
    client = client_for(personas.owner)
    assert (
        client.patch(
            f"/api/contacts/{contact.pk}/", {"job_title": "Countess"}, format="json"
        ).status_code
        == 200
    )
    contact_type = ContentType.objects.get_for_model(Contact)
    linked = ActivityFactory(
        owner=personas.owner,
        subject="Call Ada Lovelace",
        body="Write to ADA@engines.example about the engine.",
        related_type=contact_type,
        related_id=contact.pk,
    )
    meeting = ActivityFactory(owner=personas.owner, subject="Meeting", body="Agenda only")
    meeting.participant_contacts.add(contact)
    opportunity = OpportunityFactory(owner=personas.owner, primary_contact=contact)
    OpportunityContact.objects.create(opportunity=opportunity, contact=contact, role="champion")
    contact.custom_fields = {"nickname": "Enchantress"}
    contact.save(update_fields=["custom_fields"])
    # when the owner erases her
    response = client.post(f"/api/contacts/{contact.pk}/erase/")
    # then
    assert response.status_code == 200, response.json()
    placeholder = f"Erased person #{contact.pk}"
    assert response.json() == {
        "person_type": "contacts",
        "person_id": contact.pk,
        "placeholder": placeholder,
        "emails_deleted": 2,
        "phones_deleted": 1,
        "activities_scrubbed": 1,
        "changelog_rows_rewritten": 3,
    }
    contact.refresh_from_db()
    assert (contact.given_name, contact.family_name, contact.display_name) == (
        "",
        placeholder,
        placeholder,
    )
    assert (contact.job_title, contact.birthday, contact.street, contact.city) == ("", None, "", "")
    assert (contact.description, contact.custom_fields) == ("", {})
    assert (contact.primary_email, contact.primary_phone) == ("", "")
    assert ContactEmail.objects.filter(contact=contact).count() == 0
    assert ContactPhone.objects.filter(contact=contact).count() == 0
    # and the relations stay: the opportunity, its contact role, the membership-less activity
    assert Opportunity.objects.get(pk=opportunity.pk).primary_contact_id == contact.pk
    assert OpportunityContact.objects.filter(contact=contact).count() == 1
    assert list(meeting.participant_contacts.all()) == [contact]
    # and the activity's text no longer names her
    linked.refresh_from_db()
    assert linked.subject == "Call [erased]"
    assert linked.body == "Write to [erased] about the engine."
    assert Activity.objects.get(pk=meeting.pk).body == "Agenda only"
    # and the change log of the record keeps no copy of her data
    entries = ChangeLogEntry.objects.filter(content_type=contact_type, object_id=str(contact.pk))
    assert entries.count() == 3  # create, update, erasure
    dumped = json.dumps(list(entries.values("before", "after", "object_repr")))
    for value in [*PERSONAL, "Countess", "Analyst", "Enchantress", "+12025550101"]:
        assert value not in dumped, value
    assert set(entries.values_list("object_repr", flat=True)) == {placeholder}
    # and search finds the placeholder, not the name
    assert global_search(user=personas.owner, query="Lovelace") == []
    # and the privacy log names the person by id only
    action = PrivacyAction.objects.get(action=PrivacyActionKind.ERASE)
    assert (action.person_type, action.person_id, action.user) == (
        "contacts",
        contact.pk,
        personas.owner,
    )
    for value in PERSONAL:
        assert value not in json.dumps(action.detail)


def test_erase_lead(personas: Personas) -> None:
    lead = lead_via_api(personas)
    response = client_for(personas.manager).post(f"/api/leads/{lead.pk}/erase/")
    assert response.status_code == 200
    lead.refresh_from_db()
    assert (lead.display_name, lead.email, lead.phone, lead.phone_e164, lead.city) == (
        f"Erased person #{lead.pk}",
        "",
        "",
        "",
        "",
    )
    assert lead.company == "Navy"  # about the company, not the person
    dumped = json.dumps(
        list(ChangeLogEntry.objects.filter(object_id=str(lead.pk)).values("before", "after"))
    )
    for value in ("Grace", "Hopper", "grace@navy.example", "+12025550199", "Arlington"):
        assert value not in dumped


def test_erase_twice_is_409_and_changes_nothing(personas: Personas) -> None:
    contact = contact_via_api(personas)
    client = client_for(personas.owner)
    assert client.post(f"/api/contacts/{contact.pk}/erase/").status_code == 200
    before = person_state(Contact, contact.pk)
    response = client.post(f"/api/contacts/{contact.pk}/erase/")
    assert response.status_code == 409
    assert response.json()["code"] == "already_erased"
    assert response["Content-Type"] == "application/problem+json"
    assert person_state(Contact, contact.pk) == before


@pytest.mark.parametrize(("who", "status"), [("teammate", 403), ("other", 404)])
def test_erase_refused_changes_nothing(personas: Personas, who: str, status: int) -> None:
    contact = contact_via_api(personas)
    before = person_state(Contact, contact.pk)
    response = client_for(getattr(personas, who)).post(f"/api/contacts/{contact.pk}/erase/")
    assert response.status_code == status
    assert person_state(Contact, contact.pk) == before
    assert PrivacyAction.objects.count() == 0


def test_erase_refused_for_lead_without_access(personas: Personas) -> None:
    lead = lead_via_api(personas)
    before = person_state(Lead, lead.pk)
    assert client_for(personas.teammate).post(f"/api/leads/{lead.pk}/erase/").status_code == 403
    assert client_for(personas.other).post(f"/api/leads/{lead.pk}/erase/").status_code == 404
    assert person_state(Lead, lead.pk) == before
