"""Training and scoring the win-probability model on the live database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test.utils import override_settings

from conftest import Personas
from rapport.demo.plan import DemoResult
from rapport.framework.actor import Actor
from rapport.framework.exceptions import RecordPermissionDenied
from rapport.opportunities.models import Opportunity
from rapport.predictions.models import WinProbabilityModel
from rapport.predictions.services import win_model_train, win_probabilities_score


def test_training_and_scoring_beat_the_stage_defaults(history: DemoResult) -> None:
    # Given the demo's closed deals, whose outcomes depend on owner, engagement and amount
    open_count = Opportunity.objects.filter(closed_at__isnull=True).count()
    # When the model is trained and the open deals scored
    model = win_model_train(actor=Actor.system())
    scored = win_probabilities_score(actor=Actor.system())
    # Then the holdout shows it beats the stage defaults, and every open deal has a probability
    metrics = model.metrics
    assert metrics["model"]["brier"] < metrics["stage_default"]["brier"]
    assert metrics["brier_skill_score"] > 0
    assert sum(b["count"] for b in metrics["model"]["reliability"]) == metrics["holdout_rows"]
    assert (
        sum(b["count"] for b in metrics["stage_default"]["reliability"])
        == (metrics["holdout_rows"])
    )
    assert scored == open_count
    open_opps = Opportunity.objects.filter(closed_at__isnull=True)
    assert not open_opps.filter(predicted_probability__isnull=True).exists()
    assert not open_opps.filter(predicted_probability__lt=0).exists()
    assert not open_opps.filter(predicted_probability__gt=1).exists()
    assert not Opportunity.objects.filter(
        closed_at__isnull=False, predicted_probability__isnull=False
    ).exists()


def test_scoring_takes_a_bounded_number_of_queries(
    history: DemoResult, django_assert_max_num_queries: object
) -> None:
    # Given a trained model
    win_model_train(actor=Actor.system())
    open_count = Opportunity.objects.filter(closed_at__isnull=True).count()
    # When every open deal is scored, then the queries do not grow with the deals
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        assert win_probabilities_score(actor=Actor.system()) == open_count


@override_settings(RAPPORT_WIN_MODEL_MIN_CLOSED=100_000)
def test_too_few_closed_is_refused_and_the_stage_defaults_stay(history: DemoResult) -> None:
    # Given fewer closed deals than the minimum
    closed = Opportunity.objects.filter(closed_at__isnull=False).count()
    # When training is attempted
    with pytest.raises(ValidationError) as caught:
        win_model_train(actor=Actor.system())
    # Then the refusal names the counts, no model exists and scoring changes nothing
    error = caught.value.error_dict["closed_opportunities"][0]
    assert error.code == "too_few_closed"
    assert f"{closed} closed" in error.messages[0]
    assert "at least 100000 closed" in error.messages[0]
    assert "default probabilities stay in use" in error.messages[0]
    assert not WinProbabilityModel.objects.exists()
    assert win_probabilities_score(actor=Actor.system()) == 0
    assert not Opportunity.objects.filter(predicted_probability__isnull=False).exists()


def test_only_administrators_train(history: DemoResult, personas: Personas) -> None:
    # When a sales rep tries to train, then it is refused and nothing is saved
    with pytest.raises(RecordPermissionDenied):
        win_model_train(actor=Actor(user=personas.owner))
    with pytest.raises(RecordPermissionDenied):
        win_probabilities_score(actor=Actor(user=personas.manager))
    assert not WinProbabilityModel.objects.exists()
    assert not Opportunity.objects.filter(predicted_probability__isnull=False).exists()
    # And an administrator may
    model = win_model_train(actor=Actor(user=personas.admin))
    assert model.trained_by == personas.admin
