"""Builders shared by the privacy tests."""

from __future__ import annotations

from typing import Any

from conftest import Personas, client_for
from rapport.contacts.models import Contact
from rapport.core.models import ChangeLogEntry
from rapport.leads.models import Lead
from rapport.privacy.models import Consent, PrivacyAction


def contact_via_api(personas: Personas, **extra: Any) -> Contact:
    """A contact of the owner, in team East, created through the API (so with a change log)."""
    payload = {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "job_title": "Analyst",
        "birthday": "1815-12-10",
        "street": "12 St James's Square",
        "city": "London",
        "description": "Met Ada Lovelace at the engines fair.",
        "team": personas.team.pk,
        "emails": [{"email": "ada@engines.example"}, {"email": "ada.l@home.example"}],
        "phones": [{"number": "+1 202 555 0101"}],
        **extra,
    }
    response = client_for(personas.owner).post("/api/contacts/", payload, format="json")
    assert response.status_code == 201, response.json()
    return Contact.objects.get(pk=response.json()["id"])


def lead_via_api(personas: Personas) -> Lead:
    payload = {
        "given_name": "Grace",
        "family_name": "Hopper",
        "email": "grace@navy.example",
        "phone": "+1 202 555 0199",
        "company": "Navy",
        "city": "Arlington",
        "team": personas.team.pk,
    }
    response = client_for(personas.owner).post("/api/leads/", payload, format="json")
    assert response.status_code == 201, response.json()
    return Lead.objects.get(pk=response.json()["id"])


def person_state(model: Any, pk: int) -> dict[str, Any]:
    """Everything the privacy endpoints may change about a person, to compare before/after."""
    return {
        "row": model.objects.filter(pk=pk).values().first(),
        "emails": sorted(Contact.objects.filter(pk=pk).values_list("emails__email", flat=True))
        if model is Contact
        else [],
        "changelog": list(
            ChangeLogEntry.objects.filter(object_id=str(pk)).values(
                "before", "after", "object_repr"
            )
        ),
        "consents": list(Consent.objects.values()),
        "privacy_actions": PrivacyAction.objects.count(),
    }
