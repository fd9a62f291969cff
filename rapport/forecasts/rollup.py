"""The forecast rollup: opportunities summed per owner, month and forecast category, in the
base currency.

One function aggregates any set of opportunities; the incremental refresh runs it over the
(owner, month) cells an opportunity write touched, the full refresh over every opportunity.
Both therefore agree with a raw computation by construction.

Rules: an opportunity counts in the month of its expected close date (of its closing day when
it has none); won deals forecast as closed and lost ones as omitted whatever their category;
the weighted amount is amount x probability (the stage's when the opportunity has none); each
currency is converted at its rate on the last day of the month.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from rapport.currencies.models import Currency
from rapport.currencies.selectors import MissingExchangeRate, base_currency, exchange_rate
from rapport.forecasts.models import ForecastRollup
from rapport.forecasts.periods import month_add
from rapport.opportunities.choices import ForecastCategory, StageKind
from rapport.opportunities.models import Opportunity

Cell = tuple[int, dt.date]  # (owner id, first day of the month)
_MONEY = DecimalField(max_digits=30, decimal_places=4)


@dataclass
class CellTotals:
    count: int = 0
    amount: Decimal = Decimal(0)
    weighted_amount: Decimal = Decimal(0)
    closed_won_amount: Decimal = Decimal(0)
    unconverted: int = 0


RollupKey = tuple[int, dt.date, str]  # (owner id, month, category)


def _category() -> Case:
    return Case(
        When(stage__kind=StageKind.WON, then=Value(ForecastCategory.CLOSED.value)),
        When(stage__kind=StageKind.LOST, then=Value(ForecastCategory.OMITTED.value)),
        default=Coalesce(
            NullIf(F("forecast_category"), Value("")),
            NullIf(F("stage__forecast_category"), Value("")),
            # a stage written around the services (demo data) has none: the stage default
            # of rapport.opportunities.stages.stage_forecast_category
            Case(
                When(stage__probability__gte=75, then=Value(ForecastCategory.COMMIT.value)),
                When(stage__probability__gte=40, then=Value(ForecastCategory.BEST_CASE.value)),
                default=Value(ForecastCategory.PIPELINE.value),
            ),
        ),
    )


def rollup_aggregate(queryset: QuerySet[Opportunity]) -> dict[RollupKey, CellTotals]:
    """The rollup rows of the opportunities in ``queryset``."""
    rows = (
        queryset.annotate(
            fc_month=TruncMonth(Coalesce(F("expected_close_date"), TruncDate(F("closed_at")))),
            fc_category=_category(),
        )
        .filter(fc_month__isnull=False)
        .order_by()
        .values("owner_id", "fc_month", "fc_category", "currency_id", "stage__kind")
        .annotate(
            n=Count("id"),
            total=Coalesce(Sum("amount"), Value(Decimal(0)), output_field=_MONEY),
            weighted=Coalesce(
                Sum(
                    ExpressionWrapper(
                        F("amount")
                        * Coalesce(F("probability"), F("stage__probability"))
                        / Decimal(100),
                        output_field=_MONEY,
                    )
                ),
                Value(Decimal(0)),
                output_field=_MONEY,
            ),
        )
    )
    rates = _Rates()
    totals: dict[RollupKey, CellTotals] = defaultdict(CellTotals)
    for row in rows:
        month = row["fc_month"]
        if isinstance(month, dt.datetime):
            month = month.date()
        key = (row["owner_id"], month, row["fc_category"])
        cell = totals[key]
        cell.count += row["n"]
        rate = rates.rate(row["currency_id"], month_add(month, 1) - dt.timedelta(days=1))
        if rate is None:
            cell.unconverted += row["n"]
            continue
        amount = (Decimal(row["total"]) * rate).quantize(rates.quantum)
        cell.amount += amount
        cell.weighted_amount += (Decimal(row["weighted"]) * rate).quantize(rates.quantum)
        if row["stage__kind"] == StageKind.WON:
            cell.closed_won_amount += amount
    return dict(totals)


class _Rates:
    """Exchange rates read once per (currency, day)."""

    def __init__(self) -> None:
        self.base = base_currency()
        decimals = (
            Currency.objects.filter(code=self.base).values_list("decimals", flat=True).first()
        )
        self.quantum = Decimal(1).scaleb(-(decimals if decimals is not None else 2))
        self._rates: dict[tuple[str, dt.date], Decimal | None] = {}

    def rate(self, currency: str, on: dt.date) -> Decimal | None:
        key = (currency, on)
        if key not in self._rates:
            try:
                self._rates[key] = exchange_rate(currency, on)
            except MissingExchangeRate:
                self._rates[key] = None
        return self._rates[key]


def _cell_q(cell: Cell) -> Q:
    owner, month = cell
    end = month_add(month, 1)
    return Q(owner_id=owner) & (
        Q(expected_close_date__gte=month, expected_close_date__lt=end)
        | Q(expected_close_date__isnull=True, closed_at__date__gte=month, closed_at__date__lt=end)
    )


def _rows(totals: dict[RollupKey, CellTotals]) -> list[ForecastRollup]:
    return [
        ForecastRollup(
            owner_id=owner,
            month=month,
            category=category,
            count=t.count,
            amount=t.amount,
            weighted_amount=t.weighted_amount,
            closed_won_amount=t.closed_won_amount,
            unconverted=t.unconverted,
        )
        for (owner, month, category), t in totals.items()
    ]


def rollup_cells_refresh(cells: Iterable[Cell], *, exclude_pk: Any = None) -> None:
    """Recompute the rollup rows of ``cells`` from their opportunities (leaving out
    ``exclude_pk``, an opportunity about to be deleted)."""
    cells = sorted(set(cells))
    if not cells:
        return
    where = Q(pk__in=[])
    cell_q = Q(pk__in=[])
    for cell in cells:
        where |= _cell_q(cell)
        cell_q |= Q(owner_id=cell[0], month=cell[1])
    queryset = Opportunity.objects.filter(where)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    totals = {k: v for k, v in rollup_aggregate(queryset).items() if (k[0], k[1]) in cells}
    ForecastRollup.objects.filter(cell_q).delete()
    ForecastRollup.objects.bulk_create(_rows(totals))


@transaction.atomic
def rollup_rebuild(*, batch_size: int = 2000) -> int:
    """Recompute the whole rollup from every opportunity; the number of rows written."""
    totals = rollup_aggregate(Opportunity.objects.all())
    ForecastRollup.objects.all().delete()
    ForecastRollup.objects.bulk_create(_rows(totals), batch_size=batch_size)
    return len(totals)


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value)
    parsed = parse_datetime(text)
    if parsed is not None:
        return timezone.localtime(parsed).date() if timezone.is_aware(parsed) else parsed.date()
    return parse_date(text)


def record_cell(values: Any) -> Cell | None:
    """The cell of an opportunity, given as a model or as a change-log snapshot."""
    if values is None:
        return None
    if isinstance(values, dict):
        owner = values.get("owner")
        day = _date(values.get("expected_close_date")) or _date(values.get("closed_at"))
    else:
        owner = values.owner_id
        day = _date(values.expected_close_date) or _date(values.closed_at)
    if owner is None or day is None:
        return None
    return (int(owner), day.replace(day=1))
