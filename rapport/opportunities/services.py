"""Domain rules of opportunities: stage within the pipeline, probability and forecast
category following the stage, fields required per stage, close reasons, line items, stage
history, and the forecast rollup kept up to date on every write."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.expressions import DatabaseDefault
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rapport.forecasts.services import forecast_rollup_record_changed
from rapport.framework.actor import Actor
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_update
from rapport.opportunities.choices import ForecastCategory, StageKind
from rapport.opportunities.lines import opportunity_lines_price
from rapport.opportunities.models import CloseReason, Opportunity, Stage, StageHistory
from rapport.opportunities.selectors import stage_usage
from rapport.opportunities.stages import stage_forecast_category, stage_required_missing


def opportunity_prepare(
    *, actor: Actor, record: Opportunity, changed: set[str], **_kw: Any
) -> None:
    """The stage must belong to the pipeline; probability and forecast category follow the
    stage unless set; a close reason must fit the outcome. The stage entry time is stamped."""
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
    creating = record.pk is None
    if isinstance(record.forecast_category, DatabaseDefault):  # a new opportunity
        record.forecast_category = ""
    if (creating and record.probability is None) or (
        "stage" in changed and "probability" not in changed
    ):
        record.probability = stage.probability
    _forecast_category_follow(record, stage, changed)
    _close_reason_check(record, stage, changed, creating)
    if stage.kind == StageKind.OPEN:
        record.closed_at = None
    elif record.closed_at is None or "stage" in changed:
        record.closed_at = timezone.now()
    if creating or "stage" in changed:
        record.stage_entered_at = timezone.now()
    elif record.stage_entered_at is None:  # written in bulk (imports, demo data)
        record.stage_entered_at = (
            StageHistory.objects.filter(opportunity=record.pk, left_at__isnull=True)
            .values_list("entered_at", flat=True)
            .first()
        ) or record.created_at


def _forecast_category_follow(record: Opportunity, stage: Stage, changed: set[str]) -> None:
    """Closed stages decide the category; open ones give theirs unless the rep chose one."""
    stage_category = stage.forecast_category or stage_forecast_category(
        kind=stage.kind, probability=stage.probability
    )
    follow = (
        stage.kind != StageKind.OPEN
        or not record.forecast_category
        or ("stage" in changed and "forecast_category" not in changed)
    )
    if follow:
        record.forecast_category = stage_category
    elif record.forecast_category == ForecastCategory.CLOSED:
        if "forecast_category" in changed:
            raise ValidationError(
                {
                    "forecast_category": ValidationError(
                        _("Only a won opportunity forecasts as closed."),
                        code="category_not_open",
                    )
                }
            )
        record.forecast_category = stage_category  # reopened


def _close_reason_check(
    record: Opportunity, stage: Stage, changed: set[str], creating: bool
) -> None:
    """Lost deals need a reason when they are closed; a reason must be of the outcome's kind;
    reopening a deal clears it."""
    moving = creating or "stage" in changed
    if stage.kind == StageKind.OPEN:
        if moving and "close_reason" not in changed:
            record.close_reason = None
        elif record.close_reason_id is not None:
            raise ValidationError(
                {
                    "close_reason": ValidationError(
                        _("An open opportunity has no close reason."),
                        code="close_reason_not_closed",
                    )
                }
            )
        return
    if record.close_reason_id is None:
        if stage.kind == StageKind.LOST and (moving or "close_reason" in changed):
            raise ValidationError(
                {
                    "close_reason": ValidationError(
                        _("Choose why the opportunity was lost."), code="close_reason_required"
                    )
                }
            )
        return
    if moving or "close_reason" in changed:
        kind, active = (
            CloseReason.objects.filter(pk=record.close_reason_id)
            .values_list("kind", "active")
            .first()
        ) or ("", False)
        if kind != stage.kind:
            raise ValidationError(
                {
                    "close_reason": ValidationError(
                        _("This close reason is not one for a %(outcome)s opportunity.")
                        % {"outcome": StageKind(stage.kind).label.lower()},
                        code="close_reason_kind_mismatch",
                    )
                }
            )
        if not active and "close_reason" in changed:
            raise ValidationError(
                {
                    "close_reason": ValidationError(
                        _("This close reason is no longer in use: choose another."),
                        code="close_reason_inactive",
                    )
                }
            )


def opportunity_after_save(
    *,
    actor: Actor,
    record: Opportunity,
    created: bool,
    before: dict[str, Any] | None,
    children: dict[str, list[Any]] | None = None,
    **_kw: Any,
) -> None:
    """Price the line items and total them into the amount, check the fields the stage
    requires (here, once the lines are written: the amount may come from them), record the
    stage change in the history and refresh the forecast rollup."""
    opportunity_lines_price(record=record, written=(children or {}).get("lines"))
    missing = stage_required_missing(record)
    if missing:
        raise ValidationError(
            {
                name: ValidationError(
                    _("%(field)s is required in the stage “%(stage)s”.")
                    % {"field": label, "stage": stage_name},
                    code="required_for_stage",
                )
                for name, label, stage_name in missing
            }
        )
    if created or before is None or before.get("stage") != record.stage_id:
        StageHistory.objects.filter(opportunity=record, left_at__isnull=True).update(
            left_at=record.stage_entered_at
        )
        StageHistory.objects.create(
            opportunity=record,
            stage_id=record.stage_id,
            entered_at=record.stage_entered_at or timezone.now(),
            changed_by=actor.user,
        )
    forecast_rollup_record_changed(before=before, after=record)


def opportunity_before_delete(*, actor: Actor, record: Opportunity, **_kw: Any) -> None:
    """Take the opportunity out of the forecast rollup (same transaction as the delete)."""
    forecast_rollup_record_changed(before=record, after=None)


def competitors_clean(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An opportunity is lost to one competitor at most."""
    if sum(1 for row in rows if row.get("is_winner")) > 1:
        raise ValidationError(
            _("Only one competitor can have won the deal."), code="several_winners"
        )
    return rows


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
