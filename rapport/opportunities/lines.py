"""Line items of opportunities: unit prices from the price book, totals into the amount."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from rapport.catalog.pricing import LineInput, line_amounts
from rapport.catalog.selectors import price_book_prices
from rapport.currencies.selectors import currency_decimals
from rapport.opportunities.models import Opportunity, OpportunityLine


def line_net(line: OpportunityLine, decimals: int) -> Decimal:
    """Quantity x unit price less the discount, rounded as every document's lines are
    (rapport.catalog.pricing)."""
    line_input = LineInput(
        quantity=Decimal(line.quantity),
        unit_price=Decimal(line.unit_price or 0),
        discount_percent=Decimal(line.discount_percent),
    )
    return line_amounts(line_input, decimals).net


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
    decimals = currency_decimals(record.currency_id)
    amount = sum((line_net(line, decimals) for line in lines), Decimal(0))
    if record.amount is None or Decimal(record.amount) != amount:
        record.amount = amount
        Opportunity.objects.filter(pk=record.pk).update(amount=amount)
