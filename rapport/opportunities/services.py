"""Domain rules of opportunities: stage within the pipeline, probability, stage history."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rapport.framework.actor import Actor
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_update
from rapport.opportunities.choices import StageKind
from rapport.opportunities.models import Opportunity, Stage, StageHistory
from rapport.opportunities.selectors import stage_usage


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


def stage_delete_check(*, actor: Actor, record: Stage, **_kw: Any) -> None:
    """A stage that opportunities are in, or passed through, cannot be deleted."""
    used = stage_usage(record)
    if used:
        raise ValidationError(
            ngettext(
                "The stage %(name)s cannot be deleted: %(count)d opportunity is in it or "
                "passed through it. Move it to another stage first.",
                "The stage %(name)s cannot be deleted: %(count)d opportunities are in it or "
                "passed through it. Move them to another stage first.",
                used,
            )
            % {"name": record.name, "count": used},
            code="stage_in_use",
        )


@transaction.atomic
def stage_move(*, actor: Actor, stage: Stage, offset: int) -> None:
    """Move ``stage`` ``offset`` places (-1 up, +1 down) among its pipeline's stages; the
    stages are renumbered 0, 1, 2, ... so that equal positions cannot hide the order."""
    stages = list(Stage.objects.filter(pipeline=stage.pipeline_id).order_by("position", "id"))
    index = next(i for i, s in enumerate(stages) if s.pk == stage.pk)
    target = index + offset
    if not 0 <= target < len(stages):
        return
    stages[index], stages[target] = stages[target], stages[index]
    record_type = get_record_type("stages")
    for position, each in enumerate(stages):
        if each.position != position:
            record_update(
                actor=actor, record_type=record_type, record=each, data={"position": position}
            )


def opportunity_close(
    *,
    actor: Actor,
    opportunity: Opportunity,
    outcome: str,
    data: dict[str, Any] | None = None,
) -> Opportunity:
    """Move ``opportunity`` to the first stage of kind ``outcome`` (won or lost) of its
    pipeline, with ``data`` (a lost reason, ...) written in the same update."""
    if outcome not in (StageKind.WON, StageKind.LOST):
        raise ValueError(f"outcome must be won or lost, not {outcome!r}")
    stage = (
        Stage.objects.filter(pipeline=opportunity.pipeline_id, kind=outcome)
        .order_by("position", "id")
        .first()
    )
    if stage is None:
        raise ValidationError(
            {
                "stage": ValidationError(
                    _("The pipeline has no stage for this outcome."), code="no_closing_stage"
                )
            }
        )
    record_type = get_record_type("opportunities")
    updated = record_update(
        actor=actor,
        record_type=record_type,
        record=opportunity,
        data={**(data or {}), "stage": stage},
    )
    return cast(Opportunity, updated)
