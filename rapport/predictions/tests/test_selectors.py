"""The live bookings history: orders plus won deals without an order, converted to the base
currency, from the first complete month to the last complete one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd

from conftest import Personas
from rapport.framework.testing.factories import (
    AccountFactory,
    ExchangeRateFactory,
    OpportunityFactory,
    StageFactory,
    currency,
)
from rapport.opportunities.choices import StageKind
from rapport.orders.choices import OrderStatus
from rapport.orders.models import Order
from rapport.predictions.selectors import bookings_history


def _order(personas: Personas, number: str, day: str, total: str, status: str, code: str) -> None:
    Order.objects.create(
        number=number,
        account=AccountFactory(owner=personas.owner),
        owner=personas.owner,
        status=status,
        order_date=dt.date.fromisoformat(day),
        currency=currency(code),
        total=Decimal(total),
    )


def test_history_sums_orders_and_won_deals_without_orders(personas: Personas) -> None:
    # Given orders from mid-January (a partial first month) to November, one in euros, one
    # cancelled, one still a draft; a won deal with an order and one without
    ExchangeRateFactory(currency=currency("EUR"), date=dt.date(2024, 1, 1), rate=Decimal("1.5"))
    _order(personas, "A", "2024-01-20", "100", OrderStatus.FULFILLED, "USD")
    _order(personas, "B", "2024-02-03", "200", OrderStatus.CONFIRMED, "USD")
    _order(personas, "C", "2024-02-28", "10", OrderStatus.FULFILLED, "EUR")
    _order(personas, "D", "2024-02-10", "999", OrderStatus.CANCELLED, "USD")
    _order(personas, "E", "2024-03-10", "999", OrderStatus.DRAFT, "USD")
    _order(personas, "F", "2024-11-02", "999", OrderStatus.CONFIRMED, "USD")
    won = StageFactory(kind=StageKind.WON, probability=100)
    with_order = OpportunityFactory(owner=personas.owner, stage=won, amount=Decimal("777"))
    with_order.closed_at = dt.datetime(2024, 2, 5, 12, tzinfo=dt.UTC)
    with_order.save()
    Order.objects.filter(number="B").update(opportunity=with_order)
    alone = OpportunityFactory(owner=personas.owner, stage=won, amount=Decimal("50"))
    alone.closed_at = dt.datetime(2024, 4, 30, 12, tzinfo=dt.UTC)
    alone.save()
    # When the history is read in November 2024
    history = bookings_history(today=dt.date(2024, 11, 15))
    # Then January (partial) and November (not over) are left out, the euros are converted,
    # the cancelled and draft orders and the deal that has an order are not counted
    series: dict[str, float] = {}
    for month, value in zip(history.months, history.values, strict=True):
        series[str(month)] = series.get(str(month), 0.0) + value
    assert series == {"2024-02": 200 + 15, "2024-04": 50}
    assert history.currency == "USD"
    assert (history.orders, history.won_without_order) == (3, 1)
    assert history.unconverted == []
    assert pd.Period("2024-01", freq="M") not in history.months
