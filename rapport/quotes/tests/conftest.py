"""A sales world for the quote and order tests: an opportunity of the owner, a USD price
book with a taxed product."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from rapport.catalog.models import PriceBook, PriceBookEntry, Product, TaxRate
from rapport.currencies.models import Currency
from rapport.framework.testing.factories import ContactFactory, OpportunityFactory, currency
from rapport.opportunities.models import Opportunity


@dataclass
class SalesWorld:
    opportunity: Opportunity
    usd: Currency
    eur: Currency
    vat: TaxRate
    seat: Product
    book: PriceBook
    eur_book: PriceBook


@pytest.fixture
def world(personas: Any) -> SalesWorld:
    usd, eur = currency("USD"), currency("EUR")
    vat = TaxRate.objects.create(name="VAT 20", rate=Decimal(20))
    seat = Product.objects.create(sku="CRM-SEAT", name="CRM seat", tax_rate=vat)
    book = PriceBook.objects.create(name="List USD", currency=usd)
    PriceBookEntry.objects.create(price_book=book, product=seat, unit_price=Decimal("49.99"))
    eur_book = PriceBook.objects.create(name="List EUR", currency=eur)
    opportunity = OpportunityFactory(owner=personas.owner, team=personas.team, currency=usd)
    contact = ContactFactory(owner=personas.owner)
    Opportunity.objects.filter(pk=opportunity.pk).update(primary_contact=contact)
    opportunity.refresh_from_db()
    return SalesWorld(opportunity, usd, eur, vat, seat, book, eur_book)
