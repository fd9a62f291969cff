"""Factories of quotes and their lines (tests only)."""

from __future__ import annotations

from decimal import Decimal

import factory

from rapport.framework.testing.factories import OpportunityFactory, RecordFactory, currency
from rapport.quotes.models import Quote, QuoteLine


class QuoteFactory(RecordFactory):
    """A draft quote saved as is (no pricing): give lines with QuoteLineFactory and use the
    services when the amounts matter."""

    class Meta:
        model = Quote

    number = factory.Sequence(lambda n: f"Q-2026-F{n:05d}")
    name = factory.Sequence(lambda n: f"Quote {n}")
    opportunity = factory.SubFactory(OpportunityFactory, owner=factory.SelfAttribute("..owner"))
    account = factory.SelfAttribute("opportunity.account")
    currency = factory.LazyFunction(currency)


class QuoteLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuoteLine

    quote = factory.SubFactory(QuoteFactory)
    description = factory.Sequence(lambda n: f"Item {n}")
    quantity = Decimal(1)
    unit_price = Decimal(100)
    currency = factory.SelfAttribute("quote.currency")
    net_amount = factory.LazyAttribute(lambda o: o.quantity * o.unit_price)
    total_amount = factory.SelfAttribute("net_amount")
