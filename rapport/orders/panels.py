"""The status panel of an order's page: its status, dates and the transitions the user may
make (rapport.orders.views)."""

from __future__ import annotations

from typing import Any

from rapport.framework.base_models import restricted
from rapport.framework.registry import RecordType
from rapport.orders.choices import OrderStatus
from rapport.orders.models import Order
from rapport.orders.services import ORDER_TRANSITIONS


def order_panel_context(
    *, user: Any, record_type: RecordType, record: Order
) -> dict[str, Any] | None:
    can_change = restricted(Order, user, "change").filter(pk=record.pk).exists()
    nexts = sorted(ORDER_TRANSITIONS[record.status], key=list(OrderStatus.values).index)
    return {
        "order": record,
        "transitions": [(s, OrderStatus(s).label) for s in nexts] if can_change else [],
    }
