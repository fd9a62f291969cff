"""``rapport forecast bookings``: a CSV series (text and JSON), the live database, and every
kind of bad input (exit code 2, a message naming the column, row or option)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from statsmodels.tsa.statespace.tests.results.results_sarimax import air2_data

from rapport.demo.plan import DemoResult

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def airline_csv(tmp_path: Path) -> Path:
    """Given the airline passengers series in a CSV with columns month and passengers."""
    months = pd.period_range("1949-01", periods=len(air2_data), freq="M").astype(str)
    path = tmp_path / "airline.csv"
    pd.DataFrame({"month": months, "passengers": air2_data}).to_csv(path, index=False)
    return path


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("forecast", "bookings", *args, stdout=out)
    return out.getvalue()


def test_csv_forecast_as_text(airline_csv: Path) -> None:
    text = _run(
        "--from-csv", str(airline_csv), "--date-column", "month", "--value-column", "passengers",
        "--horizon", "3",
    )  # fmt: skip
    lines = text.splitlines()
    assert lines[0] == "Bookings forecast: ETS(M,Ad,M), 3 months"
    assert [line.split()[0] for line in lines[3:6]] == ["1961-01", "1961-02", "1961-03"]
    assert "Backtest: rolling origin, 8 origins, 3 months ahead" in text
    assert any(line.startswith("Seasonal naive") for line in lines)
    assert "Actuals inside the intervals: 80%:" in text


def test_csv_forecast_as_json(airline_csv: Path) -> None:
    text = _run(
        "--from-csv", str(airline_csv), "--date-column", "month", "--value-column", "passengers",
        "--json",
    )  # fmt: skip
    data = json.loads(text)
    assert data["model"] == "ETS(M,Ad,M)"
    assert len(data["history"]) == 144 and len(data["forecast"]) == 12
    assert data["forecast"][0]["month"] == "1961-01"
    first = data["forecast"][0]
    assert first["lower_95"] < first["lower_80"] < first["mean"] < first["upper_80"]
    backtest = data["backtest"]
    assert backtest["model"]["mase"] < backtest["seasonal_naive"]["mase"]


def test_live_database_forecast(history: DemoResult) -> None:
    # Given the demo's orders, when forecasting the live database
    data = json.loads(_run("--json", "--horizon", "6"))
    # Then four years of monthly bookings give a seasonal model and a backtest
    assert data["available"] is True
    assert data["currency"] == "USD" or len(data["currency"]) == 3
    assert data["orders"] > 0
    assert len(data["forecast"]) == 6
    assert data["history"][-1]["month"] == "2026-10"
    assert data["backtest"]["seasonal_naive"]["mase"] is not None
    text = _run("--horizon", "2")
    assert text.startswith(f"Bookings forecast ({data['currency']}): ETS(")


def _bad(tmp_path: Path, text: str, *extra: str) -> CommandError:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    args = ["--from-csv", str(path), "--date-column", "when", "--value-column", "amount", *extra]
    with pytest.raises(CommandError) as caught:
        _run(*args)
    assert caught.value.returncode == 2
    return caught.value


def _months(n: int, start: str = "2021-01") -> str:
    return "".join(
        f"{p},{i + 1}\n" for i, p in enumerate(pd.period_range(start, periods=n, freq="M"))
    )


def test_missing_column(tmp_path: Path) -> None:
    error = _bad(tmp_path, "when,total\n" + _months(12))
    assert "column 'amount' is not in the file (columns: 'when', 'total')" in str(error)


def test_unparseable_date(tmp_path: Path) -> None:
    error = _bad(tmp_path, "when,amount\n" + _months(12) + "13/45/2022,3\n")
    assert "row 14: '13/45/2022' in column 'when' is not a date" in str(error)


def test_unparseable_value(tmp_path: Path) -> None:
    error = _bad(tmp_path, "when,amount\n2020-12,n/a\n" + _months(12))
    assert "row 2: 'n/a' in column 'amount' is not a number" in str(error)


def test_not_monthly(tmp_path: Path) -> None:
    error = _bad(tmp_path, "when,amount\n" + _months(6) + _months(6, start="2021-09"))
    assert "row 8: column 'when' jumps from 2021-06 to 2021-09" in str(error)
    daily = "when,amount\n" + "".join(f"2021-01-{d:02d},5\n" for d in range(1, 13))
    error = _bad(tmp_path, daily)
    assert "row 3: a second value for 2021-01 (first on row 2)" in str(error)


def test_too_short(tmp_path: Path) -> None:
    error = _bad(tmp_path, "when,amount\n" + _months(5))
    assert "column 'amount' has 5 months; at least 8 are needed" in str(error)


def test_bad_options(tmp_path: Path) -> None:
    error = _bad(tmp_path, "when,amount\n" + _months(12), "--horizon", "0")
    assert "--horizon must be a whole number of months from 1 to 60" in str(error)
    with pytest.raises(CommandError) as caught:
        _run(
            "--from-csv", str(tmp_path / "missing.csv"), "--date-column", "a", "--value-column", "b"
        )
    assert caught.value.returncode == 2 and "no such file" in str(caught.value)
    with pytest.raises(CommandError) as caught:
        _run("--from-csv", str(tmp_path / "x.csv"), "--value-column", "b")
    assert "--date-column is required with --from-csv" in str(caught.value)


def test_command_line_prints_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("when,amount\n" + _months(5))
    done = subprocess.run(
        [sys.executable, "-m", "rapport.cli", "forecast", "bookings", "--from-csv", str(path),
         "--date-column", "when", "--value-column", "amount"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "column 'amount' has 5 months; at least 8 are needed" in done.stderr
