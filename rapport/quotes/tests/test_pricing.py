"""The pricing rule of quote and order lines, checked on examples and by property."""

from __future__ import annotations

from decimal import Context, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rapport.catalog.pricing import (
    LineInput,
    document_discount_percent,
    line_amounts,
    line_discount_percent,
    lines_totals,
)

DECIMALS = {"JPY": 0, "USD": 2, "KWD": 3}

quantities = st.decimals(min_value=0, max_value=Decimal("9999999999"), places=4)
prices = st.decimals(min_value=0, max_value=Decimal("9999999999999999"), places=4)
percents = st.decimals(min_value=0, max_value=100, places=4)
taxes = st.decimals(min_value=0, max_value=100, places=4)


@st.composite
def lines(draw: st.DrawFn) -> LineInput:
    quantity, price = draw(quantities), draw(prices)
    kind = draw(st.sampled_from(["none", "percent", "amount"]))
    return LineInput(
        quantity=quantity,
        unit_price=price,
        discount_percent=draw(percents) if kind == "percent" else None,
        discount_amount=draw(prices) if kind == "amount" else None,
        tax_percent=draw(taxes),
    )


def _round(value: Fraction, decimals: int) -> Decimal:
    """A Fraction rounded half up to ``decimals`` places, independently of pricing.py."""
    scaled = value * 10**decimals
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole).scaleb(-decimals, context=Context(prec=200))


def _reference(line: LineInput, decimals: int) -> tuple[Decimal, Decimal, Decimal]:
    """gross, net and tax of a line computed with exact fractions, then rounded."""
    gross = Fraction(line.quantity) * Fraction(line.unit_price)
    if line.discount_percent is not None:
        discount = gross * Fraction(line.discount_percent) / 100
    else:
        discount = Fraction(line.discount_amount or 0)
    net = _round(max(gross - min(discount, gross), Fraction(0)), decimals)
    tax = _round(Fraction(net) * Fraction(line.tax_percent) / 100, decimals)
    return _round(gross, decimals), net, tax


@settings(max_examples=300)
@given(st.lists(lines(), max_size=8), st.sampled_from(sorted(DECIMALS)), st.randoms())
def test_totals_do_not_depend_on_line_order(items, currency, rnd):
    # given lines in some order and the same lines shuffled
    shuffled = list(items)
    rnd.shuffle(shuffled)
    # then the totals are the same
    assert lines_totals(items, DECIMALS[currency]) == lines_totals(shuffled, DECIMALS[currency])


@settings(max_examples=300)
@given(st.lists(lines(), max_size=8), st.sampled_from(sorted(DECIMALS)))
def test_total_is_subtotal_minus_discount_plus_tax_and_nothing_is_negative(items, currency):
    # when the totals of any lines are computed
    totals = lines_totals(items, DECIMALS[currency])
    # then they add up exactly (checked without the default 28-digit rounding) and none is
    # negative
    with localcontext(prec=100):
        assert totals.total == totals.subtotal - totals.discount_total + totals.tax_total
    for value in (totals.subtotal, totals.discount_total, totals.tax_total, totals.total):
        assert value >= 0
    for line in items:
        amounts = line_amounts(line, DECIMALS[currency])
        assert min(amounts.gross, amounts.discount, amounts.net, amounts.tax) >= 0
        assert amounts.net <= amounts.gross


@settings(max_examples=500)
@given(lines(), st.sampled_from(sorted(DECIMALS)))
def test_line_agrees_with_exact_fraction_reference(line, currency):
    # given a line and a currency's decimal places
    decimals = DECIMALS[currency]
    # when it is priced
    amounts = line_amounts(line, decimals)
    # then gross, net and tax are the exact values rounded half up, in the currency's decimals
    gross, net, tax = _reference(line, decimals)
    assert (amounts.gross, amounts.net, amounts.tax) == (gross, net, tax)
    with localcontext(prec=100):
        assert amounts.total == net + tax
    for value in (amounts.gross, amounts.net, amounts.tax, amounts.total):
        assert value.as_tuple().exponent == -decimals


@settings(max_examples=200)
@given(st.lists(lines(), max_size=8), st.sampled_from(sorted(DECIMALS)))
def test_totals_agree_with_reference_sums(items, currency):
    decimals = DECIMALS[currency]
    refs = [_reference(line, decimals) for line in items]
    totals = lines_totals(items, decimals)
    with localcontext(prec=100):
        assert totals.subtotal == sum((r[0] for r in refs), Decimal(0))
        assert totals.tax_total == sum((r[2] for r in refs), Decimal(0))
        assert totals.total == sum((r[1] + r[2] for r in refs), Decimal(0))


@given(quantities, prices, taxes, st.sampled_from(sorted(DECIMALS)))
def test_zero_percent_discount_discounts_nothing(quantity, price, tax, currency):
    # given the same line without a discount and with 0 %
    plain = LineInput(quantity=quantity, unit_price=price, tax_percent=tax)
    zero = LineInput(
        quantity=quantity, unit_price=price, discount_percent=Decimal(0), tax_percent=tax
    )
    # then the amounts are the same and the discount is 0
    assert line_amounts(zero, DECIMALS[currency]) == line_amounts(plain, DECIMALS[currency])
    assert line_amounts(zero, DECIMALS[currency]).discount == 0


@given(quantities, prices, taxes, st.sampled_from(sorted(DECIMALS)))
def test_hundred_percent_discount_leaves_nothing_to_pay(quantity, price, tax, currency):
    line = LineInput(
        quantity=quantity, unit_price=price, discount_percent=Decimal(100), tax_percent=tax
    )
    amounts = line_amounts(line, DECIMALS[currency])
    assert (amounts.net, amounts.tax, amounts.total) == (0, 0, 0)
    assert amounts.discount == amounts.gross


@pytest.mark.parametrize(
    ("decimals", "net", "tax", "total"),
    [
        (0, Decimal("3"), Decimal("1"), Decimal("4")),  # JPY
        (2, Decimal("3.38"), Decimal("0.68"), Decimal("4.06")),  # USD
        (3, Decimal("3.375"), Decimal("0.675"), Decimal("4.050")),  # KWD
    ],
)
def test_currency_decimals_and_half_up(decimals, net, tax, total):
    # given 1.5 x 2.25 = 3.375 with 20 % tax
    line = LineInput(quantity=Decimal("1.5"), unit_price=Decimal("2.25"), tax_percent=Decimal(20))
    # when priced in a currency with 0, 2 or 3 decimals
    amounts = line_amounts(line, decimals)
    # then half goes up: 3.375 → 3 JPY (0.375 < 0.5), 3.38 USD, 3.375 KWD
    assert (amounts.net, amounts.tax, amounts.total) == (net, tax, total)


def test_half_a_unit_rounds_up():
    assert line_amounts(LineInput(quantity=Decimal(1), unit_price=Decimal("0.5")), 0).net == 1
    assert line_amounts(
        LineInput(quantity=Decimal(1), unit_price=Decimal("0.125")), 2
    ).net == Decimal("0.13")


def test_discount_amount_is_capped_at_the_gross_amount():
    line = LineInput(quantity=Decimal(2), unit_price=Decimal(10), discount_amount=Decimal(50))
    amounts = line_amounts(line, 2)
    assert (amounts.gross, amounts.discount, amounts.net) == (Decimal(20), Decimal(20), Decimal(0))


def test_effective_discount_percent_of_an_amount_and_of_the_document():
    line = LineInput(quantity=Decimal(4), unit_price=Decimal(25), discount_amount=Decimal(30))
    assert line_discount_percent(line) == 30
    assert (
        document_discount_percent([line, LineInput(quantity=Decimal(1), unit_price=Decimal(100))])
        == 15
    )


def test_the_overall_discount_is_not_inflated_by_rounding():
    # 1 x 0.025 with 20 % off: rounded, 0.03 gross and 0.02 net (a third off), exactly 20 %
    line = LineInput(quantity=Decimal(1), unit_price=Decimal("0.025"), discount_percent=Decimal(20))
    assert line_amounts(line, 2).discount == Decimal("0.01")
    assert document_discount_percent([line]) == 20


@given(st.lists(lines(), min_size=1, max_size=8))
def test_the_overall_discount_is_at_most_the_largest_line_discount(items):
    assert document_discount_percent(items) <= max(line_discount_percent(x) for x in items)


@pytest.mark.parametrize(
    "line",
    [
        LineInput(quantity=Decimal(-1), unit_price=Decimal(1)),
        LineInput(quantity=Decimal(1), unit_price=Decimal(1), discount_percent=Decimal("100.01")),
        LineInput(
            quantity=Decimal(1),
            unit_price=Decimal(1),
            discount_percent=Decimal(1),
            discount_amount=Decimal(1),
        ),
    ],
)
def test_impossible_lines_are_refused(line):
    with pytest.raises(ValueError):
        line_amounts(line, 2)
