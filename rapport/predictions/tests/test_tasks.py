"""The scheduled jobs: weekly training (then scoring), nightly scoring."""

from __future__ import annotations

from django.test.utils import override_settings

from rapport.core.schedule import schedule_autodiscover
from rapport.demo.plan import DemoResult
from rapport.opportunities.models import Opportunity
from rapport.predictions.models import WinProbabilityModel
from rapport.predictions.tasks import win_model_retrain, win_probabilities_rescore


def test_jobs_are_registered() -> None:
    jobs = {job.name: job for job in schedule_autodiscover()}
    assert jobs["predictions.win_model_retrain"].task is win_model_retrain
    assert jobs["predictions.win_model_retrain"].cron == "41 3 * * 1"  # weekly
    assert jobs["predictions.win_probabilities_rescore"].task is win_probabilities_rescore
    assert jobs["predictions.win_probabilities_rescore"].cron == "11 2 * * *"  # nightly


@override_settings(RAPPORT_WIN_MODEL_MIN_CLOSED=100_000)
def test_weekly_job_with_too_few_closed_keeps_the_stage_defaults(history: DemoResult) -> None:
    assert win_model_retrain.call() is False
    assert win_probabilities_rescore.call() == 0
    assert not WinProbabilityModel.objects.exists()
    assert not Opportunity.objects.filter(predicted_probability__isnull=False).exists()


def test_weekly_job_trains_and_scores(history: DemoResult) -> None:
    assert win_model_retrain.call() is True
    open_count = Opportunity.objects.filter(closed_at__isnull=True).count()
    assert Opportunity.objects.filter(predicted_probability__isnull=False).count() == open_count
    assert win_probabilities_rescore.call() == open_count
