"""Reads of opportunities: pipeline totals in the organisation's currency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TypedDict

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from rapport.currencies.selectors import MissingExchangeRate, base_currency, money_to_base
from rapport.opportunities.models import Opportunity, Stage


class CurrencyTotal(TypedDict):
    currency: str
    count: int
    amount: str
    weighted_amount: str


class OpportunityTotals(TypedDict):
    currency: str
    on: str
    count: int
    amount: str
    weighted_amount: str
    by_currency: list[CurrencyTotal]
    missing_rates: list[str]


def opportunity_totals(*, queryset: QuerySet[Any], on: dt.date) -> OpportunityTotals:
    """Sum and probability-weighted sum of ``queryset`` (already restricted and filtered),
    per currency and converted to the organisation's currency at the rate of ``on``."""
    money = DecimalField(max_digits=30, decimal_places=4)
    rows = (
        queryset.order_by()
        .values("currency_id")
        .annotate(
            n=Count("id"),
            total=Coalesce(Sum("amount"), Decimal(0), output_field=money),
            weighted=Coalesce(
                Sum(
                    ExpressionWrapper(
                        F("amount") * Coalesce(F("probability"), 0) / Decimal(100),
                        output_field=money,
                    )
                ),
                Decimal(0),
                output_field=money,
            ),
        )
        .order_by("currency_id")
    )
    total = weighted = Decimal(0)
    count = 0
    by_currency: list[CurrencyTotal] = []
    missing: list[str] = []
    for row in rows:
        code = row["currency_id"]
        count += row["n"]
        by_currency.append(
            {
                "currency": code,
                "count": row["n"],
                "amount": str(Decimal(row["total"]).quantize(Decimal("0.01"))),
                "weighted_amount": str(Decimal(row["weighted"]).quantize(Decimal("0.01"))),
            }
        )
        try:
            total += money_to_base(Decimal(row["total"]), code, on)
            weighted += money_to_base(Decimal(row["weighted"]), code, on)
        except MissingExchangeRate:
            missing.append(code)
    return {
        "currency": base_currency(),
        "on": on.isoformat(),
        "count": count,
        "amount": str(total),
        "weighted_amount": str(weighted),
        "by_currency": by_currency,
        "missing_rates": missing,
    }


def stage_usage(stage: Stage) -> int:
    """How many opportunities are in ``stage`` or passed through it."""
    return (
        Opportunity.objects.filter(Q(stage=stage) | Q(stage_history__stage=stage))
        .values("pk")
        .distinct()
        .count()
    )
