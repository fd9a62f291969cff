"""Template helpers of the board and the dashboard: money and column totals."""

from __future__ import annotations

from decimal import Decimal

from django import template

from rapport.workspace.board import ColumnTotals, totals_texts
from rapport.workspace.money import money_text

register = template.Library()


@register.simple_tag
def money(amount: Decimal | None, currency: str) -> str:
    """``{% money amount "EUR" %}``: the amount formatted for the language, with its code."""
    return money_text(amount, currency)


@register.simple_tag
def board_totals(totals: ColumnTotals, currency: str) -> dict[str, str]:
    """``{% board_totals column.totals board.currency as totals %}``: the header texts."""
    return totals_texts(totals, currency)
