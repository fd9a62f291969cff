"""Scheduled forecasts: the win-probability model retrained weekly (and the open deals scored
with it), the open deals rescored nightly (their age and activity counts change daily)."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django_tasks import task

from rapport.core.schedule import schedule
from rapport.framework.actor import Actor
from rapport.predictions import services

logger = logging.getLogger(__name__)


@task()
def win_model_retrain() -> bool:
    """Train the model and score the open opportunities; False (the reason logged) when there
    are too few closed opportunities: the current model or the stage defaults stay."""
    try:
        services.win_model_train(actor=Actor.system())
    except ValidationError as exc:
        logger.warning("win-probability model not trained: %s", " ".join(exc.messages))
        return False
    services.win_probabilities_score(actor=Actor.system())
    return True


@task()
def win_probabilities_rescore() -> int:
    """Score every open opportunity with the current model; returns how many."""
    return services.win_probabilities_score(actor=Actor.system())


# Off the hour and away from the other nightly jobs: Mondays at 03:41 the model, every night
# at 02:11 the scores.
schedule.register(name="predictions.win_model_retrain", task=win_model_retrain, cron="41 3 * * 1")
schedule.register(
    name="predictions.win_probabilities_rescore", task=win_probabilities_rescore, cron="11 2 * * *"
)
