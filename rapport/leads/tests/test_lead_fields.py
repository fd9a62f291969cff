"""The lead's scores, conversion links and first-response times: shown, never written by
clients."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import client_for
from rapport.framework.testing.factories import AccountFactory, LeadFactory
from rapport.leads.models import Lead

pytestmark = pytest.mark.django_db

READ_ONLY = {
    "rule_score": 90,
    "learned_score": 0.9,
    "score_reasons": {"rule": ["forged"]},
    "converted_at": "2026-01-01T00:00:00Z",
    "converted_contact": 1,
    "response_due_at": "2026-01-01T00:00:00Z",
    "responded_at": "2026-01-01T00:00:00Z",
    "sla_reminded_at": "2026-01-01T00:00:00Z",
    "sla_escalated_at": "2026-01-01T00:00:00Z",
}


def test_clients_cannot_write_scores_conversion_or_sla_fields(personas: Any) -> None:
    account = AccountFactory(owner=personas.owner)
    # when a client sends them with a new lead
    response = client_for(personas.owner).post(
        "/api/leads/",
        {"family_name": "Forger", **READ_ONLY, "converted_account": account.pk},
        format="json",
    )
    # then the lead is created and none of them is taken
    assert response.status_code == 201, response.content
    body = response.json()
    for name, sent in READ_ONLY.items():
        assert body[name] != sent, name
    lead = Lead.objects.get()
    assert (lead.converted_at, lead.converted_account_id, lead.converted_contact_id) == (
        None,
        None,
        None,
    )
    assert (lead.responded_at, lead.sla_reminded_at, lead.sla_escalated_at) == (None, None, None)


def test_the_lead_list_shows_both_scores(personas: Any) -> None:
    LeadFactory(owner=personas.owner, family_name="Scored", rule_score=42, learned_score=0.5)
    client = Client()
    client.force_login(personas.owner)
    page = client.get("/leads/").content.decode()
    assert "Rule score" in page
    assert "Learned score" in page
    assert ">42<" in page
