"""Monthly bookings forecast: exponential smoothing with prediction intervals, and an honest
rolling-origin backtest against the seasonal-naive baseline.

Method
------
The model is an ETS state-space model (``statsmodels.tsa.exponential_smoothing.ets.ETSModel``)
with a damped additive trend and a 12-month seasonal component: ETS(A,Ad,A), or, when every
value is positive (bookings usually swing in proportion to their level), also ETS(A,Ad,M) and
ETS(M,Ad,M); the candidate with the lowest AICc wins (as in Hyndman et al. 2008, whose
likelihoods make additive- and multiplicative-error models comparable). With
fewer than two full years (24 months) no season can be estimated: the model drops the season
(ETS(A,Ad,N)) and says so in ``notes``. Fewer than ``MIN_POINTS`` months are refused.

Prediction intervals (80 % and 95 %) come from the model's ``get_prediction``: analytic for
the all-additive model, simulated (``SIMULATIONS`` paths) when the season is multiplicative.
For a series that was never negative, forecasts and bounds below zero are raised to zero
(this cannot lower the intervals' coverage of non-negative actuals).

Accuracy comes from a rolling-origin backtest (Tashman 2000): for each of up to
``BACKTEST_ORIGINS`` forecast origins at the end of the series, the model is refitted on the
data up to the origin and forecasts the next ``h`` months, ``h`` = min(horizon, 12). Errors
are pooled over the origins and reported as

* MASE (Hyndman & Koehler 2006): mean absolute error divided by the in-sample mean absolute
  error of the seasonal-naive forecast (lag 12; lag 1 without a season) on each origin's
  training data, averaged over origins. Below 1 means better than that in-sample naive.
* MAPE: mean of ``|error / actual|`` in percent, over actuals that are not zero.

The same numbers are always given for the seasonal-naive baseline (each month forecast by
the same month a year before the origin; the last value without a season), and the share
of actuals that fell inside the 80 % and 95 % intervals.

Checked against a published dataset available offline: the Box & Jenkins (1976) series G,
monthly international airline passengers 1949-1960 (144 values, shipped with statsmodels'
test results as ``air2_data``). On it the model's 12-month rolling-origin MASE is below the
seasonal-naive one, and the 80 % / 95 % intervals cover close to their nominal share of the
actuals (``rapport/analytics/tests/test_bookings.py``); the MASE helper reproduces a hand
computation in the same test file.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

SEASON = 12
MIN_POINTS = 8
BACKTEST_ORIGINS = 8
SIMULATIONS = 500
LEVELS = (80, 95)


class SeriesError(ValueError):
    """The input is not a usable monthly series; the message names the column or the row."""


@dataclass(frozen=True)
class Point:
    month: str  # YYYY-MM
    value: float


@dataclass(frozen=True)
class ForecastPoint:
    month: str
    mean: float
    lower_80: float
    upper_80: float
    lower_95: float
    upper_95: float


@dataclass(frozen=True)
class Accuracy:
    mase: float | None
    mape: float | None


@dataclass(frozen=True)
class Backtest:
    origins: int
    horizon: int
    model: Accuracy
    seasonal_naive: Accuracy
    coverage_80: float | None
    coverage_95: float | None


@dataclass
class BookingsForecast:
    """The history, the forecast with intervals, the backtest and what the model was."""

    history: list[Point]
    forecast: list[ForecastPoint]
    model: str
    seasonal: bool
    backtest: Backtest | None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- input ------------------------------------------------------------------------------------


def monthly_series(months: list[pd.Period], values: list[float], *, where: str) -> pd.Series:
    """A gap-free monthly series from (month, value) pairs; empty months in between are 0."""
    if not months:
        raise SeriesError(f"{where}: no data")
    series = pd.Series(values, index=pd.PeriodIndex(months, freq="M"), dtype=float)
    series = series.groupby(level=0).sum().sort_index()
    full = pd.period_range(series.index.min(), series.index.max(), freq="M")
    return series.reindex(full, fill_value=0.0)


def read_monthly_csv(path: str | Path, date_column: str, value_column: str) -> pd.Series:
    """Read one value per month from a CSV file.

    Refused with a ``SeriesError`` naming the column or the (1-based, header = row 1) row:
    a missing column, a date or a value that does not parse, two rows for one month, a gap
    (a month with no row: the series must be monthly), or fewer than ``MIN_POINTS`` months.
    """
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise SeriesError(f"cannot read {path}: {e}") from e
    for column in (date_column, value_column):
        if column not in frame.columns:
            found = ", ".join(repr(c) for c in frame.columns) or "none"
            raise SeriesError(f"column {column!r} is not in the file (columns: {found})")
    months: list[pd.Period] = []
    values: list[float] = []
    seen: dict[pd.Period, int] = {}
    for offset, (raw_date, raw_value) in enumerate(
        zip(frame[date_column], frame[value_column], strict=True)
    ):
        row = offset + 2
        try:
            month = pd.Period(pd.Timestamp(raw_date.strip()), freq="M")
        except (ValueError, TypeError):
            raise SeriesError(
                f"row {row}: {raw_date!r} in column {date_column!r} is not a date"
            ) from None
        try:
            value = float(raw_value.strip().replace(",", ""))
        except ValueError:
            raise SeriesError(
                f"row {row}: {raw_value!r} in column {value_column!r} is not a number"
            ) from None
        if not math.isfinite(value):
            raise SeriesError(f"row {row}: {raw_value!r} in column {value_column!r} is not finite")
        if month in seen:
            raise SeriesError(
                f"row {row}: a second value for {month} (first on row {seen[month]}) in column "
                f"{date_column!r}; the series must have one row per month"
            )
        seen[month] = row
        months.append(month)
        values.append(value)
    if not months:
        raise SeriesError(f"column {value_column!r} has no rows")
    ordered = sorted(seen)
    for previous, current in itertools.pairwise(ordered):
        if (current - previous).n != 1:
            raise SeriesError(
                f"row {seen[current]}: column {date_column!r} jumps from {previous} to "
                f"{current}; the series must be monthly without gaps"
            )
    series = pd.Series(values, index=pd.PeriodIndex(months, freq="M")).sort_index()
    if len(series) < MIN_POINTS:
        raise SeriesError(
            f"column {value_column!r} has {len(series)} months; at least {MIN_POINTS} are needed"
        )
    return series


# --- accuracy ---------------------------------------------------------------------------------


def seasonal_naive(train: np.ndarray, horizon: int, period: int) -> np.ndarray:
    """Each future month is the same month of the last season (the last value if period 1)."""
    steps = np.arange(1, horizon + 1)
    back = period * np.ceil(steps / period).astype(int)
    return train[len(train) - back + steps - 1]


def naive_scale(train: np.ndarray, period: int) -> float:
    """In-sample mean absolute error of the seasonal-naive forecast (the MASE denominator)."""
    if len(train) <= period:
        return float("nan")
    return float(np.mean(np.abs(train[period:] - train[:-period])))


def mase(actual: np.ndarray, forecast: np.ndarray, scale: float) -> float:
    """Mean absolute scaled error (Hyndman & Koehler 2006)."""
    return float(np.mean(np.abs(actual - forecast)) / scale)


def mape(actual: np.ndarray, forecast: np.ndarray) -> float | None:
    """Mean absolute percentage error over the non-zero actuals, in percent."""
    nonzero = actual != 0
    if not nonzero.any():
        return None
    return float(np.mean(np.abs((actual[nonzero] - forecast[nonzero]) / actual[nonzero])) * 100)


# --- the model --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    seasonal: str | None  # "add", "mul" or None
    error: str = "add"

    @property
    def label(self) -> str:
        season = {"add": "A", "mul": "M", None: "N"}[self.seasonal]
        return f"ETS({'M' if self.error == 'mul' else 'A'},Ad,{season})"


def _fit(values: np.ndarray, spec: _Spec, start: pd.Period) -> Any:
    index = pd.period_range(start, periods=len(values), freq="M").to_timestamp()
    model = ETSModel(
        pd.Series(values, index=index, dtype=float),
        error=spec.error,
        trend="add",
        damped_trend=True,
        seasonal=spec.seasonal,
        seasonal_periods=SEASON if spec.seasonal else None,
        initialization_method="estimated" if spec.seasonal is None else "heuristic",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(disp=False, maxiter=500)


def _aicc(result: Any) -> float:
    value = float(getattr(result, "aicc", float("nan")))
    return value if math.isfinite(value) else float("inf")


def _choose(values: np.ndarray, start: pd.Period, notes: list[str]) -> _Spec:
    if len(values) < 2 * SEASON:
        notes.append(
            f"Only {len(values)} months (fewer than two full years): no seasonality is "
            f"estimated; the baseline is the naive forecast (last value)."
        )
        return _Spec(None)
    candidates = [_Spec("add")]
    if (values > 0).all():
        candidates += [_Spec("mul"), _Spec("mul", error="mul")]
    fits = [(_aicc(_fit(values, spec, start)), spec) for spec in candidates]
    return min(fits, key=lambda pair: pair[0])[1]


def _predict(result: Any, horizon: int, *, floor: float | None) -> dict[str, np.ndarray]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prediction = result.get_prediction(
            start=result.nobs,
            end=result.nobs + horizon - 1,
            simulate_repetitions=SIMULATIONS,
            rng=np.random.default_rng(0),
        )
        out = {"mean": np.asarray(prediction.predicted_mean, dtype=float)}
        for level in LEVELS:
            frame = prediction.pred_int(alpha=1 - level / 100)
            bounds = np.asarray(frame, dtype=float)
            out[f"lower_{level}"] = bounds[:, 0]
            out[f"upper_{level}"] = bounds[:, 1]
    if floor is not None:
        # a series that was never negative (bookings) is not forecast below zero either
        out = {key: np.maximum(values, floor) for key, values in out.items()}
    return out


def _floor(values: np.ndarray) -> float | None:
    return 0.0 if (values >= 0).all() else None


def backtest(
    series: pd.Series, spec: _Spec, horizon: int, origins: int = BACKTEST_ORIGINS
) -> Backtest | None:
    """Rolling-origin evaluation of ``spec`` and of seasonal naive (see the module docstring)."""
    values = series.to_numpy(float)
    period = SEASON if spec.seasonal else 1
    min_train = 2 * SEASON if spec.seasonal else MIN_POINTS - 2
    h = min(horizon, SEASON, len(values) - min_train)
    if h < 1:
        return None
    n_origins = min(origins, len(values) - min_train - h + 1)
    if n_origins < 1:
        return None
    model_mase, naive_mase = [], []
    actuals, model_fc, naive_fc = [], [], []
    inside = {level: 0 for level in LEVELS}
    for k in range(n_origins):
        end = len(values) - h - (n_origins - 1 - k)
        train, test = values[:end], values[end : end + h]
        scale = naive_scale(train, period)
        predicted = _predict(_fit(train, spec, series.index[0]), h, floor=_floor(train))
        naive = seasonal_naive(train, h, period)
        if scale > 0 and math.isfinite(scale):
            model_mase.append(mase(test, predicted["mean"], scale))
            naive_mase.append(mase(test, naive, scale))
        for level in LEVELS:
            inside[level] += int(
                (
                    (test >= predicted[f"lower_{level}"]) & (test <= predicted[f"upper_{level}"])
                ).sum()
            )
        actuals.append(test)
        model_fc.append(predicted["mean"])
        naive_fc.append(naive)
    actual = np.concatenate(actuals)
    points = len(actual)
    return Backtest(
        origins=n_origins,
        horizon=h,
        model=Accuracy(
            float(np.mean(model_mase)) if model_mase else None,
            mape(actual, np.concatenate(model_fc)),
        ),
        seasonal_naive=Accuracy(
            float(np.mean(naive_mase)) if naive_mase else None,
            mape(actual, np.concatenate(naive_fc)),
        ),
        coverage_80=inside[80] / points,
        coverage_95=inside[95] / points,
    )


def forecast(
    series: pd.Series, *, horizon: int = 12, run_backtest: bool = True
) -> BookingsForecast:
    """Forecast ``horizon`` months after a monthly series (``PeriodIndex``, freq M)."""
    if horizon < 1 or horizon > 60:
        raise SeriesError("the horizon must be between 1 and 60 months")
    if len(series) < MIN_POINTS:
        raise SeriesError(
            f"the series has {len(series)} months; at least {MIN_POINTS} are needed to forecast"
        )
    values = series.to_numpy(float)
    start = series.index[0]
    notes: list[str] = []
    try:
        spec = _choose(values, start, notes)
        predicted = _predict(_fit(values, spec, start), horizon, floor=_floor(values))
        result = backtest(series, spec, horizon) if run_backtest else None
    except (ValueError, np.linalg.LinAlgError) as exc:
        # statsmodels refuses some degenerate series; say so instead of failing
        raise SeriesError(f"the model could not be fitted to this series ({exc})") from exc
    months = pd.period_range(series.index[-1] + 1, periods=horizon, freq="M")
    points = [
        ForecastPoint(
            month=str(month),
            mean=float(predicted["mean"][i]),
            lower_80=float(predicted["lower_80"][i]),
            upper_80=float(predicted["upper_80"][i]),
            lower_95=float(predicted["lower_95"][i]),
            upper_95=float(predicted["upper_95"][i]),
        )
        for i, month in enumerate(months)
    ]
    if run_backtest and result is None:
        notes.append("The series is too short for a backtest.")
    return BookingsForecast(
        history=[Point(str(m), float(v)) for m, v in zip(series.index, values, strict=True)],
        forecast=points,
        model=spec.label,
        seasonal=spec.seasonal is not None,
        backtest=result,
        notes=notes,
    )
