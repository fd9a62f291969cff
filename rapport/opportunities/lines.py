"""Line items of opportunities: unit prices from the price book, totals into the amount."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from rapport.catalog.choices import PriceBookKind
from rapport.catalog.models import PriceBookEntry
from rapport.currencies.models import Currency
from rapport.opportunities.models import Opportunity, OpportunityLine


def currency_quantum(code: str) -> Decimal:
    """The smallest unit of ``code`` (0.01 for two decimals)."""
    decimals = Currency.objects.filter(code=code).values_list("decimals", flat=True).first()
    return Decimal(1).scaleb(-(decimals if decimals is not None else 2))


def line_total(line: OpportunityLine, quantum: Decimal) -> Decimal:
    """Quantity x unit price less the discount, rounded to the currency's decimals."""
    price = line.unit_price or Decimal(0)
    gross = Decimal(line.quantity) * Decimal(price)
    net = gross * (Decimal(100) - Decimal(line.discount_percent)) / Decimal(100)
    return net.quantize(quantum, rounding=ROUND_HALF_UP)


def price_book_prices(*, currency: str, product_ids: list[int]) -> dict[int, Decimal]:
    """The unit price of each product in an active price book of ``currency`` (a list price
    book first)."""
    entries = (
        PriceBookEntry.objects.filter(
            product_id__in=product_ids,
            active=True,
            price_book__active=True,
            price_book__currency_id=currency,
        )
        .order_by("price_book__name", "id")
        .values_list("product_id", "unit_price", "price_book__kind")
    )
    prices: dict[int, Decimal] = {}
    for product_id, unit_price, _kind in sorted(entries, key=lambda e: e[2] != PriceBookKind.LIST):
        prices.setdefault(product_id, unit_price)
    return prices


def opportunity_lines_price(*, record: Opportunity, written: list[Any] | None) -> None:
    """Give the lines just ``written`` without a unit price the price book's; when the
    opportunity has lines, its amount becomes their total."""
    if written:
        unpriced = [line for line in written if line.unit_price is None]
        prices = price_book_prices(
            currency=record.currency_id, product_ids=[line.product_id for line in unpriced]
        )
        errors = {}
        for line in unpriced:
            if line.product_id not in prices:
                index = written.index(line)
                errors[f"lines.{index}.unit_price"] = ValidationError(
                    _("No price for this product in a price book in %(currency)s: enter one.")
                    % {"currency": record.currency_id},
                    code="no_price",
                )
                continue
            line.unit_price = prices[line.product_id]
            OpportunityLine.objects.filter(pk=line.pk).update(unit_price=line.unit_price)
        if errors:
            raise ValidationError(errors)
        lines = list(written)
    else:
        lines = list(OpportunityLine.objects.filter(opportunity=record.pk))
    if not lines:
        return
    quantum = currency_quantum(record.currency_id)
    amount = sum((line_total(line, quantum) for line in lines), Decimal(0))
    if record.amount is None or Decimal(record.amount) != amount:
        record.amount = amount
        Opportunity.objects.filter(pk=record.pk).update(amount=amount)
