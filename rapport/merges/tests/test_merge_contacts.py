"""Merging two contacts through the API, and undoing the merge."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from conftest import Personas, client_for
from rapport.activities.models import Activity
from rapport.contacts.models import AccountMembership, Contact, ContactEmail, ContactPhone
from rapport.core.models import ChangeLogEntry
from rapport.framework.search import global_search, search_reindex
from rapport.framework.testing.factories import (
    AccountFactory,
    AccountMembershipFactory,
    ActivityFactory,
    ContactEmailFactory,
    ContactFactory,
    ContactPhoneFactory,
    OpportunityFactory,
    TagFactory,
)
from rapport.identity.models import SharingDefault
from rapport.merges.models import MergeRecord
from rapport.opportunities.models import Opportunity, OpportunityContact
from rapport.privacy.models import Consent

pytestmark = pytest.mark.django_db


def _state() -> dict[str, Any]:
    """Everything a contact merge may touch, comparable before and after."""
    return {
        "contacts": list(
            Contact.objects.order_by("pk").values(
                "pk",
                "given_name",
                "family_name",
                "display_name",
                "job_title",
                "city",
                "custom_fields",
                "primary_email",
                "primary_phone",
                "primary_account_id",
                "owner_id",
            )
        ),
        "tags": sorted(
            (c.pk, t.name) for c in Contact.objects.prefetch_related("tags") for t in c.tags.all()
        ),
        "emails": list(ContactEmail.objects.order_by("pk").values_list()),
        "phones": list(ContactPhone.objects.order_by("pk").values_list()),
        "memberships": list(AccountMembership.objects.order_by("pk").values_list()),
        "activities": list(Activity.objects.order_by("pk").values_list("pk", "related_id")),
        "participants": list(
            Activity.participant_contacts.through.objects.order_by("pk").values_list()
        ),
        "opportunities": list(
            Opportunity.objects.order_by("pk").values_list("pk", "primary_contact_id")
        ),
        "roles": list(OpportunityContact.objects.order_by("pk").values_list()),
        "consents": list(Consent.objects.order_by("pk").values_list("pk", "contact_id")),
    }


@pytest.fixture
def pair(personas: Personas) -> dict[str, Any]:
    """Two contacts of the owner describing the same person, with related records."""
    owner = personas.owner
    acme, globex = AccountFactory(owner=owner, name="Acme"), AccountFactory(owner=owner)
    survivor = ContactFactory(
        owner=owner,
        given_name="Ann",
        family_name="Lee",
        display_name="Ann Lee",
        job_title="",
        city="Boston",
        custom_fields={"nickname": "Ann", "source": ""},
    )
    other = ContactFactory(
        owner=owner,
        given_name="Annie",
        family_name="Leigh",
        display_name="Annie Leigh",
        job_title="CTO",
        city="Cambridge",
        custom_fields={"nickname": "Annie", "source": "fair"},
    )
    survivor.tags.add(TagFactory(name="vip"))
    other.tags.add(TagFactory(name="vip"), TagFactory(name="fair-2024"))
    ContactEmailFactory(contact=survivor, email="ann@example.com", is_primary=True)
    ContactEmailFactory(contact=other, email="ANN@example.com", is_primary=True)
    ContactEmailFactory(contact=other, email="annie@corp.example", is_primary=False)
    ContactPhoneFactory(contact=survivor, number="202 555 0101", e164="+12025550101")
    ContactPhoneFactory(contact=other, number="+1 202 555 0101", e164="+12025550101")
    ContactPhoneFactory(contact=other, number="202 555 0199", e164="+12025550199", is_primary=False)
    AccountMembershipFactory(contact=survivor, account=acme, is_primary=True)
    AccountMembershipFactory(contact=other, account=acme, is_primary=True)
    AccountMembershipFactory(contact=other, account=globex, is_primary=False)
    for c in (survivor, other):
        Contact.objects.filter(pk=c.pk).update(primary_account=acme)
    Contact.objects.filter(pk=survivor.pk).update(
        primary_email="ann@example.com", primary_phone="+12025550101"
    )
    Contact.objects.filter(pk=other.pk).update(
        primary_email="ANN@example.com", primary_phone="+12025550101"
    )
    contact_type = ContentType.objects.get_for_model(Contact)
    call = ActivityFactory(owner=owner, related_type=contact_type, related_id=other.pk)
    both = ActivityFactory(owner=owner, kind="meeting")
    both.participant_contacts.add(survivor, other)
    alone = ActivityFactory(owner=owner, kind="meeting")
    alone.participant_contacts.add(other)
    deal = OpportunityFactory(owner=owner, account=acme, primary_contact=other)
    shared = OpportunityFactory(owner=owner, account=acme)
    OpportunityContact.objects.create(opportunity=deal, contact=other, role="champion")
    OpportunityContact.objects.create(opportunity=shared, contact=other, role="user")
    OpportunityContact.objects.create(opportunity=shared, contact=survivor, role="champion")
    consent = Consent.objects.create(
        contact=other, purpose="marketing_email", granted=True, source="form"
    )
    search_reindex()
    return {
        "survivor": survivor,
        "other": other,
        "acme": acme,
        "globex": globex,
        "call": call,
        "both": both,
        "alone": alone,
        "deal": deal,
        "shared": shared,
        "consent": consent,
    }


def _merge(user: Any, survivor: Any, body: dict[str, Any]) -> Any:
    return client_for(user).post(f"/api/contacts/{survivor.pk}/merge/", body, format="json")


def test_merge_moves_everything_onto_the_survivor(personas: Personas, pair: dict[str, Any]):
    # Given two contacts of the owner describing the same person
    survivor, other = pair["survivor"], pair["other"]
    other_pk = other.pk
    # When the owner merges the other into the survivor, keeping the other's job title
    response = _merge(
        personas.owner,
        survivor,
        {"other": other_pk, "keep": {"job_title": "other", "custom_fields.nickname": "other"}},
    )
    # Then the answer is the survivor with the merge's id
    assert response.status_code == 200, response.content
    body = response.json()
    merge = MergeRecord.objects.get()
    assert (body["id"], body["merge_id"]) == (survivor.pk, merge.pk)
    # and the other contact is gone
    assert not Contact.objects.filter(pk=other_pk).exists()
    # and each field has the chosen value, custom fields merged key by key, tags united
    survivor.refresh_from_db()
    assert (survivor.display_name, survivor.job_title, survivor.city) == (
        "Ann Lee",
        "CTO",
        "Boston",
    )
    assert survivor.custom_fields == {"nickname": "Annie", "source": "fair"}
    assert sorted(t.name for t in survivor.tags.all()) == ["fair-2024", "vip"]
    # and children are united without duplicates, the survivor's primary staying primary
    emails = ContactEmail.objects.filter(contact=survivor).order_by("pk")
    assert [(e.email, e.is_primary) for e in emails] == [
        ("ann@example.com", True),
        ("annie@corp.example", False),
    ]
    phones = ContactPhone.objects.filter(contact=survivor).order_by("pk")
    assert [(p.e164, p.is_primary) for p in phones] == [
        ("+12025550101", True),
        ("+12025550199", False),
    ]
    memberships = AccountMembership.objects.filter(contact=survivor).order_by("pk")
    assert [(m.account_id, m.is_primary) for m in memberships] == [
        (pair["acme"].pk, True),
        (pair["globex"].pk, False),
    ]
    assert (survivor.primary_email, survivor.primary_phone, survivor.primary_account_id) == (
        "ann@example.com",
        "+12025550101",
        pair["acme"].pk,
    )
    # and related records now point at the survivor
    assert Activity.objects.get(pk=pair["call"].pk).related_id == survivor.pk
    assert list(pair["both"].participant_contacts.all()) == [survivor]
    assert list(pair["alone"].participant_contacts.all()) == [survivor]
    assert Opportunity.objects.get(pk=pair["deal"].pk).primary_contact_id == survivor.pk
    roles = OpportunityContact.objects.order_by("opportunity_id")
    assert [(r.opportunity_id, r.contact_id, r.role) for r in roles] == [
        (pair["deal"].pk, survivor.pk, "champion"),
        (pair["shared"].pk, survivor.pk, "champion"),
    ]
    assert Consent.objects.get(pk=pair["consent"].pk).contact_id == survivor.pk
    # and the change log has a merge entry on the survivor and a delete entry for the other
    contact_type = ContentType.objects.get_for_model(Contact)
    entries = ChangeLogEntry.objects.filter(content_type=contact_type).order_by("pk")
    assert [(e.action, e.object_id, e.channel, e.user) for e in entries] == [
        ("merge", str(survivor.pk), "api", personas.owner),
        ("delete", str(other_pk), "api", personas.owner),
    ]
    merged, deleted = entries
    assert merged.before["job_title"] == ""
    assert merged.after["job_title"] == "CTO"
    assert (merged.after["merged_id"], merged.after["merge"]) == (other_pk, merge.pk)
    assert merged.after["merged_record"]["display_name"] == "Annie Leigh"
    assert merged.after["merged_record"]["emails"] == [
        {"email": "ANN@example.com", "label": "work", "is_primary": True},
        {"email": "annie@corp.example", "label": "work", "is_primary": False},
    ]
    assert deleted.before["display_name"] == "Annie Leigh"
    assert deleted.after is None
    # and search no longer finds the other; it finds the survivor by the other's address
    assert [h.record_id for h in global_search(user=personas.owner, query="Annie Leigh")] == []
    hits = global_search(user=personas.owner, query="annie@corp.example")
    assert [(h.record_type, h.record_id) for h in hits] == [("contacts", survivor.pk)]


def test_undo_restores_everything_exactly(personas: Personas, pair: dict[str, Any]):
    # Given a merge of two contacts
    before = _state()
    other_pk = pair["other"].pk
    response = _merge(
        personas.owner, pair["survivor"], {"other": other_pk, "keep": {"job_title": "other"}}
    )
    merge_id = response.json()["merge_id"]
    # When the owner undoes it
    undone = client_for(personas.owner).post(f"/api/merges/{merge_id}/undo/")
    # Then every row is as it was before the merge, the other contact under its old id
    assert undone.status_code == 200, undone.content
    assert undone.json()["undone_at"] is not None
    assert _state() == before
    assert Contact.objects.filter(pk=other_pk).exists()
    # and the change log records the undo
    contact_type = ContentType.objects.get_for_model(Contact)
    actions = ChangeLogEntry.objects.filter(content_type=contact_type).order_by("pk")
    assert [(e.action, e.object_id) for e in actions] == [
        ("merge", str(pair["survivor"].pk)),
        ("delete", str(other_pk)),
        ("update", str(pair["survivor"].pk)),
        ("create", str(other_pk)),
    ]
    # and search finds the other contact again
    hits = global_search(user=personas.owner, query="Annie Leigh")
    assert [h.record_id for h in hits][:1] == [other_pk]


def test_merge_with_itself_is_refused(personas: Personas, pair: dict[str, Any]):
    before = _state()
    response = _merge(personas.owner, pair["survivor"], {"other": pair["survivor"].pk})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["other"]
    assert _state() == before
    assert MergeRecord.objects.count() == 0


def test_merge_with_a_record_one_cannot_see_is_not_found(personas: Personas, pair: dict[str, Any]):
    # Given a contact of another user, outside the owner's team
    stranger = ContactFactory(owner=personas.other)
    before = _state()
    # When the owner tries to merge it into their contact, or theirs into it
    into_mine = _merge(personas.owner, pair["survivor"], {"other": stranger.pk})
    into_theirs = _merge(personas.other, stranger, {"other": pair["survivor"].pk})
    # Then both are refused as not found and nothing changed
    assert (into_mine.status_code, into_theirs.status_code) == (404, 404)
    assert _state() == before
    assert MergeRecord.objects.count() == 0


def test_merge_without_delete_permission_is_forbidden(personas: Personas, pair: dict[str, Any]):
    # Given teammates may change, not delete, each other's contacts
    Contact.objects.update(team=personas.team)
    SharingDefault.objects.create(
        record_type="contacts", org_access="private", team_access="read_write"
    )
    before = _state()
    # When the teammate merges the owner's two contacts
    response = _merge(personas.teammate, pair["survivor"], {"other": pair["other"].pk})
    # Then it is forbidden and nothing changed
    assert response.status_code == 403
    assert response.json()["code"] == "merge_denied"
    assert _state() == before
    assert ChangeLogEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("keep", "field"),
    [({"shoe_size": "other"}, "keep.shoe_size"), ({"job_title": "both"}, "keep.job_title")],
)
def test_merge_with_an_unknown_keep_is_refused(
    personas: Personas, pair: dict[str, Any], keep: dict[str, str], field: str
):
    before = _state()
    response = _merge(personas.owner, pair["survivor"], {"other": pair["other"].pk, "keep": keep})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert _state() == before


def test_merge_without_other_is_refused(personas: Personas, pair: dict[str, Any]):
    before = _state()
    response = _merge(personas.owner, pair["survivor"], {"keep": {}})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["other"]
    assert _state() == before


def test_undo_twice_is_a_conflict(personas: Personas, pair: dict[str, Any]):
    response = _merge(personas.owner, pair["survivor"], {"other": pair["other"].pk})
    client = client_for(personas.owner)
    url = f"/api/merges/{response.json()['merge_id']}/undo/"
    assert client.post(url).status_code == 200
    after_first = _state()
    # When undone again
    again = client.post(url)
    # Then it is refused with a clear code and nothing changed
    assert again.status_code == 409
    assert again.json()["code"] == "merge_already_undone"
    assert _state() == after_first


def test_undo_by_someone_else_is_not_found(personas: Personas, pair: dict[str, Any]):
    response = _merge(personas.owner, pair["survivor"], {"other": pair["other"].pk})
    merged = _state()
    merge_id = response.json()["merge_id"]
    # When the teammate tries to undo the owner's merge
    refused = client_for(personas.teammate).post(f"/api/merges/{merge_id}/undo/")
    # Then it is not found and nothing changed
    assert refused.status_code == 404
    assert _state() == merged
    assert MergeRecord.objects.get(pk=merge_id).undone_at is None
    # and an administrator may undo it
    assert client_for(personas.admin).post(f"/api/merges/{merge_id}/undo/").status_code == 200
