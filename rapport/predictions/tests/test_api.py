"""The forecast API: who may read and train, bad input, and the numbers it returns."""

from __future__ import annotations

from django.test.utils import override_settings
from rest_framework.test import APIClient

from conftest import Personas, client_for
from rapport.demo.plan import DemoResult
from rapport.opportunities.models import Opportunity
from rapport.predictions.models import WinProbabilityModel

BOOKINGS = "/api/forecasts/bookings/"
WIN = "/api/forecasts/win-probability/"
TRAIN = "/api/forecasts/win-probability/train/"


def test_anonymous_requests_are_refused(db: None) -> None:
    client = APIClient()
    for url in (BOOKINGS, WIN):
        assert client.get(url).status_code in (401, 403)
    assert client.post(TRAIN).status_code in (401, 403)
    assert not WinProbabilityModel.objects.exists()


def test_bookings_forecast_with_backtest(history: DemoResult, personas: Personas) -> None:
    response = client_for(personas.owner).get(BOOKINGS, {"horizon": 6})
    assert response.status_code == 200
    data = response.json()
    assert data["available"] is True and data["horizon"] == 6
    assert len(data["forecast"]) == 6
    assert set(data["forecast"][0]) == {
        "month", "mean", "lower_80", "upper_80", "lower_95", "upper_95"
    }  # fmt: skip
    assert data["history"][-1]["month"] == "2026-10"
    assert set(data["backtest"]) == {
        "origins", "horizon", "model", "seasonal_naive", "coverage_80", "coverage_95"
    }  # fmt: skip
    assert data["backtest"]["seasonal_naive"]["mase"] is not None


def test_bookings_without_history_says_why(personas: Personas) -> None:
    response = client_for(personas.owner).get(BOOKINGS)
    assert response.status_code == 200
    data = response.json()
    assert data["available"] is False
    assert data["forecast"] == [] and data["backtest"] is None
    assert "Not enough booking history to forecast" in data["message"]


def test_bad_horizon_is_a_problem_naming_the_field(personas: Personas) -> None:
    for bad in ("0", "37", "twelve"):
        response = client_for(personas.owner).get(BOOKINGS, {"horizon": bad})
        assert response.status_code == 400
        body = response.json()
        assert body["errors"][0]["field"] == "horizon"
        assert body["errors"][0]["code"] == "invalid_horizon"
        assert "from 1 to 36" in body["errors"][0]["message"]


def test_only_administrators_train(history: DemoResult, personas: Personas) -> None:
    for user in (personas.owner, personas.manager):
        response = client_for(user).post(TRAIN)
        assert response.status_code == 403
    # Then nothing changed
    assert not WinProbabilityModel.objects.exists()
    assert not Opportunity.objects.filter(predicted_probability__isnull=False).exists()


def test_administrator_trains_and_everyone_reads_the_metrics(
    history: DemoResult, personas: Personas
) -> None:
    # When an administrator trains (the immediate task backend runs the job at once)
    response = client_for(personas.admin).post(TRAIN)
    assert response.status_code == 202
    # Then the model is saved and the open deals scored; any user reads the metrics
    assert WinProbabilityModel.objects.count() == 1
    data = client_for(personas.owner).get(WIN).json()
    assert data["trained"] is True
    assert data["scored"] == Opportunity.objects.filter(closed_at__isnull=True).count()
    metrics = data["metrics"]
    assert len(metrics["model"]["reliability"]) == 10
    assert len(metrics["stage_default"]["reliability"]) == 10
    assert metrics["model"]["brier"] < metrics["stage_default"]["brier"]
    assert "owner_win_rate" in data["features"]


@override_settings(RAPPORT_WIN_MODEL_MIN_CLOSED=100_000)
def test_too_few_closed_is_a_clear_problem(history: DemoResult, personas: Personas) -> None:
    response = client_for(personas.admin).post(TRAIN)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "closed_opportunities"
    assert error["code"] == "too_few_closed"
    assert "at least 100000 closed" in error["message"]
    assert "default probabilities stay in use" in error["message"]
    assert not WinProbabilityModel.objects.exists()
    assert client_for(personas.owner).get(WIN).json()["trained"] is False
