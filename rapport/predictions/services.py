"""Writes of the learned forecasts: training the win-probability model and scoring the open
opportunities with it.

Predicted probabilities are derived values, recomputed nightly from the opportunity, its
history and the model of the day. They are written in bulk, outside the framework's record
services and so without change-log rows or events: a nightly rewrite of every open deal
would bury the real changes in the log (and the value can always be recomputed).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.analytics import win_probability
from rapport.framework.actor import Actor
from rapport.framework.choices import ActorKind
from rapport.framework.exceptions import RecordPermissionDenied
from rapport.opportunities.models import Opportunity
from rapport.predictions import selectors
from rapport.predictions.models import WinProbabilityModel

SCORE_BATCH = 5000
MODELS_KEPT = 5


def _require_admin(actor: Actor) -> None:
    """Scheduled jobs and administrators only: these read and write every opportunity."""
    if actor.read_only:
        raise RecordPermissionDenied(_("This API token is read-only."), code="read_only_token")
    if actor.kind in (ActorKind.JOB, ActorKind.SYSTEM):
        return
    if actor.user is None or not actor.user.is_active or not actor.user.is_superuser:
        raise RecordPermissionDenied(
            _("Only administrators may train the win-probability model or rescore."),
            code="admin_only",
        )


def _refused(message: str) -> ValidationError:
    return ValidationError(
        {"closed_opportunities": ValidationError(message, code="too_few_closed")}
    )


def win_model_check(*, actor: Actor) -> None:
    """Refuse early (permission, too few closed opportunities) before a training is queued."""
    _require_admin(actor)
    closed, won, lost = selectors.closed_counts()
    minimum = int(settings.RAPPORT_WIN_MODEL_MIN_CLOSED)
    each = win_probability.MIN_EACH_OUTCOME
    if closed < minimum or won < each or lost < each:
        raise _refused(
            _(
                "Not enough closed opportunities to learn from: %(closed)s closed (%(won)s won, "
                "%(lost)s lost); at least %(minimum)s closed with %(each)s of each outcome are "
                "needed. The stages' default probabilities stay in use."
            )
            % {"closed": closed, "won": won, "lost": lost, "minimum": minimum, "each": each}
        )


def win_model_train(*, actor: Actor) -> WinProbabilityModel:
    """Train the win-probability model on every closed opportunity and save it.

    Refused (``ValidationError`` on ``closed_opportunities``, code ``too_few_closed``) below
    ``RAPPORT_WIN_MODEL_MIN_CLOSED`` closed opportunities or 30 of either outcome; the
    current model, or the stage defaults, stay in use. Keeps the last ``MODELS_KEPT`` models.
    """
    win_model_check(actor=actor)
    started = time.monotonic()
    data = selectors.training_data()
    try:
        result = win_probability.train(data, min_closed=int(settings.RAPPORT_WIN_MODEL_MIN_CLOSED))
    except win_probability.TrainingRefused as exc:
        raise _refused(str(exc)) from exc
    with transaction.atomic():
        model = WinProbabilityModel.objects.create(
            trained_by=actor.user if actor.kind == ActorKind.USER else None,
            model=result.model_bytes,
            metrics=result.metrics,
            closed_count=result.closed_count,
            training_rows=result.training_rows,
            features=result.features,
            seconds=round(time.monotonic() - started, 2),
        )
        old = WinProbabilityModel.objects.order_by("-trained_at", "-id").values_list(
            "id", flat=True
        )[MODELS_KEPT:]
        WinProbabilityModel.objects.filter(id__in=list(old)).delete()
    return model


def _write(rows: Sequence[tuple[float, Any, int]]) -> None:
    table = connection.ops.quote_name(Opportunity._meta.db_table)
    probability = connection.ops.quote_name("predicted_probability")
    at = connection.ops.quote_name("predicted_at")
    sql = f"UPDATE {table} SET {probability} = %s, {at} = %s WHERE id = %s"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), SCORE_BATCH):
            cursor.executemany(sql, rows[start : start + SCORE_BATCH])


def win_probabilities_score(*, actor: Actor, now: datetime | None = None) -> int:
    """Set ``predicted_probability`` of every open opportunity from the current model.

    Without a model nothing changes and 0 is returned: the stage defaults stay the
    probabilities. Closed opportunities lose their prediction (the outcome is known).
    Returns how many opportunities were scored.
    """
    _require_admin(actor)
    model = selectors.current_model()
    if model is None:
        return 0
    moment = now or timezone.now()
    data = selectors.scoring_data()
    ids, probabilities = win_probability.score(bytes(model.model), data, moment.timestamp())
    stamp = connection.ops.adapt_datetimefield_value(moment.replace(microsecond=0))
    rows = [
        (round(float(p), 4), stamp, int(pk))
        for pk, p in zip(ids.tolist(), probabilities.tolist(), strict=True)
    ]
    with transaction.atomic():
        _write(rows)
        Opportunity.objects.filter(
            closed_at__isnull=False, predicted_probability__isnull=False
        ).update(predicted_probability=None, predicted_at=None)
    return len(rows)
