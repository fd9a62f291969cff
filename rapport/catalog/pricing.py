"""Prices of quote, order and opportunity lines: pure functions over ``Decimal``, no database.

The rounding rule, the same for every document:

1. A line's gross amount is ``quantity x unit price``, exact.
2. Its discount is either a percentage of the gross amount or an amount (per line, not per
   unit), never both; it is capped at the gross amount, so a net amount is never below zero.
3. The line's **net** amount is ``gross - discount`` rounded to the currency's decimal places
   (``Currency.decimals``: 0 for JPY, 2 for USD, 3 for KWD) with ROUND_HALF_UP (half a cent
   goes up: 0.125 → 0.13, 0.5 JPY → 1).
4. The line's **tax** is ``net x tax percent / 100`` rounded the same way; its total is
   ``net + tax``.
5. The document's subtotal is the sum of the lines' gross amounts, each rounded as in 3; the
   discount total is the sum of ``rounded gross - net`` per line, so that
   ``total = subtotal - discount total + tax total`` holds exactly, and every total is a sum of
   rounded line amounts (what a customer can add up from the printed lines).

Arithmetic runs in a context precise enough for every value the models can hold (20 digits
with 4 decimals times 14 digits with 4 decimals), so only the rounding above ever rounds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal

_EXACT = Context(prec=100, rounding=ROUND_HALF_UP)
_HUNDRED = Decimal(100)
ZERO = Decimal(0)


@dataclass(frozen=True)
class LineInput:
    """What a line says: quantity, unit price, at most one kind of discount, tax percent."""

    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal | None = None
    discount_amount: Decimal | None = None
    tax_percent: Decimal = ZERO


@dataclass(frozen=True)
class LineAmounts:
    """A line's amounts, each rounded to the currency's decimals."""

    gross: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal


@dataclass(frozen=True)
class DocumentTotals:
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal


def money_round(value: Decimal, decimals: int) -> Decimal:
    """``value`` rounded to ``decimals`` places, half up (away from zero)."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=_EXACT)


def _check(line: LineInput) -> None:
    if line.quantity < 0:
        raise ValueError("quantity must not be negative")
    if line.unit_price < 0:
        raise ValueError("unit price must not be negative")
    if line.discount_percent is not None and line.discount_amount is not None:
        raise ValueError("a line has a discount percentage or a discount amount, not both")
    if line.discount_percent is not None and not ZERO <= line.discount_percent <= _HUNDRED:
        raise ValueError("discount percentage must be between 0 and 100")
    if line.discount_amount is not None and line.discount_amount < 0:
        raise ValueError("discount amount must not be negative")
    if line.tax_percent < 0:
        raise ValueError("tax percentage must not be negative")


def line_gross_exact(line: LineInput) -> Decimal:
    return _EXACT.multiply(line.quantity, line.unit_price)


def line_discount_exact(line: LineInput) -> Decimal:
    """The line's discount before rounding, capped at its gross amount."""
    gross = line_gross_exact(line)
    if line.discount_percent is not None:
        discount = _EXACT.divide(_EXACT.multiply(gross, line.discount_percent), _HUNDRED)
    else:
        discount = line.discount_amount or ZERO
    return min(discount, gross)


def line_discount_percent(line: LineInput) -> Decimal:
    """The effective discount of a line as a percentage of its gross amount (0 when the
    gross amount is 0); what approval thresholds compare."""
    _check(line)
    if line.discount_percent is not None:
        return line.discount_percent
    gross = line_gross_exact(line)
    if gross == 0:
        return ZERO
    return _EXACT.divide(_EXACT.multiply(line_discount_exact(line), _HUNDRED), gross)


def line_amounts(line: LineInput, decimals: int) -> LineAmounts:
    """The rounded amounts of one line (see the module docstring for the rule)."""
    _check(line)
    gross_exact = line_gross_exact(line)
    gross = money_round(gross_exact, decimals)
    net = money_round(_EXACT.subtract(gross_exact, line_discount_exact(line)), decimals)
    tax = money_round(_EXACT.divide(_EXACT.multiply(net, line.tax_percent), _HUNDRED), decimals)
    return LineAmounts(
        gross=gross,
        discount=_EXACT.subtract(gross, net),
        net=net,
        tax=tax,
        total=_EXACT.add(net, tax),
    )


def document_totals(amounts: Iterable[LineAmounts]) -> DocumentTotals:
    """Sums of the lines' rounded amounts."""
    subtotal = discount = tax = net = ZERO
    for a in amounts:
        subtotal = _EXACT.add(subtotal, a.gross)
        discount = _EXACT.add(discount, a.discount)
        tax = _EXACT.add(tax, a.tax)
        net = _EXACT.add(net, a.net)
    return DocumentTotals(
        subtotal=subtotal, discount_total=discount, tax_total=tax, total=_EXACT.add(net, tax)
    )


def lines_totals(lines: Iterable[LineInput], decimals: int) -> DocumentTotals:
    return document_totals(line_amounts(line, decimals) for line in lines)


def document_discount_percent(lines: Iterable[LineInput]) -> Decimal:
    """The overall discount as a percentage of the gross amount (0 for an empty document),
    from the exact amounts: rounding a few cents must not make a 20 % discount look like
    33 %."""
    gross = discount = ZERO
    for line in lines:
        _check(line)
        gross = _EXACT.add(gross, line_gross_exact(line))
        discount = _EXACT.add(discount, line_discount_exact(line))
    if gross == 0:
        return ZERO
    return _EXACT.divide(_EXACT.multiply(discount, _HUNDRED), gross)
