"""Merging two accounts, and two leads, through the API, and undoing the merge."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from conftest import Personas, client_for
from rapport.accounts.models import Account
from rapport.activities.models import Activity
from rapport.contacts.models import AccountMembership, Contact
from rapport.core.models import ChangeLogEntry
from rapport.framework.search import global_search, search_reindex
from rapport.framework.testing.factories import (
    AccountFactory,
    AccountMembershipFactory,
    ActivityFactory,
    ContactFactory,
    LeadFactory,
    OpportunityFactory,
)
from rapport.leads.models import Lead
from rapport.opportunities.models import Opportunity
from rapport.privacy.models import Consent

pytestmark = pytest.mark.django_db


def _state() -> dict[str, Any]:
    return {
        "accounts": list(
            Account.objects.order_by("pk").values(
                "pk", "name", "website", "industry", "parent_id", "custom_fields"
            )
        ),
        "memberships": list(AccountMembership.objects.order_by("pk").values_list()),
        "contacts": list(Contact.objects.order_by("pk").values_list("pk", "primary_account_id")),
        "opportunities": list(Opportunity.objects.order_by("pk").values_list("pk", "account_id")),
        "activities": list(Activity.objects.order_by("pk").values_list("pk", "related_id")),
        "leads": list(Lead.objects.order_by("pk").values("pk", "display_name", "email")),
        "consents": list(Consent.objects.order_by("pk").values_list("pk", "lead_id")),
    }


def test_account_merge_moves_opportunities_members_and_children(personas: Personas):
    # Given two accounts of the owner for the same company
    owner = personas.owner
    survivor = AccountFactory(owner=owner, name="Acme", website="", industry="software")
    other = AccountFactory(owner=owner, name="ACME Inc", website="https://acme.example")
    child = AccountFactory(owner=owner, name="Acme Europe", parent=other)
    only_there = ContactFactory(owner=owner, primary_account=other)
    AccountMembershipFactory(contact=only_there, account=other)
    in_both = ContactFactory(owner=owner, primary_account=survivor)
    AccountMembershipFactory(contact=in_both, account=survivor)
    AccountMembershipFactory(contact=in_both, account=other, is_primary=False)
    deal = OpportunityFactory(owner=owner, account=other)
    account_type = ContentType.objects.get_for_model(Account)
    call = ActivityFactory(owner=owner, related_type=account_type, related_id=other.pk)
    search_reindex()
    before = _state()
    other_pk = other.pk
    # When the owner merges them, keeping the other's website
    response = client_for(owner).post(
        f"/api/accounts/{survivor.pk}/merge/",
        {"other": other_pk, "keep": {"website": "other"}},
        format="json",
    )
    # Then the other account is gone and everything points at the survivor
    assert response.status_code == 200, response.content
    assert not Account.objects.filter(pk=other_pk).exists()
    survivor.refresh_from_db()
    assert (survivor.name, survivor.website, survivor.domain) == (
        "Acme",
        "https://acme.example",
        "acme.example",
    )
    assert Opportunity.objects.get(pk=deal.pk).account_id == survivor.pk
    assert Account.objects.get(pk=child.pk).parent_id == survivor.pk
    members = AccountMembership.objects.order_by("contact_id")
    assert [(m.contact_id, m.account_id) for m in members] == [
        (only_there.pk, survivor.pk),
        (in_both.pk, survivor.pk),
    ]
    assert Contact.objects.get(pk=only_there.pk).primary_account_id == survivor.pk
    assert Activity.objects.get(pk=call.pk).related_id == survivor.pk
    entries = ChangeLogEntry.objects.filter(content_type=account_type).order_by("pk")
    assert [(e.action, e.object_id) for e in entries] == [
        ("merge", str(survivor.pk)),
        ("delete", str(other_pk)),
    ]
    hits = global_search(user=owner, query="Acme", types=["accounts"])
    assert sorted(h.record_id for h in hits) == [survivor.pk, child.pk]
    # When the merge is undone
    merge_id = response.json()["merge_id"]
    undone = client_for(owner).post(f"/api/merges/{merge_id}/undo/")
    # Then everything is as before
    assert undone.status_code == 200, undone.content
    assert _state() == before


def test_lead_merge_moves_consents_and_activities(personas: Personas):
    # Given two leads of the owner, the other with a consent and an activity
    owner = personas.owner
    survivor = LeadFactory(owner=owner, email="")
    other = LeadFactory(owner=owner, email="pat@prospect.example")
    consent = Consent.objects.create(
        lead=other, purpose="marketing_email", granted=True, source="form"
    )
    lead_type = ContentType.objects.get_for_model(Lead)
    call = ActivityFactory(owner=owner, related_type=lead_type, related_id=other.pk)
    before = _state()
    # When merged keeping the other's email
    response = client_for(owner).post(
        f"/api/leads/{survivor.pk}/merge/",
        {"other": other.pk, "keep": {"email": "other"}},
        format="json",
    )
    # Then
    assert response.status_code == 200, response.content
    assert response.json()["email"] == "pat@prospect.example"
    assert not Lead.objects.filter(pk=other.pk).exists()
    assert Consent.objects.get(pk=consent.pk).lead_id == survivor.pk
    assert Activity.objects.get(pk=call.pk).related_id == survivor.pk
    # and undo restores both leads
    undone = client_for(owner).post(f"/api/merges/{response.json()['merge_id']}/undo/")
    assert undone.status_code == 200, undone.content
    assert _state() == before
