"""Reads of orders: the purchase history that customer analytics starts from."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from rapport.orders.choices import OrderStatus
from rapport.orders.models import Order

# Orders that are purchases: drafts are not placed yet, cancelled ones never happened.
PURCHASE_STATUSES = (OrderStatus.CONFIRMED, OrderStatus.FULFILLED)


def order_purchase_history(
    *, user: Any, account_id: int | None = None, since: dt.date | None = None
) -> QuerySet[Order]:
    """The confirmed and fulfilled orders ``user`` may see (of one account, from a day on),
    oldest first: made from quotes or imported from the old system alike."""
    orders = Order.objects.restrict(user, "view").filter(status__in=PURCHASE_STATUSES)
    if account_id is not None:
        orders = orders.filter(account_id=account_id)
    if since is not None:
        orders = orders.filter(order_date__gte=since)
    return orders.order_by("order_date", "id")
