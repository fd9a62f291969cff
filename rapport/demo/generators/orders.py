"""Orders: one per won opportunity, dated the day it was won, in the deal's currency.

The deal's amount becomes the order's total (one line, no tax or discount, so the totals add
up); orders older than two weeks are fulfilled, newer ones confirmed. Their monthly sums are
the bookings history that ``rapport forecast bookings`` learns from; the seasonality and the
trend come from the opportunities (see ``deals``).
"""

from __future__ import annotations

from collections.abc import Iterator

from rapport.demo.clock import DAY
from rapport.demo.generators.context import DemoContext
from rapport.demo.pools.phrases import PRODUCTS
from rapport.demo.writer import Batch, Table
from rapport.orders.choices import OrderStatus
from rapport.orders.models import Order, OrderLine

ORDERS = Table(
    Order,
    (
        "id",
        "owner",
        "team",
        "created_by",
        "updated_by",
        "created_at",
        "updated_at",
        "custom_fields",
        "number",
        "account",
        "contact",
        "opportunity",
        "status",
        "order_date",
        "fulfilled_on",
        "currency",
        "subtotal",
        "discount_total",
        "tax_total",
        "total",
        "external_reference",
        "description",
    ),
)
ORDER_LINES = Table(
    OrderLine,
    (
        "order",
        "position",
        "description",
        "quantity",
        "unit_price",
        "discount_amount",
        "tax_percent",
        "net_amount",
        "tax_amount",
        "total_amount",
    ),
)


def order_batches(ctx: DemoContext, order_base: int) -> Iterator[Batch]:
    """An order (and its one line) for every won opportunity, ``batch_size`` at a time."""
    rng = ctx.rng("orders")
    r = rng.random
    clock = ctx.clock
    batch: Batch = {ORDERS: [], ORDER_LINES: []}
    for k, (opp, a, c, owner, won_at, amount, currency) in enumerate(ctx.won):
        pk = order_base + k + 1
        fulfilled = won_at + int((3 + r() * 11) * DAY)
        done = fulfilled < clock.now
        batch[ORDERS].append(
            (
                pk,
                owner,
                ctx.team_of.get(owner),
                owner,
                owner,
                clock.ts(won_at),
                clock.ts(fulfilled if done else won_at),
                "{}",
                f"SO-D{opp:07d}",
                ctx.account_base + a + 1,
                ctx.contact_base + c + 1,
                opp,
                OrderStatus.FULFILLED if done else OrderStatus.CONFIRMED,
                clock.date(won_at),
                clock.date(fulfilled) if done else None,
                currency,
                amount,
                "0",
                "0",
                amount,
                "",
                "",
            )
        )
        product = PRODUCTS[int(r() * len(PRODUCTS))]
        batch[ORDER_LINES].append((pk, 1, product, "1", amount, "0", "0", amount, "0", amount))
        if len(batch[ORDERS]) >= ctx.plan.batch_size:
            yield batch
            batch = {ORDERS: [], ORDER_LINES: []}
    yield batch
