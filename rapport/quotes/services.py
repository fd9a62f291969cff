"""Domain rules of quotes: defaults from the opportunity, priced lines and stored totals,
versions, and approval of large discounts.

A quote can be edited while it is a draft; after that it changes only through these services
(approval, sending, acceptance) and a new version is made to change its content.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.catalog.models import PriceBook, Product, TaxRate
from rapport.catalog.pricing import (
    LineInput,
    document_discount_percent,
    line_amounts,
    line_discount_percent,
    lines_totals,
)
from rapport.catalog.selectors import price_book_prices
from rapport.currencies.selectors import currency_decimals
from rapport.framework.actor import Actor
from rapport.framework.exceptions import RecordPermissionDenied, field_error
from rapport.framework.numbers import number_text
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_create, record_update
from rapport.identity.access import access_context
from rapport.identity.models import User
from rapport.opportunities.models import Opportunity
from rapport.quotes.choices import QuoteStatus
from rapport.quotes.models import LINE_INPUT_FIELDS, Quote, QuoteLine
from rapport.quotes.numbering import document_number_next

# Fields the services change on a quote that is no longer a draft.
WORKFLOW_FIELDS = frozenset(
    {
        "status",
        "approved_by",
        "approved_at",
        "approval_note",
        "sent_at",
        "accepted_at",
        "declined_at",
        "decline_reason",
        "owner",
        "team",
    }
)
# The decimal places of stored amounts.
_STORED = Decimal("0.0001")
# Statuses from which a quote may be sent (again).
SENDABLE = frozenset({QuoteStatus.DRAFT, QuoteStatus.APPROVED, QuoteStatus.SENT})


def _stored_status(quote: Quote) -> str | None:
    if quote.pk is None:
        return None
    return Quote.objects.filter(pk=quote.pk).values_list("status", flat=True).first()


def _not_editable(status: str) -> ValidationError:
    return field_error(
        "status",
        _(
            "This quote is %(status)s and can no longer be edited. Make a new version "
            "(Revise) to change it."
        )
        % {"status": QuoteStatus(status).label.lower()},
        "quote_not_editable",
    )


def quote_prepare(*, actor: Actor, record: Quote, changed: set[str], **_kw: Any) -> None:
    """Account, recipient, team, currency and name from the opportunity when not given; the price
    book in the quote's currency; a number on creation; no edits once it left draft."""
    stored = _stored_status(record)
    if stored is not None and stored != QuoteStatus.DRAFT and changed - WORKFLOW_FIELDS:
        raise _not_editable(stored)
    opportunity: Opportunity | None = (
        Opportunity.objects.filter(pk=record.opportunity_id).first()
        if record.opportunity_id
        else None
    )
    if opportunity is not None:
        if record.account_id is None or ("opportunity" in changed and "account" not in changed):
            record.account_id = opportunity.account_id
        if record.currency_id is None:
            record.currency_id = opportunity.currency_id
        if record.pk is None and record.contact_id is None:
            record.contact_id = opportunity.primary_contact_id
        if record.pk is None and record.team_id is None:
            record.team_id = opportunity.team_id
        if not record.name:
            record.name = opportunity.name
        if record.account_id != opportunity.account_id:
            raise field_error(
                "account",
                _("The account must be the opportunity's account."),
                "account_mismatch",
            )
    if record.price_book_id is not None and record.currency_id is not None:
        book_currency = (
            PriceBook.objects.filter(pk=record.price_book_id)
            .values_list("currency_id", flat=True)
            .first()
        )
        if book_currency is not None and book_currency != record.currency_id:
            raise field_error(
                "price_book",
                _(
                    "The price book is in %(book)s, the quote in %(quote)s: choose a price "
                    "book in the quote's currency."
                )
                % {"book": book_currency, "quote": record.currency_id},
                "currency_mismatch",
            )
    if record.pk is None and not record.number:
        record.number = document_number_next(kind="Q", on=timezone.localdate(), model=Quote)


def quote_lines_clean(record: Quote, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validate and price the lines of ``record``: the quote's currency (the default), a
    unit price from the quote's price book when a product is given without one, the tax
    percentage of the line's tax rate or the product's default, amounts per
    ``rapport.catalog.pricing``. Errors name the row's field (``lines.2.currency``)."""
    stored = _stored_status(record)
    if stored is not None and stored != QuoteStatus.DRAFT:
        raise _not_editable(stored)
    decimals = currency_decimals(record.currency_id)
    products = _products(rows)
    prices = (
        price_book_prices(product_ids=list(products), price_book=record.price_book_id)
        if record.price_book_id
        else {}
    )
    errors: dict[str, ValidationError] = {}
    priced: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        row = {**row, "position": i}
        row_errors = _line_errors(record, row, products, prices)
        if row_errors:
            errors.update({f"lines.{i}.{k}": v for k, v in row_errors.items()})
            continue
        priced.append(_line_priced(row, products, decimals))
    if errors:
        raise ValidationError(errors)
    return priced


def _products(rows: list[dict[str, Any]]) -> dict[int, Product]:
    ids = {_pk(row.get("product")) for row in rows} - {None}
    return {p.pk: p for p in Product.objects.filter(pk__in=ids).select_related("tax_rate")}


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _line_errors(
    record: Quote, row: dict[str, Any], products: dict[int, Product], prices: dict[int, Decimal]
) -> dict[str, ValidationError]:
    """What is wrong with one line; fills in its currency and unit price."""
    errors: dict[str, ValidationError] = {}
    if row.get("currency") is None:
        row["currency"] = record.currency
    currency = _pk(row["currency"])
    if currency != record.currency_id:
        errors["currency"] = ValidationError(
            _("The line is in %(line)s but the quote is in %(quote)s.")
            % {"line": currency, "quote": record.currency_id},
            code="currency_mismatch",
        )
    quantity = row.get("quantity")
    if quantity is not None and quantity < 0:
        errors["quantity"] = ValidationError(
            _("The quantity cannot be negative."), code="negative_quantity"
        )
    percent, amount = row.get("discount_percent"), row.get("discount_amount")
    if percent is not None and percent > 100:
        errors["discount_percent"] = ValidationError(
            _("A discount cannot be more than 100 %."), code="discount_over_100"
        )
    elif percent is not None and percent < 0:
        errors["discount_percent"] = ValidationError(
            _("A discount cannot be negative."), code="negative_discount"
        )
    if amount is not None and amount < 0:
        errors["discount_amount"] = ValidationError(
            _("A discount cannot be negative."), code="negative_discount"
        )
    elif percent is not None and amount is not None:
        errors["discount_amount"] = ValidationError(
            _("Give a discount percentage or a discount amount, not both."),
            code="two_discounts",
        )
    if row.get("unit_price") is None:
        product = products.get(_pk(row.get("product")))
        price = prices.get(product.pk) if product else None
        if price is None:
            errors["unit_price"] = ValidationError(
                _("Enter a unit price: the quote's price book has no price for this product.")
                if product
                else _("Enter a unit price or choose a product."),
                code="no_price",
            )
        else:
            row["unit_price"] = price
    return errors


def _line_priced(
    row: dict[str, Any], products: dict[int, Product], decimals: int
) -> dict[str, Any]:
    product = products.get(_pk(row.get("product")))
    tax_rate: TaxRate | None = row.get("tax_rate")
    if tax_rate is not None and not isinstance(tax_rate, TaxRate):
        tax_rate = TaxRate.objects.get(pk=tax_rate)
    if tax_rate is None and product is not None:
        tax_rate = product.tax_rate
    if not row.get("description") and product is not None:
        row["description"] = product.name
    row["tax_rate"] = tax_rate
    row["tax_percent"] = tax_rate.rate if tax_rate is not None else Decimal(0)
    if row.get("quantity") is None:
        return row  # full_clean names the missing quantity
    amounts = line_amounts(_line_input(row), decimals)
    row.update(net_amount=amounts.net, tax_amount=amounts.tax, total_amount=amounts.total)
    return row


def _line_input(row: dict[str, Any] | QuoteLine) -> LineInput:
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return LineInput(
        quantity=cast(Decimal, get("quantity")),
        unit_price=cast(Decimal, get("unit_price")),
        discount_percent=get("discount_percent"),
        discount_amount=get("discount_amount"),
        tax_percent=get("tax_percent") or Decimal(0),
    )


def quote_after_save(
    *,
    actor: Actor,
    record: Quote,
    created: bool = False,
    children: dict[str, list[Any]] | None = None,
    **_kw: Any,
) -> None:
    """A new quote given no lines takes its opportunity's; then store the totals of the
    quote's lines (after every save, so that they always match)."""
    if created and not (children or {}).get("lines"):
        _lines_from_opportunity(record)
    lines = list(QuoteLine.objects.filter(quote=record))
    others = sorted({line.currency_id for line in lines} - {record.currency_id})
    if others:
        # the currency changed without new lines
        raise field_error(
            "currency",
            _("The lines are in %(line)s: send them again in %(quote)s with the new currency.")
            % {"line": ", ".join(others), "quote": record.currency_id},
            "currency_mismatch",
        )
    totals = lines_totals(
        (_line_input(line) for line in lines), currency_decimals(record.currency_id)
    )
    values = {
        "subtotal": totals.subtotal,
        "discount_total": totals.discount_total,
        "tax_total": totals.tax_total,
        "total": totals.total,
    }
    if any(getattr(record, k) != v for k, v in values.items()):
        Quote.objects.filter(pk=record.pk).update(**values)
        for k, v in values.items():
            # as the database gives them back, for the change log's snapshot
            setattr(record, k, v.quantize(_STORED))


def _lines_from_opportunity(quote: Quote) -> None:
    """Copy the product lines of the quote's opportunity (their prices only when the quote is
    in the opportunity's currency; otherwise the quote's price book prices them)."""
    opportunity = Opportunity.objects.filter(pk=quote.opportunity_id).first()
    source = getattr(opportunity, "lines", None)
    if opportunity is None or source is None:
        return
    same_currency = opportunity.currency_id == quote.currency_id
    rows = [
        {
            "product": line.product,
            "quantity": line.quantity,
            "unit_price": line.unit_price if same_currency else None,
            "discount_percent": line.discount_percent or None,
        }
        for line in source.select_related("product").order_by("position", "id")
    ]
    if not rows:
        return
    lines = [QuoteLine(quote=quote, **row) for row in quote_lines_clean(quote, rows)]
    for i, line in enumerate(lines):
        try:
            line.full_clean(exclude=["quote"], validate_unique=False)
        except ValidationError as exc:
            raise ValidationError(
                {f"lines.{i}.{k}": v for k, v in exc.message_dict.items()}
            ) from None
    QuoteLine.objects.bulk_create(lines)


def quote_approval_threshold() -> Decimal:
    return Decimal(str(settings.RAPPORT_QUOTE_APPROVAL_DISCOUNT_PERCENT))


def quote_needs_approval(quote: Quote) -> bool:
    """Whether a line's effective discount or the quote's overall discount is above
    ``RAPPORT_QUOTE_APPROVAL_DISCOUNT_PERCENT``."""
    threshold = quote_approval_threshold()
    lines = [_line_input(line) for line in quote.lines.all()]
    if any(line_discount_percent(line) > threshold for line in lines):
        return True
    return document_discount_percent(lines) > threshold


def quote_may_approve(*, user: User | None, quote: Quote) -> bool:
    """An administrator, or a user whose role is above the quote owner's; never the owner."""
    if user is None or not user.is_active or user.pk == quote.owner_id:
        return False
    if user.is_superuser:
        return True
    return quote.owner_id in access_context(user).subordinate_ids


def quote_ready_to_send(quote: Quote) -> None:
    """Raise a ValidationError when ``quote`` may not be sent to the customer: it is not a
    draft, approved or already sent quote, it has no lines, or its discount needs an
    approval it has not had."""
    if quote.status not in SENDABLE:
        raise field_error(
            "status",
            _("A quote that is %(status)s cannot be sent.")
            % {"status": QuoteStatus(quote.status).label.lower()},
            "not_sendable",
        )
    if not quote.lines.exists():
        raise field_error("lines", _("The quote has no lines."), "quote_empty")
    if quote.approved_by_id is None and quote_needs_approval(quote):
        raise field_error(
            "status",
            _(
                "The discount is above %(threshold)s %%: a manager must approve the quote "
                "before it is sent."
            )
            % {"threshold": number_text(quote_approval_threshold())},
            "approval_required",
        )


def _set(actor: Actor, quote: Quote, data: dict[str, Any]) -> Quote:
    return cast(
        Quote,
        record_update(actor=actor, record_type=get_record_type("quotes"), record=quote, data=data),
    )


def _status_check(quote: Quote, expected: str, message: str) -> None:
    if quote.status != expected:
        raise field_error("status", message, "invalid_status")


@transaction.atomic
def quote_submit_for_approval(*, actor: Actor, quote: Quote) -> Quote:
    """Ask for a manager's approval of a draft whose discount needs it."""
    _status_check(quote, QuoteStatus.DRAFT, _("Only a draft quote can be submitted."))
    if not quote.lines.exists():
        raise field_error("lines", _("The quote has no lines."), "quote_empty")
    if not quote_needs_approval(quote):
        raise field_error(
            "status",
            _("The discount is within %(threshold)s %%: the quote needs no approval.")
            % {"threshold": number_text(quote_approval_threshold())},
            "approval_not_needed",
        )
    return _set(actor, quote, {"status": QuoteStatus.PENDING_APPROVAL})


def _approver_check(actor: Actor, quote: Quote) -> None:
    if actor.user is not None and actor.user.pk == quote.owner_id:
        raise RecordPermissionDenied(
            _("You cannot approve or refuse your own quote."), code="own_quote"
        )
    if not quote_may_approve(user=actor.user, quote=quote):
        raise RecordPermissionDenied(
            _("Only a manager above the quote's owner or an administrator can decide."),
            code="not_an_approver",
        )


@transaction.atomic
def quote_approve(*, actor: Actor, quote: Quote, note: str = "") -> Quote:
    """Approve a quote awaiting approval (recorded in the change log with the approver)."""
    _approver_check(actor, quote)
    _status_check(quote, QuoteStatus.PENDING_APPROVAL, _("The quote is not awaiting approval."))
    return _set(
        actor,
        quote,
        {
            "status": QuoteStatus.APPROVED,
            "approved_by": actor.user,
            "approved_at": timezone.now(),
            "approval_note": note,
        },
    )


@transaction.atomic
def quote_reject(*, actor: Actor, quote: Quote, note: str) -> Quote:
    """Refuse a quote awaiting approval; ``note`` (required) tells the owner why."""
    _approver_check(actor, quote)
    _status_check(quote, QuoteStatus.PENDING_APPROVAL, _("The quote is not awaiting approval."))
    if not note.strip():
        raise field_error("note", _("Say why the quote is refused."), "required")
    return _set(actor, quote, {"status": QuoteStatus.REJECTED, "approval_note": note.strip()})


@transaction.atomic
def quote_revise(*, actor: Actor, quote: Quote) -> Quote:
    """A new draft version of ``quote`` with its lines; the old one becomes superseded."""
    if quote.status == QuoteStatus.SUPERSEDED:
        raise field_error(
            "status", _("This version was already revised; revise the latest one."), "superseded"
        )
    if quote.status == QuoteStatus.ACCEPTED:
        raise field_error(
            "status", _("The customer accepted this quote; it cannot be revised."), "accepted"
        )
    lines = [
        {name: getattr(line, name) for name in LINE_INPUT_FIELDS} for line in quote.lines.all()
    ]
    _set(actor, quote, {"status": QuoteStatus.SUPERSEDED})
    data = {
        name: getattr(quote, name)
        for name in (
            "name",
            "opportunity",
            "account",
            "contact",
            "currency",
            "price_book",
            "language",
            "valid_until",
            "terms",
            "notes",
            "owner",
            "team",
        )
    }
    data.update(number=quote.number, version=quote.version + 1, previous_version=quote)
    created = record_create(
        actor=actor,
        record_type=get_record_type("quotes"),
        data=data,
        relations={"tags": list(quote.tags.all())},
        children={"lines": lines},
    )
    return cast(Quote, created)
