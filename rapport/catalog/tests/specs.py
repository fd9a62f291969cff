"""Generic-suite specs of the product catalogue."""

from __future__ import annotations

import itertools
from decimal import Decimal

from rapport.catalog.models import PriceBook, PriceBookEntry, Product, TaxRate
from rapport.framework.testing.factories import currency
from rapport.framework.testing.specs import ConfigRecordSpec, register_spec

_serial = itertools.count(1)


def tax_rate_build() -> TaxRate:
    return TaxRate.objects.create(name=f"VAT {next(_serial)}", rate=Decimal("19"), country="DE")


def product_build() -> Product:
    n = next(_serial)
    return Product.objects.create(sku=f"SKU-{n}", name=f"Product {n}", family="Software")


def price_book_build() -> PriceBook:
    return PriceBook.objects.create(name=f"Price book {next(_serial)}", currency=currency("USD"))


def price_book_entry_build() -> PriceBookEntry:
    return PriceBookEntry.objects.create(
        price_book=price_book_build(), product=product_build(), unit_price=Decimal("99.5")
    )


def price_book_entry_payload() -> dict[str, object]:
    return {
        "price_book": price_book_build().pk,
        "product": product_build().pk,
        "unit_price": "12.5000",
    }


register_spec(
    ConfigRecordSpec(
        key="tax-rates",
        build=tax_rate_build,
        create_payload=lambda: {"name": "GST", "rate": "7.0000", "country": "SG"},
        update_payload=lambda: {"rate": "9.0000"},
    )
)
register_spec(
    ConfigRecordSpec(
        key="products",
        build=product_build,
        create_payload=lambda: {"sku": "CRM-PRO", "name": "Rapport Pro", "unit": "seat"},
        update_payload=lambda: {"name": "Rapport Professional", "active": False},
    )
)
register_spec(
    ConfigRecordSpec(
        key="price-books",
        build=price_book_build,
        create_payload=lambda: {"name": "Partners EUR", "kind": "partner", "currency": "EUR"},
        update_payload=lambda: {"description": "For resellers"},
    )
)
register_spec(
    ConfigRecordSpec(
        key="price-book-entries",
        build=price_book_entry_build,
        create_payload=price_book_entry_payload,
        update_payload=lambda: {"unit_price": "80.0000"},
    )
)
