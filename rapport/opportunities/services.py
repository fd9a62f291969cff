"""Domain rules of opportunities: stage within the pipeline, probability, stage history."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.framework.actor import Actor
from rapport.opportunities.choices import StageKind
from rapport.opportunities.models import Opportunity, Stage, StageHistory


def opportunity_prepare(
    *, actor: Actor, record: Opportunity, changed: set[str], **_kw: Any
) -> None:
    """The stage must belong to the pipeline; probability follows the stage unless set."""
    if record.stage_id is None or record.pipeline_id is None:
        return
    stage = Stage.objects.get(pk=record.stage_id)
    if stage.pipeline_id != record.pipeline_id:
        raise ValidationError(
            {
                "stage": ValidationError(
                    _("The stage “%(stage)s” is not part of the opportunity's pipeline.")
                    % {"stage": stage.name},
                    code="stage_not_in_pipeline",
                )
            }
        )
    if (record.pk is None and record.probability is None) or (
        "stage" in changed and "probability" not in changed
    ):
        record.probability = stage.probability
    if stage.kind == StageKind.OPEN:
        record.closed_at = None
    elif record.closed_at is None or "stage" in changed:
        record.closed_at = timezone.now()


def opportunity_after_save(
    *, actor: Actor, record: Opportunity, created: bool, before: dict[str, Any] | None, **_kw: Any
) -> None:
    """Close the open stage-history row and open one for the new stage."""
    if not created and before is not None and before.get("stage") == record.stage_id:
        return
    now = timezone.now()
    StageHistory.objects.filter(opportunity=record, left_at__isnull=True).update(left_at=now)
    StageHistory.objects.create(
        opportunity=record, stage_id=record.stage_id, entered_at=now, changed_by=actor.user
    )
