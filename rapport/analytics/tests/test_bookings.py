"""The bookings forecast: the published airline series, the accuracy measures by hand, and
every kind of bad CSV input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.statespace.tests.results.results_sarimax import air2_data

from rapport.analytics import bookings


def airline() -> pd.Series:
    """Box & Jenkins series G: international airline passengers, 1949-1960 (thousands)."""
    index = pd.period_range("1949-01", periods=len(air2_data), freq="M")
    return pd.Series(air2_data, index=index, dtype=float)


@pytest.fixture(scope="module")
def airline_forecast() -> bookings.BookingsForecast:
    return bookings.forecast(airline(), horizon=12)


def test_airline_series_is_the_published_one() -> None:
    series = airline()
    assert len(series) == 144
    assert series.iloc[:3].tolist() == [112.0, 118.0, 132.0]
    assert series.iloc[-1] == 432.0
    assert series.sum() == 40363.0


def test_model_beats_seasonal_naive_on_the_airline_series(
    airline_forecast: bookings.BookingsForecast,
) -> None:
    backtest = airline_forecast.backtest
    assert backtest is not None
    assert (backtest.origins, backtest.horizon) == (8, 12)
    # multiplicative season and error: the form R's forecast::ets picks for this series
    assert airline_forecast.model == "ETS(M,Ad,M)"
    assert airline_forecast.seasonal
    assert backtest.model.mase is not None and backtest.seasonal_naive.mase is not None
    assert backtest.model.mase < backtest.seasonal_naive.mase
    assert backtest.model.mape is not None and backtest.seasonal_naive.mape is not None
    assert backtest.model.mape < backtest.seasonal_naive.mape


def test_intervals_cover_about_their_nominal_share(
    airline_forecast: bookings.BookingsForecast,
) -> None:
    backtest = airline_forecast.backtest
    assert backtest is not None and backtest.coverage_80 is not None
    assert backtest.coverage_95 is not None
    # 96 pooled, autocorrelated errors: within about two standard errors of nominal
    assert 0.70 <= backtest.coverage_80 <= 0.92
    assert 0.88 <= backtest.coverage_95 <= 1.0
    assert backtest.coverage_80 <= backtest.coverage_95


def test_forecast_months_and_nested_intervals(airline_forecast: bookings.BookingsForecast) -> None:
    points = airline_forecast.forecast
    assert [p.month for p in points[:2]] == ["1961-01", "1961-02"]
    assert len(points) == 12
    for p in points:
        assert p.lower_95 <= p.lower_80 <= p.mean <= p.upper_80 <= p.upper_95
    # the summer peak is forecast above the winter trough, as in every year of the history
    assert points[6].mean > points[10].mean


def test_mase_and_seasonal_naive_by_hand() -> None:
    train = np.array([10.0, 20, 30, 40, 12, 22, 32, 42])
    assert bookings.seasonal_naive(train, 5, 4).tolist() == [12, 22, 32, 42, 12]
    assert bookings.seasonal_naive(train, 2, 1).tolist() == [42, 42]
    # in-sample seasonal-naive errors at lag 4: |12-10|, |22-20|, |32-30|, |42-40| -> MAE 2
    assert bookings.naive_scale(train, 4) == 2.0
    actual = np.array([14.0, 20])
    forecast = np.array([12.0, 22])
    assert bookings.mase(actual, forecast, 2.0) == 1.0
    assert bookings.mape(actual, forecast) == pytest.approx((2 / 14 + 2 / 20) / 2 * 100)
    assert bookings.mape(np.array([0.0]), np.array([1.0])) is None


def test_short_series_drop_the_season_and_say_so() -> None:
    result = bookings.forecast(airline().iloc[:20], horizon=6)
    assert result.model == "ETS(A,Ad,N)"
    assert not result.seasonal
    assert result.notes and "fewer than two full years" in result.notes[0]
    assert result.backtest is not None and result.backtest.horizon == 6


def test_too_short_is_refused() -> None:
    with pytest.raises(bookings.SeriesError, match="has 7 months; at least 8"):
        bookings.forecast(airline().iloc[:7], horizon=3)


# --- CSV input --------------------------------------------------------------------------------


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "series.csv"
    path.write_text(text)
    return path


def _rows(months: int, start: str = "2020-01") -> str:
    periods = pd.period_range(start, periods=months, freq="M")
    return "".join(f"{p}-15,{100 + i}\n" for i, p in enumerate(periods))


def test_csv_reads_one_value_per_month(tmp_path: Path) -> None:
    path = _csv(tmp_path, "when,amount\n" + _rows(10))
    series = bookings.read_monthly_csv(path, "when", "amount")
    assert len(series) == 10
    assert str(series.index[0]) == "2020-01"
    assert series.iloc[-1] == 109.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("when,total\n" + _rows(10), "column 'amount' is not in the file (columns: 'when', "),
        ("when,amount\n" + _rows(3) + "not a date,5\n", "row 5: 'not a date' in column 'when'"),
        ("when,amount\n" + _rows(3) + "2020-04-01,12abc\n", "row 5: '12abc' in column 'amount'"),
        (
            "when,amount\n" + _rows(9) + "2020-09-02,7\n",
            "row 11: a second value for 2020-09 (first on row 10)",
        ),
        (
            "when,amount\n" + _rows(4) + _rows(6, start="2020-07"),
            "row 6: column 'when' jumps from 2020-04 to 2020-07",
        ),
        ("when,amount\n" + _rows(5), "column 'amount' has 5 months; at least 8 are needed"),
    ],
    ids=["missing-column", "bad-date", "bad-value", "duplicate-month", "gap", "too-short"],
)
def test_bad_csv_input_names_the_column_or_row(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(bookings.SeriesError) as caught:
        bookings.read_monthly_csv(_csv(tmp_path, text), "when", "amount")
    assert message in str(caught.value)
