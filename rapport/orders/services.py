"""Domain rules of orders: numbers, lines priced like quote lines, status transitions, and
orders made from quotes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.catalog.pricing import LineInput, line_amounts, lines_totals
from rapport.currencies.selectors import currency_decimals
from rapport.framework.actor import Actor
from rapport.framework.base_models import restricted
from rapport.framework.exceptions import RecordPermissionDenied, field_error
from rapport.framework.numbers import number_text
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_create, record_update
from rapport.orders.choices import OrderStatus
from rapport.orders.models import Order, OrderLine
from rapport.quotes.choices import QuoteStatus
from rapport.quotes.models import Quote
from rapport.quotes.numbering import document_number_next
from rapport.quotes.services import quote_needs_approval

# Where each status may go next.
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.DRAFT: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED}),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.FULFILLED, OrderStatus.CANCELLED}),
    OrderStatus.FULFILLED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}
# Quotes an order can be made from: no longer editable drafts (the customer may say yes
# before or after the quote is sent).
ORDERABLE_QUOTE_STATUSES = frozenset({QuoteStatus.APPROVED, QuoteStatus.SENT, QuoteStatus.ACCEPTED})
# Fields that may still change once an order is fulfilled or cancelled.
_CLOSED_EDITABLE = {"owner", "team", "description", "external_reference"}


def order_prepare(*, actor: Actor, record: Order, changed: set[str], **_kw: Any) -> None:
    """Number and date when missing; status changes only along ``ORDER_TRANSITIONS``; a
    fulfilled or cancelled order is closed; the opportunity must be the account's."""
    if record.order_date is None:
        record.order_date = timezone.localdate()
    if not record.number:
        record.number = document_number_next(kind="O", on=record.order_date, model=Order)
    if record.pk is not None:
        stored = Order.objects.filter(pk=record.pk).values_list("status", flat=True).first()
        if stored in (OrderStatus.FULFILLED, OrderStatus.CANCELLED) and (
            changed - _CLOSED_EDITABLE - {"status"}
        ):
            raise field_error(
                "status",
                _("A %(status)s order cannot be changed.")
                % {"status": OrderStatus(stored).label.lower()},
                "order_closed",
            )
        if "status" in changed and stored is not None:
            order_transition_check(current=stored, new=record.status)
            today = timezone.localdate()
            if record.status == OrderStatus.FULFILLED and record.fulfilled_on is None:
                record.fulfilled_on = today
            if record.status == OrderStatus.CANCELLED and record.cancelled_on is None:
                record.cancelled_on = today
    if (
        "opportunity" in changed
        and record.opportunity is not None
        and record.opportunity.account_id != record.account_id
    ):
        raise field_error(
            "opportunity",
            _("The opportunity belongs to another account than the order."),
            "account_mismatch",
        )
    if {"subtotal", "discount_total", "tax_total", "total"} & changed:
        order_totals_check(record)


def order_totals_check(record: Order) -> None:
    """Totals given by hand (an imported order) must add up: total = subtotal - discount +
    tax. Only a total may be given, which then is the subtotal as well."""
    if record.subtotal == 0 and record.discount_total == 0 and record.tax_total == 0:
        record.subtotal = record.total
        return
    expected = record.subtotal - record.discount_total + record.tax_total
    places = currency_decimals(record.currency_id) if record.currency_id else 2
    if record.total != expected:
        raise field_error(
            "total",
            _("The total %(total)s is not subtotal - discount + tax (%(expected)s).")
            % {
                "total": number_text(record.total, places),
                "expected": number_text(expected, places),
            },
            "totals_mismatch",
        )


def order_transition_check(*, current: str, new: str) -> None:
    """Refuse a status change that ``ORDER_TRANSITIONS`` does not allow."""
    if new == current:
        return
    if new not in ORDER_TRANSITIONS.get(current, frozenset()):
        raise field_error(
            "status",
            _("An order cannot go from %(current)s to %(new)s.")
            % {
                "current": OrderStatus(current).label.lower(),
                "new": OrderStatus(new).label.lower(),
            },
            "invalid_transition",
        )


def order_lines_clean(record: Order, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Price each line (rapport.catalog.pricing) in the order's currency; positions in the
    order given. A closed order's lines cannot change."""
    _closed_check(record)
    decimals = currency_decimals(record.currency_id)
    errors: dict[str, ValidationError] = {}
    priced: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        quantity = row.get("quantity")
        if quantity is not None and quantity < 0:
            errors[f"lines.{i}.quantity"] = ValidationError(
                _("The quantity cannot be negative."), code="negative_quantity"
            )
            continue
        row = {**row, "position": i}
        if quantity is None or row.get("unit_price") is None:
            priced.append(row)  # full_clean names the missing field
            continue
        amounts = line_amounts(
            LineInput(
                quantity=quantity,
                unit_price=row["unit_price"],
                discount_amount=row.get("discount_amount") or None,
                tax_percent=row.get("tax_percent") or Decimal(0),
            ),
            decimals,
        )
        row.update(net_amount=amounts.net, tax_amount=amounts.tax, total_amount=amounts.total)
        priced.append(row)
    if errors:
        raise ValidationError(errors)
    return priced


def _closed_check(record: Order) -> None:
    if record.pk is None:
        return
    stored = Order.objects.filter(pk=record.pk).values_list("status", flat=True).first()
    if stored in (OrderStatus.FULFILLED, OrderStatus.CANCELLED):
        raise field_error(
            "lines",
            _("The lines of a %(status)s order cannot be changed.")
            % {"status": OrderStatus(stored).label.lower()},
            "order_closed",
        )


def order_after_save(*, actor: Actor, record: Order, **_kw: Any) -> None:
    """An order with lines has the sums of its lines as totals."""
    lines = list(OrderLine.objects.filter(order=record))
    if not lines:
        return
    decimals = currency_decimals(record.currency_id)
    totals = lines_totals(
        (
            LineInput(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_amount=line.discount_amount or None,
                tax_percent=line.tax_percent,
            )
            for line in lines
        ),
        decimals,
    )
    values = {
        "subtotal": totals.subtotal,
        "discount_total": totals.discount_total,
        "tax_total": totals.tax_total,
        "total": totals.total,
    }
    if any(getattr(record, k) != v for k, v in values.items()):
        for k, v in values.items():
            # as the database gives them back, for the change log's snapshot
            setattr(record, k, v.quantize(Decimal("0.0001")))
        record.save(update_fields=list(values))


def order_set_status(*, actor: Actor, order: Order, status: str) -> Order:
    """Move ``order`` to ``status`` (draft → confirmed → fulfilled; cancelled from draft or
    confirmed); fulfilling or cancelling records today's date. Refused transitions raise a
    ValidationError naming ``status``."""
    if status not in OrderStatus.values:
        raise field_error("status", _("Unknown status."), "invalid_choice")
    order_transition_check(current=order.status, new=status)
    updated = record_update(
        actor=actor, record_type=get_record_type("orders"), record=order, data={"status": status}
    )
    return cast(Order, updated)


@transaction.atomic
def order_create_from_quote(*, actor: Actor, quote: Quote) -> Order:
    """A confirmed order dated today with the lines and totals of ``quote``, linked to its
    opportunity, account and recipient. Refused when the quote already has an order, when it
    is still a draft, superseded, declined, expired or refused, or when its discount still
    needs approval."""
    if (
        actor.user is None
        or not restricted(Quote, actor.user, "change").filter(pk=quote.pk).exists()
    ):
        raise RecordPermissionDenied(
            _("Only someone who may change the quote can make its order."), code="quote_denied"
        )
    locked = Quote.objects.select_for_update().get(pk=quote.pk)
    existing = Order.objects.filter(quote=locked).values_list("number", flat=True).first()
    if existing is not None:
        raise field_error(
            "quote",
            _("This quote already has the order %(number)s.") % {"number": existing},
            "order_exists",
        )
    if locked.status not in ORDERABLE_QUOTE_STATUSES:
        raise field_error(
            "status",
            _("An order cannot be made from a quote that is %(status)s.")
            % {"status": QuoteStatus(locked.status).label.lower()},
            "quote_not_orderable",
        )
    quote_lines = list(locked.lines.all())
    if not quote_lines:
        raise field_error("lines", _("The quote has no lines."), "quote_empty")
    if locked.approved_by_id is None and quote_needs_approval(locked):
        raise field_error(
            "status",
            _("The quote's discount needs a manager's approval before an order is made."),
            "approval_required",
        )
    decimals = currency_decimals(locked.currency_id)
    lines: list[dict[str, Any]] = []
    for line in quote_lines:
        amounts = line_amounts(
            LineInput(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                discount_amount=line.discount_amount,
                tax_percent=line.tax_percent,
            ),
            decimals,
        )
        lines.append(
            {
                "product": line.product,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                # the rounded discount, so that the order's line amounts are the quote's
                "discount_amount": amounts.discount,
                "tax_percent": line.tax_percent,
            }
        )
    order = record_create(
        actor=actor,
        record_type=get_record_type("orders"),
        data={
            "account": locked.account,
            "contact": locked.contact,
            "opportunity": locked.opportunity,
            "quote": locked,
            "status": OrderStatus.CONFIRMED,
            "order_date": timezone.localdate(),
            "currency": locked.currency,
            "owner": locked.owner,
            "team": locked.team,
            "description": locked.name,
        },
        children={"lines": lines},
    )
    return cast(Order, order)
