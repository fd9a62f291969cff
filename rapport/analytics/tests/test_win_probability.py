"""The win-probability model on pipelines generated from a known logistic model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rapport.analytics import win_probability as wp
from rapport.analytics.tests.synthetic import NOW, STAGES, synthetic_pipeline


@pytest.fixture(scope="module")
def trained() -> tuple[wp.PipelineData, wp.TrainingResult]:
    """Given 2,500 deals whose outcomes depend on owner skill, engagement and amount."""
    data = synthetic_pipeline(2500, seed=4)
    return data, wp.train(data, min_closed=200)


def test_calibrated_model_beats_the_stage_defaults(
    trained: tuple[wp.PipelineData, wp.TrainingResult],
) -> None:
    _data, result = trained
    metrics = result.metrics
    # Then the holdout Brier score is clearly better than the stage defaults'
    assert metrics["model"]["brier"] < metrics["stage_default"]["brier"]
    assert metrics["brier_skill_score"] > 0.2
    assert metrics["model"]["log_loss"] < metrics["stage_default"]["log_loss"]
    assert metrics["calibration"] == "sigmoid"  # about 5,000 training rows


def test_calibration_keeps_or_improves_the_brier_score(
    trained: tuple[wp.PipelineData, wp.TrainingResult],
) -> None:
    # Given the first pipeline and a second one from another seed
    results = [trained[1], wp.train(synthetic_pipeline(2500, seed=5), refit=False)]
    calibrated = [r.metrics["model"]["brier"] for r in results]
    raw = [r.metrics["uncalibrated_brier"] for r in results]
    # Then calibration never costs more than a hair (the booster may be calibrated already:
    # the calibrated folds learn from two thirds of the rows each) and helps on average
    for cal, unc in zip(calibrated, raw, strict=True):
        assert cal <= unc + 0.005
    assert sum(calibrated) < sum(raw)


def test_holdout_is_the_newest_fifth_of_closes(
    trained: tuple[wp.PipelineData, wp.TrainingResult],
) -> None:
    data, result = trained
    closes = np.sort(data.opportunities["closed"].dropna().to_numpy())
    newest = closes[int(len(closes) * 0.8) :]
    assert result.metrics["holdout_opportunities"] == len(newest)
    assert result.metrics["holdout_from"] == newest[0]
    bins = result.metrics["model"]["reliability"]
    assert len(bins) == 10
    assert sum(b["count"] for b in bins) == result.metrics["holdout_rows"]


def test_scoring_gives_a_probability_to_every_open_deal(
    trained: tuple[wp.PipelineData, wp.TrainingResult],
) -> None:
    data, result = trained
    ids, probabilities = wp.score(result.model_bytes, data, NOW)
    expected = data.opportunities.loc[data.opportunities["closed"].isna(), "id"].to_numpy()
    assert sorted(ids.tolist()) == sorted(expected.tolist())
    assert ((probabilities >= 0) & (probabilities <= 1)).all()


def test_too_few_closed_is_refused_with_the_counts() -> None:
    data = synthetic_pipeline(150, seed=2)
    closed = int(data.opportunities["closed"].notna().sum())
    with pytest.raises(wp.TrainingRefused) as caught:
        wp.train(data, min_closed=200)
    assert f"{closed} closed" in str(caught.value)
    assert "at least 200 closed with 30 of each outcome" in str(caught.value)


def test_owner_rate_uses_only_earlier_closes() -> None:
    # Given owner 1 who won at t=10 and lost at t=20, and owner 2 who won at t=15
    opps = pd.DataFrame({"owner": [1, 1, 2], "closed": [10.0, 20.0, 15.0], "won": [1.0, 0.0, 1.0]})
    owners = np.array([1, 1, 1, 2])
    at = np.array([5.0, 10.0, 25.0, 25.0])
    rate, count = wp._owner_rates(opps, owners, at)
    # Then nothing is known before the first close (the prior is 0.5), a close at exactly
    # the snapshot time is not yet known, and later the record is smoothed to the prior
    assert count.tolist() == [0, 0, 2, 1]
    assert rate[0] == pytest.approx(0.5)
    assert rate[1] == pytest.approx(0.5)
    prior = 2 / 3  # two of the three closes before t=25 were won
    assert rate[2] == pytest.approx((1 + 10 * prior) / (2 + 10))
    assert rate[3] == pytest.approx((1 + 10 * prior) / (1 + 10))


def test_activity_counts_stop_at_the_snapshot() -> None:
    day = wp.DAY
    activities = pd.DataFrame(
        {"opportunity": [7, 7, 7, 9], "at": [1 * day, 40 * day, 50 * day, 45 * day]}
    )
    ids = np.array([7, 7, 9, 8])
    at = np.array([45 * day, 50 * day, 44 * day, 60 * day])
    total, recent = wp._activity_counts(activities, ids, at)
    assert total.tolist() == [2, 3, 0, 0]
    assert recent.tolist() == [1, 2, 0, 0]


def test_reliability_bins_by_hand() -> None:
    predicted = np.array([0.05, 0.05, 0.55, 0.95, 1.0])
    observed = np.array([0.0, 1.0, 1.0, 1.0, 0.0])
    bins = wp.reliability_bins(predicted, observed)
    assert [b["count"] for b in bins] == [2, 0, 0, 0, 0, 1, 0, 0, 0, 2]
    assert bins[0]["mean_predicted"] == pytest.approx(0.05)
    assert bins[0]["observed"] == pytest.approx(0.5)
    assert bins[1]["observed"] is None
    assert bins[9]["mean_predicted"] == pytest.approx(0.975)


def test_small_training_sets_use_sigmoid_calibration() -> None:
    assert wp.calibration_method(wp.ISOTONIC_MIN_ROWS - 1) == "sigmoid"
    assert wp.calibration_method(wp.ISOTONIC_MIN_ROWS) == "isotonic"
    assert set(STAGES["probability"]) == {0, 10, 20, 50, 75, 100}
