"""Reads for the learned forecasts: opportunities, stage history, activities and bookings as
arrays for ``rapport.analytics``, each from a handful of queries whatever the row count.

These read the whole organisation on purpose: the models learn from every closed deal, and
what they publish (one probability per opportunity on its own record, aggregate metrics, a
company-wide bookings series) reveals no record a user could not see. Large reads fetch the
database's raw values through the ORM-built SQL (``_raw_frame``): Django's per-value
datetime conversion alone took seconds on 300,000 opportunities; pandas parses the columns
in one go.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, QuerySet

from rapport.activities.models import Activity
from rapport.analytics.win_probability import PipelineData
from rapport.currencies.models import ExchangeRate
from rapport.currencies.selectors import base_currency
from rapport.opportunities.choices import StageKind
from rapport.opportunities.models import Opportunity, Stage, StageHistory
from rapport.orders.choices import OrderStatus
from rapport.orders.models import Order
from rapport.predictions.models import WinProbabilityModel

# Draft orders are not booked yet and cancelled ones never were.
BOOKED_STATUSES = (OrderStatus.CONFIRMED, OrderStatus.FULFILLED)


def _raw_frame(queryset: QuerySet[Any], columns: list[str]) -> pd.DataFrame:
    """The rows of ``queryset.values_list(*columns)`` as the database returns them."""
    sql, params = queryset.values_list(*columns).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return pd.DataFrame.from_records(rows, columns=columns)


def _seconds(column: pd.Series) -> np.ndarray:
    """Unix seconds (float, NaN for empty) of a column of datetimes or their text form."""
    if column.empty:
        return np.zeros(0)
    parsed = pd.to_datetime(column, utc=True, format="ISO8601")
    seconds = (parsed - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)
    return np.asarray(seconds, dtype=float)


@dataclass
class RateTable:
    """Exchange rates to the base currency by currency and day, for vectorised conversion."""

    base: str
    days: dict[str, np.ndarray]  # days since epoch, sorted
    rates: dict[str, np.ndarray]

    def convert(self, amounts: np.ndarray, currencies: np.ndarray, at: np.ndarray) -> np.ndarray:
        """``amounts`` at the latest rate on or before ``at`` (Unix seconds); NaN without one."""
        out = np.full(len(amounts), np.nan)
        day = np.floor(at / 86400.0)
        for code in np.unique(currencies):
            mask = currencies == code
            if code == self.base:
                out[mask] = amounts[mask]
                continue
            if code not in self.days:
                continue
            k = np.searchsorted(self.days[code], day[mask], side="right") - 1
            found = k >= 0
            converted = np.full(int(mask.sum()), np.nan)
            converted[found] = amounts[mask][found] * self.rates[code][k[found]]
            out[mask] = converted
        return out


def rate_table() -> RateTable:
    """Every exchange rate, read once (a few thousand rows even after years of daily rates)."""
    frame = _raw_frame(
        ExchangeRate.objects.order_by("currency_id", "date"), ["currency", "date", "rate"]
    )
    days: dict[str, np.ndarray] = {}
    values: dict[str, np.ndarray] = {}
    if len(frame):
        frame["day"] = (pd.to_datetime(frame["date"]) - pd.Timestamp(0)).dt.days
        frame["rate"] = pd.to_numeric(frame["rate"]).astype(float)
        for code, group in frame.groupby("currency"):
            days[str(code)] = group["day"].to_numpy(float)
            values[str(code)] = group["rate"].to_numpy(float)
    return RateTable(base_currency(), days, values)


def _stages() -> pd.DataFrame:
    rows = list(Stage.objects.values_list("id", "pipeline_id", "position", "probability", "kind"))
    frame = pd.DataFrame(rows, columns=["id", "pipeline", "sort", "probability", "kind"])
    frame["is_open"] = frame["kind"] == StageKind.OPEN
    # position among the pipeline's open stages, 0-based (the configured positions may gap)
    frame["position"] = 0
    open_rows = frame[frame["is_open"]].sort_values(["pipeline", "sort", "id"])
    frame.loc[open_rows.index, "position"] = open_rows.groupby("pipeline").cumcount()
    return frame


def _opportunities(queryset: QuerySet[Opportunity], stages: pd.DataFrame) -> pd.DataFrame:
    columns = [
        "id",
        "owner",
        "pipeline",
        "stage",
        "source",
        "amount",
        "currency",
        "created_at",
        "closed_at",
    ]
    frame = _raw_frame(queryset.order_by(), columns)
    kind = stages.set_index("id")["kind"]
    stage_kind = kind.reindex(frame["stage"]).to_numpy()
    created = _seconds(frame["created_at"])
    closed = _seconds(frame["closed_at"])
    amount = pd.to_numeric(frame["amount"], errors="coerce").astype(float).to_numpy()
    currencies = frame["currency"].astype(str).to_numpy()
    converted = rate_table().convert(amount, currencies, created)
    is_closed = ~np.isnan(closed)
    won = np.where(is_closed, (stage_kind == StageKind.WON).astype(float), np.nan)
    return pd.DataFrame(
        {
            "id": frame["id"].astype(np.int64),
            "owner": frame["owner"].fillna(0).astype(np.int64),
            "pipeline": frame["pipeline"].astype(np.int64),
            "stage": frame["stage"].astype(np.int64),
            "source": frame["source"].fillna("").astype(str),
            "amount": converted,
            "created": created,
            "closed": closed,
            "won": won,
        }
    )


def _activities(opportunity_ids: QuerySet[Any] | None) -> pd.DataFrame:
    kind = ContentType.objects.get_for_model(Opportunity)
    queryset = Activity.objects.filter(related_type=kind)
    if opportunity_ids is not None:
        queryset = queryset.filter(related_id__in=opportunity_ids)
    frame = _raw_frame(queryset.order_by(), ["related_id", "created_at"])
    return pd.DataFrame(
        {
            "opportunity": frame["related_id"].astype(np.int64),
            "at": _seconds(frame["created_at"]),
        }
    )


def _history(queryset: QuerySet[StageHistory]) -> pd.DataFrame:
    frame = _raw_frame(
        queryset.order_by("opportunity_id", "entered_at", "id"),
        ["opportunity", "stage", "entered_at", "left_at"],
    )
    return pd.DataFrame(
        {
            "opportunity": frame["opportunity"].astype(np.int64),
            "stage": frame["stage"].astype(np.int64),
            "entered": _seconds(frame["entered_at"]),
            "left": _seconds(frame["left_at"]),
        }
    )


def training_data() -> PipelineData:
    """Every opportunity (closed ones train, all give owners' records), the stage history of
    the closed ones and the activities on them: five queries."""
    stages = _stages()
    closed = Opportunity.objects.filter(closed_at__isnull=False)
    return PipelineData(
        opportunities=_opportunities(Opportunity.objects.all(), stages),
        stages=stages,
        history=_history(StageHistory.objects.filter(opportunity__closed_at__isnull=False)),
        activities=_activities(closed.values("id")),
    )


def _closed_outcomes(stages: pd.DataFrame) -> pd.DataFrame:
    """The closed opportunities with only what the owners' records need (owner, close time,
    outcome): scoring reads 300,000 of them, and the other columns would double the time."""
    frame = _raw_frame(
        Opportunity.objects.filter(closed_at__isnull=False).order_by(),
        ["id", "owner", "stage", "closed_at"],
    )
    kind = stages.set_index("id")["kind"].reindex(frame["stage"]).to_numpy()
    return pd.DataFrame(
        {
            "id": frame["id"].astype(np.int64),
            "owner": frame["owner"].fillna(0).astype(np.int64),
            "pipeline": np.int64(-1),
            "stage": frame["stage"].astype(np.int64),
            "source": "",
            "amount": np.nan,
            "created": np.nan,
            "closed": _seconds(frame["closed_at"]),
            "won": (kind == StageKind.WON).astype(float),
        }
    )


def scoring_data() -> PipelineData:
    """What scoring needs: the open opportunities, the closed ones' outcomes (for the owners'
    records), the open ones' current stay and the activities on them: five queries."""
    stages = _stages()
    open_opps = Opportunity.objects.filter(closed_at__isnull=True)
    opportunities = pd.concat(
        [_opportunities(open_opps, stages), _closed_outcomes(stages)], ignore_index=True
    )
    return PipelineData(
        opportunities=opportunities,
        stages=stages,
        history=_history(
            StageHistory.objects.filter(opportunity__closed_at__isnull=True, left_at__isnull=True)
        ),
        activities=_activities(open_opps.values("id")),
    )


def closed_counts() -> tuple[int, int, int]:
    """(closed, won, lost) opportunities: whether a model can be trained at all."""
    closed = Opportunity.objects.filter(closed_at__isnull=False)
    won = closed.filter(stage__kind=StageKind.WON).count()
    total = closed.count()
    return total, won, total - won


def current_model() -> WinProbabilityModel | None:
    """The newest trained model, or None (then the stage defaults are the probabilities)."""
    return WinProbabilityModel.objects.order_by("-trained_at", "-id").first()


def model_status() -> dict[str, Any]:
    """What the win-probability page and API show: the current model's holdout metrics (or
    that the stage defaults are in use), and how much history there is to learn from."""
    model = (
        WinProbabilityModel.objects.order_by("-trained_at", "-id")
        .defer("model")
        .select_related("trained_by")
        .first()
    )
    closed, won, lost = closed_counts()
    status: dict[str, Any] = {
        "trained": model is not None,
        "trained_at": model.trained_at if model else None,
        "trained_by": model.trained_by.get_username() if model and model.trained_by else None,
        "closed_available": closed,
        "won_available": won,
        "lost_available": lost,
        "min_closed": int(settings.RAPPORT_WIN_MODEL_MIN_CLOSED),
        "features": model.features if model else [],
        "metrics": model.metrics if model else None,
        "seconds": model.seconds if model else None,
        "scored": Opportunity.objects.filter(
            closed_at__isnull=True, predicted_probability__isnull=False
        ).count(),
    }
    return status


# --- bookings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookingsHistory:
    """Monthly bookings in the base currency: month -> amount, plus where they came from."""

    currency: str
    months: list[pd.Period]
    values: list[float]
    orders: int
    won_without_order: int
    unconverted: list[str]


def bookings_fingerprint() -> str:
    """Changes whenever an order, a won opportunity or an exchange rate is added, changed or
    removed (counts and latest change times); the key of the cached bookings history."""
    parts = [
        Order.objects.aggregate(n=Count("id"), last=Max("updated_at")),
        Opportunity.objects.filter(stage__kind=StageKind.WON).aggregate(
            n=Count("id"), last=Max("updated_at")
        ),
        ExchangeRate.objects.aggregate(n=Count("id"), last=Max("date")),
    ]
    text = repr([(p["n"], str(p["last"])) for p in parts])
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _monthly_sums(months: pd.Series, currencies: pd.Series, amounts: pd.Series) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "month": months,
            "currency": currencies.astype(str),
            "amount": pd.to_numeric(amounts, errors="coerce").astype(float),
        }
    )
    return frame.groupby(["month", "currency"], as_index=False)["amount"].sum()


def bookings_history(*, today: dt.date) -> BookingsHistory:
    """Bookings by month from the first complete month to the last one before ``today``.

    Orders (confirmed or fulfilled, by order date) plus the won opportunities that have no
    order (by close date in the site's time zone, their amount): one figure for
    organisations that record orders, that only close deals, or both, without counting a
    deal and its order twice. Each month's sum per currency is converted at the rate of the
    month's last day. The first month is left out when the first booking is not on its
    first day (history that starts mid-month). Rows are summed in pandas, not with
    ``TruncMonth``: SQLite runs that through a Python function per row, seconds on a hundred
    thousand orders.
    """
    first_of_month = today.replace(day=1)
    orders = _raw_frame(
        Order.objects.filter(status__in=BOOKED_STATUSES, order_date__lt=first_of_month),
        ["order_date", "currency", "total"],
    )
    won = _raw_frame(
        Opportunity.objects.filter(
            stage__kind=StageKind.WON,
            closed_at__date__lt=first_of_month,
            amount__isnull=False,
        ).exclude(Exists(Order.objects.filter(opportunity=OuterRef("pk")))),
        ["closed_at", "currency", "amount"],
    )
    zone = str(settings.TIME_ZONE)
    order_days = pd.to_datetime(orders["order_date"])
    won_days = (
        pd.to_datetime(won["closed_at"], utc=True, format="ISO8601")
        .dt.tz_convert(zone)
        .dt.tz_localize(None)
    )
    sums = pd.concat(
        [
            _monthly_sums(order_days.dt.to_period("M"), orders["currency"], orders["total"]),
            _monthly_sums(won_days.dt.to_period("M"), won["currency"], won["amount"]),
        ]
    )
    first = min([d.min() for d in (order_days, won_days) if len(d)], default=None)
    if first is not None and first.day != 1:
        # the records start mid-month: that month is partial and would look like a slump
        sums = sums[sums["month"] != first.to_period("M")]
    rates = rate_table()
    months = [pd.Period(m, freq="M") for m in sums["month"]]
    at = np.array([float(m.end_time.normalize().timestamp()) for m in months])
    codes = sums["currency"].to_numpy(str)
    converted = (
        rates.convert(sums["amount"].to_numpy(float), codes, at) if len(sums) else np.zeros(0)
    )
    missing = sorted({str(c) for c, v in zip(codes, converted, strict=True) if np.isnan(v)})
    keep = ~np.isnan(converted)
    return BookingsHistory(
        currency=rates.base,
        months=[m for m, k in zip(months, keep, strict=True) if k],
        values=[float(v) for v in converted[keep]],
        orders=len(orders),
        won_without_order=len(won),
        unconverted=missing,
    )
