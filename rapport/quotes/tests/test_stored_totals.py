"""Property: whatever lines a quote is saved with, its stored totals are the sums of its
stored lines, and an order made from it has the same totals."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapport.catalog.pricing import LineInput, lines_totals
from rapport.framework.actor import Actor
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_update
from rapport.orders.services import order_create_from_quote
from rapport.quotes.choices import QuoteStatus
from rapport.quotes.models import Quote
from rapport.quotes.tests.test_quotes import quote_for

pytestmark = pytest.mark.django_db


@st.composite
def line_rows(draw: st.DrawFn) -> dict[str, Any]:
    row: dict[str, Any] = {
        "description": "Item",
        "quantity": draw(st.decimals(min_value=0, max_value=10_000, places=4)),
        "unit_price": draw(st.decimals(min_value=0, max_value=1_000_000, places=4)),
    }
    kind = draw(st.sampled_from(["none", "percent", "amount"]))
    if kind == "percent":
        # within the approval threshold, so that an order can be made without approval
        row["discount_percent"] = draw(st.decimals(min_value=0, max_value=20, places=4))
    elif kind == "amount":
        row["discount_amount"] = (
            row["quantity"]
            * row["unit_price"]
            * draw(st.sampled_from([Decimal(0), Decimal("0.1"), Decimal("0.2")]))
        )
        # rounded down: at most 20 %, the approval threshold
        row["discount_amount"] = row["discount_amount"].quantize(
            Decimal("0.0001"), rounding=ROUND_DOWN
        )
    return row


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=st.lists(line_rows(), max_size=4), second=st.lists(line_rows(), max_size=4))
def test_stored_totals_match_the_stored_lines(
    world: Any, personas: Any, first: list[dict[str, Any]], second: list[dict[str, Any]]
) -> None:
    actor = Actor(user=personas.owner)
    # given a quote saved with some lines, then saved again with others
    quote = quote_for(world, personas.owner, first, priced=False)
    record_update(
        actor=actor,
        record_type=get_record_type("quotes"),
        record=quote,
        data={},
        children={"lines": second},
    )
    # then its stored totals are those of its stored lines
    quote = Quote.objects.get(pk=quote.pk)
    expected = lines_totals(
        [
            LineInput(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                discount_amount=line.discount_amount,
                tax_percent=line.tax_percent,
            )
            for line in quote.lines.all()
        ],
        2,
    )
    assert (quote.subtotal, quote.discount_total, quote.tax_total, quote.total) == (
        expected.subtotal,
        expected.discount_total,
        expected.tax_total,
        expected.total,
    )
    assert sum((line.net_amount for line in quote.lines.all()), Decimal(0)) == (
        quote.subtotal - quote.discount_total
    )
    # and an order made from it has the same totals
    if not second:
        return
    Quote.objects.filter(pk=quote.pk).update(status=QuoteStatus.SENT)
    quote.refresh_from_db()
    order = order_create_from_quote(actor=actor, quote=quote)
    order.refresh_from_db()
    assert (order.subtotal, order.discount_total, order.tax_total, order.total) == (
        quote.subtotal,
        quote.discount_total,
        quote.tax_total,
        quote.total,
    )
