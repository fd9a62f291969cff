"""Generic-suite specs of opportunities, pipelines and stages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from rapport.framework.testing.factories import (
    AccountFactory,
    ContactFactory,
    OpportunityFactory,
    PipelineFactory,
    StageFactory,
    TagFactory,
)
from rapport.framework.testing.specs import (
    ConfigRecordSpec,
    FieldFilter,
    OwnedRecordSpec,
    ReferenceCase,
    register_spec,
)
from rapport.opportunities.models import (
    CloseReason,
    Competitor,
    Opportunity,
    OpportunityContact,
    StageHistory,
)


def opportunity_build(*, owner: Any, team: Any = None, **overrides: Any) -> Opportunity:
    """An opportunity at an account of the same owner, with a contact role, a primary
    contact and a stage-history row."""
    entered = timezone.now()
    overrides = {"forecast_category": "pipeline", "stage_entered_at": entered, **overrides}
    opportunity = OpportunityFactory(owner=owner, team=team, account__team=team, **overrides)
    contact = ContactFactory(owner=owner, team=team)
    opportunity.primary_contact = contact
    opportunity.save(update_fields=["primary_contact"])
    OpportunityContact.objects.create(
        opportunity=opportunity, contact=contact, role="decision_maker"
    )
    StageHistory.objects.create(
        opportunity=opportunity,
        stage=opportunity.stage,
        entered_at=entered,
        changed_by=owner,
    )
    opportunity.tags.add(TagFactory(name="strategic"))
    return opportunity


def opportunity_create_payload(user: Any) -> dict[str, Any]:
    account = AccountFactory(owner=user)
    contact = ContactFactory(owner=user)
    stage = StageFactory()
    TagFactory(name="strategic")
    return {
        "name": "Rocket fuel deal",
        "account": account.pk,
        "primary_contact": contact.pk,
        "contact_roles": [{"contact": contact.pk, "role": "economic_buyer"}],
        "pipeline": stage.pipeline_id,
        "stage": stage.pk,
        "amount": "25000.00",
        "currency": "USD",
        "tags": ["strategic"],
    }


register_spec(
    OwnedRecordSpec(
        key="opportunities",
        build=opportunity_build,
        create_payload=opportunity_create_payload,
        update_payload=lambda: {"name": "Renamed deal", "next_step": "Send the proposal"},
        field_filter=FieldFilter(
            constraint={"amount__gte": 5000},
            matching={"amount": Decimal("9000.00")},
            other={"amount": Decimal("100.00")},
        ),
        references=(
            ReferenceCase(
                "account",
                target="accounts",
                payload=lambda pk: {"account": pk},
                error_field="account",
            ),
            ReferenceCase(
                "primary contact",
                target="contacts",
                payload=lambda pk: {"primary_contact": pk},
                error_field="primary_contact",
            ),
            ReferenceCase(
                "contact role",
                target="contacts",
                payload=lambda pk: {"contact_roles": [{"contact": pk, "role": "other"}]},
                error_field="contact_roles.0.contact",
            ),
        ),
    )
)

register_spec(
    ConfigRecordSpec(
        key="pipelines",
        build=lambda: PipelineFactory(),
        create_payload=lambda: {"name": "Enterprise", "position": 3},
        update_payload=lambda: {"name": "Renamed pipeline"},
    )
)


def stage_create_payload() -> dict[str, Any]:
    return {"pipeline": PipelineFactory().pk, "name": "Qualify", "probability": 10, "position": 1}


register_spec(
    ConfigRecordSpec(
        key="stages",
        build=lambda: StageFactory(forecast_category="pipeline"),
        create_payload=stage_create_payload,
        update_payload=lambda: {"name": "Renamed stage", "probability": 55},
    )
)


_close_reasons = iter(range(1, 1_000_000))


def close_reason_build() -> CloseReason:
    return CloseReason.objects.create(kind="lost", name=f"Price {next(_close_reasons)}")


register_spec(
    ConfigRecordSpec(
        key="close-reasons",
        build=close_reason_build,
        create_payload=lambda: {"kind": "won", "name": "Best product fit"},
        update_payload=lambda: {"active": False},
    )
)


def competitor_build() -> Competitor:
    return Competitor.objects.create(
        name=f"Rival {next(_close_reasons)}", website="https://rival.example"
    )


register_spec(
    ConfigRecordSpec(
        key="competitors",
        build=competitor_build,
        create_payload=lambda: {"name": "Acme CRM", "website": "https://acme.example"},
        update_payload=lambda: {"website": "https://acme-crm.example"},
    )
)
