"""Scheduled scoring: the learned model retrained weekly, every lead rescored nightly."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django_tasks import task

from rapport.core.schedule import schedule
from rapport.framework.actor import Actor
from rapport.scoring import services

logger = logging.getLogger(__name__)


@task()
def scoring_model_retrain() -> bool:
    """Retrain the learned lead score; False (and the reason logged) when there are too few
    decided leads, in which case the current model stays."""
    try:
        services.scoring_model_train(actor=Actor.system())
    except ValidationError as exc:
        logger.warning("lead scoring model not trained: %s", " ".join(exc.messages))
        return False
    return True


@task()
def scoring_leads_rescore() -> int:
    """Score every lead again; returns how many."""
    return services.leads_rescore(actor=Actor.system())


# Off the hour: Sundays at 04:29 the model, every night at 01:53 the scores (behaviour counts
# age: "calls in the last 30 days" changes without anyone saving the lead).
schedule.register(name="scoring.model_retrain", task=scoring_model_retrain, cron="29 4 * * 0")
schedule.register(name="scoring.leads_rescore", task=scoring_leads_rescore, cron="53 1 * * *")
