"""Factories of orders and their lines (tests only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from rapport.framework.testing.factories import AccountFactory, RecordFactory, currency
from rapport.orders.models import Order, OrderLine


class OrderFactory(RecordFactory):
    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"O-2026-F{n:05d}")
    account = factory.SubFactory(AccountFactory, owner=factory.SelfAttribute("..owner"))
    status = "confirmed"
    order_date = dt.date(2026, 11, 2)
    currency = factory.LazyFunction(currency)
    subtotal = Decimal("100.00")
    total = Decimal("100.00")


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    description = factory.Sequence(lambda n: f"Item {n}")
    quantity = Decimal(1)
    unit_price = Decimal(100)
    net_amount = Decimal(100)
    total_amount = Decimal(100)
