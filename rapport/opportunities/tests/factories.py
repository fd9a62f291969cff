"""Factories of the opportunity rules' tests: close reasons, competitors, priced products."""

from __future__ import annotations

from decimal import Decimal

import factory

from rapport.catalog.models import PriceBook, PriceBookEntry, Product
from rapport.framework.testing.factories import currency
from rapport.opportunities.models import CloseReason, Competitor


class CloseReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CloseReason

    kind = "lost"
    name = factory.Sequence(lambda n: f"Reason {n}")


class CompetitorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competitor

    name = factory.Sequence(lambda n: f"Rival {n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n}")
    name = factory.Sequence(lambda n: f"Product {n}")


def priced_product(price: str, code: str = "USD", kind: str = "list") -> Product:
    """A product with ``price`` in a new price book of currency ``code``."""
    product = ProductFactory()
    book = PriceBook.objects.create(name=f"Book {product.sku}", kind=kind, currency=currency(code))
    PriceBookEntry.objects.create(price_book=book, product=product, unit_price=Decimal(price))
    return product
