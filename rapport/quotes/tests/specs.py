"""Generic-suite spec of quotes (rapport.framework.testing.specs)."""

from __future__ import annotations

from typing import Any

from rapport.framework.actor import Actor
from rapport.framework.testing.factories import OpportunityFactory, TagFactory
from rapport.framework.testing.specs import (
    FieldFilter,
    OwnedRecordSpec,
    ReferenceCase,
    register_spec,
)
from rapport.quotes.models import Quote
from rapport.quotes.services import quote_after_save
from rapport.quotes.tests.factories import QuoteFactory, QuoteLineFactory


def quote_build(*, owner: Any, team: Any = None, **overrides: Any) -> Quote:
    quote = QuoteFactory(owner=owner, team=team, **overrides)
    QuoteLineFactory(quote=quote)
    QuoteLineFactory(quote=quote)
    quote_after_save(actor=Actor(user=owner), record=quote)  # the totals of its lines
    quote.tags.add(TagFactory(name="big-deal"))
    return quote


def quote_create_payload(user: Any) -> dict[str, Any]:
    TagFactory(name="big-deal")
    opportunity = OpportunityFactory(owner=user)
    return {
        "opportunity": opportunity.pk,
        "tags": ["big-deal"],
        "lines": [{"description": "Set-up", "quantity": "2", "unit_price": "150.00"}],
    }


register_spec(
    OwnedRecordSpec(
        key="quotes",
        build=quote_build,
        create_payload=quote_create_payload,
        update_payload=lambda: {"name": "Renamed quote", "terms": "Net 30 days"},
        field_filter=FieldFilter(
            constraint={"language": "en"},
            matching={"language": "en"},
            other={"language": "zh-hans"},
        ),
        references=(
            ReferenceCase(
                "opportunity",
                target="opportunities",
                payload=lambda pk: {"opportunity": pk},
                error_field="opportunity",
            ),
        ),
    )
)
