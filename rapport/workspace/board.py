"""Reads of the pipeline board: the cards of one pipeline by stage, capped per column, and
their totals in the organisation's currency.

Two queries whatever the number of opportunities: one for the cards (a window function keeps
the first ``per_column`` of each stage) and one aggregate for the totals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    QuerySet,
    Sum,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from rapport.framework.base_models import restricted
from rapport.identity.models import Team, User
from rapport.opportunities.models import Opportunity, Pipeline, Stage
from rapport.workspace.money import BaseConverter, money_text

CARDS_PER_COLUMN = 50


@dataclass(frozen=True)
class BoardFilters:
    """What the board shows: one pipeline, optionally narrowed by owner, team, close dates."""

    pipeline: Pipeline
    owner: User | None = None
    team: Team | None = None
    close_from: dt.date | None = None
    close_to: dt.date | None = None

    def list_params(self) -> dict[str, str]:
        """The same filters as query parameters of the opportunities list."""
        params = {"pipeline": str(self.pipeline.pk)}
        if self.owner is not None:
            params["owner"] = str(self.owner.pk)
        if self.team is not None:
            params["team"] = str(self.team.pk)
        if self.close_from is not None:
            params["expected_close_date__gte"] = self.close_from.isoformat()
        if self.close_to is not None:
            params["expected_close_date__lte"] = self.close_to.isoformat()
        return params


@dataclass
class ColumnTotals:
    count: int = 0
    amount: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)


@dataclass
class BoardColumn:
    stage: Stage
    cards: list[Opportunity] = field(default_factory=list)
    totals: ColumnTotals = field(default_factory=ColumnTotals)
    # The rendered options of its cards' "Move to" select (set by the board view).
    move_options: str = ""

    @property
    def more(self) -> int:
        """How many opportunities of this stage are not shown as cards."""
        return max(self.totals.count - len(self.cards), 0)


@dataclass
class Board:
    filters: BoardFilters
    columns: list[BoardColumn]
    currency: str
    missing_rates: list[str]


def pipeline_default(pipelines: list[Pipeline]) -> Pipeline | None:
    """The pipeline marked default, else the first one."""
    return next((p for p in pipelines if p.is_default), pipelines[0] if pipelines else None)


def board_opportunities(*, user: Any, filters: BoardFilters) -> QuerySet[Opportunity]:
    """The opportunities of the board that ``user`` may see."""
    queryset = restricted(Opportunity, user, "view").filter(pipeline=filters.pipeline)
    if filters.owner is not None:
        queryset = queryset.filter(owner=filters.owner)
    if filters.team is not None:
        queryset = queryset.filter(team=filters.team)
    if filters.close_from is not None:
        queryset = queryset.filter(expected_close_date__gte=filters.close_from)
    if filters.close_to is not None:
        queryset = queryset.filter(expected_close_date__lte=filters.close_to)
    return queryset


def board_totals(
    *, user: Any, filters: BoardFilters, on: dt.date, converter: BaseConverter
) -> dict[int, ColumnTotals]:
    """Count, amount and probability-weighted amount per stage, in the base currency at the
    rate of ``on``; amounts in a currency without a rate are left out (``converter.missing``)."""
    money = DecimalField(max_digits=30, decimal_places=4)
    rows = (
        board_opportunities(user=user, filters=filters)
        .order_by()
        .values("stage_id", "currency_id")
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
    )
    totals: dict[int, ColumnTotals] = {}
    for row in rows:
        column = totals.setdefault(row["stage_id"], ColumnTotals())
        column.count += row["n"]
        column.amount += converter.to_base(Decimal(row["total"]), row["currency_id"], on)
        column.weighted += converter.to_base(Decimal(row["weighted"]), row["currency_id"], on)
    return totals


def board_read(
    *,
    user: Any,
    filters: BoardFilters,
    on: dt.date,
    per_column: int | None = None,
) -> Board:
    """The board of ``filters.pipeline`` for ``user``: every stage a column, the first
    ``per_column`` (default ``CARDS_PER_COLUMN``) opportunities of each, by expected close
    date, as cards."""
    per_column = per_column or CARDS_PER_COLUMN
    stages = list(Stage.objects.filter(pipeline=filters.pipeline).order_by("position", "id"))
    columns = {stage.pk: BoardColumn(stage=stage) for stage in stages}
    cards = (
        board_opportunities(user=user, filters=filters)
        .annotate(
            board_rank=Window(
                RowNumber(),
                partition_by=[F("stage_id")],
                order_by=[F("expected_close_date").asc(nulls_last=True), F("id").asc()],
            )
        )
        .filter(board_rank__lte=per_column)
        .select_related("account", "owner")
        # Only what a card shows: accounts and users have dozens of columns.
        .only(
            "id",
            "name",
            "stage_id",
            "amount",
            "currency_id",
            "expected_close_date",
            "stage_entered_at",
            "account__name",
            "owner__username",
            "owner__first_name",
            "owner__last_name",
        )
        .order_by("stage_id", "board_rank")
    )
    for card in cards:
        if card.stage_id in columns:
            columns[card.stage_id].cards.append(card)
    converter = BaseConverter()
    for stage_id, column_totals in board_totals(
        user=user, filters=filters, on=on, converter=converter
    ).items():
        if stage_id in columns:
            columns[stage_id].totals = column_totals
    return Board(
        filters=filters,
        columns=list(columns.values()),
        currency=converter.currency,
        missing_rates=sorted(converter.missing),
    )


def totals_texts(totals: ColumnTotals, currency: str) -> dict[str, str]:
    """A column's totals as shown in its header (also sent to the page after a move)."""
    return {
        "count": str(totals.count),
        "amount": money_text(totals.amount, currency),
        "weighted": money_text(totals.weighted, currency),
    }
