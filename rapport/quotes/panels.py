"""The workflow panel of a quote's page: lines and totals, versions, approval state and
the buttons of the actions the user may take (rapport.quotes.views)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects

from rapport.framework.base_models import restricted
from rapport.framework.numbers import number_text
from rapport.framework.registry import RecordType
from rapport.orders.models import Order
from rapport.orders.services import ORDERABLE_QUOTE_STATUSES
from rapport.quotes.choices import QuoteStatus
from rapport.quotes.models import Quote, QuoteLine
from rapport.quotes.services import (
    quote_approval_threshold,
    quote_may_approve,
    quote_needs_approval,
)


@dataclass(frozen=True)
class LineRow:
    description: str
    quantity: str
    unit_price: str
    discount: str
    tax: str
    net: str
    total: str


def _money(value: Any, places: int) -> str:
    return number_text(value, places)


def quote_panel_context(
    *, user: Any, record_type: RecordType, record: Quote
) -> dict[str, Any] | None:
    places = record.currency.decimals
    # One read of the lines, with their products, for the table and the approval check.
    prefetch_related_objects(
        [record], Prefetch("lines", queryset=QuoteLine.objects.select_related("product"))
    )
    lines = [
        LineRow(
            description=line.description or (str(line.product) if line.product_id else ""),
            quantity=number_text(line.quantity.normalize()),
            unit_price=_money(line.unit_price, places),
            discount=(
                f"{number_text(line.discount_percent.normalize())} %"
                if line.discount_percent is not None
                else (_money(line.discount_amount, places) if line.discount_amount else "")
            ),
            tax=f"{number_text(line.tax_percent.normalize())} %",
            net=_money(line.net_amount, places),
            total=_money(line.total_amount, places),
        )
        for line in record.lines.all()
    ]
    can_change = restricted(Quote, user, "change").filter(pk=record.pk).exists()
    needs_approval = bool(lines) and quote_needs_approval(record)
    order = restricted(Order, user, "view").filter(quote=record).first()
    # An order the user may not see still means the quote has one: no "Create order" button.
    has_order = order is not None or Order.objects.filter(quote=record).exists()
    status = record.status
    return {
        "quote": record,
        "lines": lines,
        "totals": {
            "subtotal": _money(record.subtotal, places),
            "discount": _money(record.discount_total, places),
            "tax": _money(record.tax_total, places),
            "total": _money(record.total, places),
        },
        "versions": list(
            restricted(Quote, user, "view")
            .filter(number=record.number)
            .order_by("version")
            .only("pk", "number", "version", "status")
        ),
        "needs_approval": needs_approval,
        "threshold": number_text(quote_approval_threshold().normalize()),
        "order": order,
        "can_submit": can_change and status == QuoteStatus.DRAFT and needs_approval,
        "can_decide": status == QuoteStatus.PENDING_APPROVAL
        and quote_may_approve(user=user, quote=record),
        "can_revise": can_change and status not in (QuoteStatus.SUPERSEDED, QuoteStatus.ACCEPTED),
        "can_order": can_change
        and not has_order
        and status in ORDERABLE_QUOTE_STATUSES
        and (record.approved_by_id is not None or not needs_approval),
    }


def opportunity_quote_panel_context(
    *, user: Any, record_type: RecordType, record: Any
) -> dict[str, Any] | None:
    """A "New quote" button on an opportunity's page (the form starts from it)."""
    return {"opportunity": record}
