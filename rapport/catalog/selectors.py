"""Reads of the product catalogue."""

from __future__ import annotations

from decimal import Decimal

from rapport.catalog.choices import PriceBookKind
from rapport.catalog.models import PriceBookEntry


def price_book_prices(
    *, product_ids: list[int], price_book: int | None = None, currency: str | None = None
) -> dict[int, Decimal]:
    """The unit price of each of ``product_ids``, in one query: from ``price_book`` when
    given (the one a document names, active or not), else from any active price book in
    ``currency`` (a list price book first, then by name). Products without an active price
    are left out."""
    entries = PriceBookEntry.objects.filter(product_id__in=product_ids, active=True)
    if price_book is not None:
        entries = entries.filter(price_book_id=price_book)
    elif currency is not None:
        entries = entries.filter(price_book__currency_id=currency, price_book__active=True)
    else:
        return {}
    rows = entries.order_by("price_book__name", "id").values_list(
        "product_id", "unit_price", "price_book__kind"
    )
    prices: dict[int, Decimal] = {}
    for product_id, unit_price, _kind in sorted(rows, key=lambda r: r[2] != PriceBookKind.LIST):
        prices.setdefault(product_id, unit_price)
    return prices
