"""Generic-suite spec of leads (rapport.framework.testing.specs)."""

from __future__ import annotations

from typing import Any

from rapport.framework.testing.factories import LeadFactory, TagFactory
from rapport.framework.testing.specs import FieldFilter, OwnedRecordSpec, register_spec
from rapport.leads.models import Lead


def lead_build(*, owner: Any, team: Any = None, **overrides: Any) -> Lead:
    lead = LeadFactory(owner=owner, team=team, **overrides)
    lead.tags.add(TagFactory(name="inbound"))
    return lead


def lead_create_payload(user: Any) -> dict[str, Any]:
    TagFactory(name="inbound")
    return {
        "given_name": "Grace",
        "family_name": "Hopper",
        "company": "Navy Labs",
        "email": "grace@navy.example",
        "tags": ["inbound"],
    }


register_spec(
    OwnedRecordSpec(
        key="leads",
        build=lead_build,
        create_payload=lead_create_payload,
        update_payload=lambda: {"company": "Renamed Labs", "job_title": "Admiral"},
        field_filter=FieldFilter(
            constraint={"rating": "hot"}, matching={"rating": "hot"}, other={"rating": "cold"}
        ),
    )
)
