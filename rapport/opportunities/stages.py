"""Rules of stages: their default forecast category and the opportunity fields they require."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models.expressions import DatabaseDefault
from django.utils.translation import gettext as _

from rapport.forecasts.services import forecast_rollup_rebuild_later
from rapport.framework.actor import Actor
from rapport.opportunities.choices import ForecastCategory, StageKind
from rapport.opportunities.models import Opportunity, Stage

# Fields a stage cannot require: set by the system, or always present.
_NOT_REQUIRABLE = {
    "id",
    "pipeline",
    "stage",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "closed_at",
    "predicted_probability",
    "predicted_at",
    "stage_entered_at",
    "custom_fields",
    "tags",
}


# Stage fields the forecast rollup depends on.
_FORECAST_INPUTS = ("probability", "kind", "forecast_category")


def stage_forecast_category(*, kind: str, probability: int) -> ForecastCategory:
    """The forecast category of a stage that names none: won stages are closed, lost ones
    omitted; open ones by their probability (75 % and more commit, 40 % best case)."""
    if kind == StageKind.WON:
        return ForecastCategory.CLOSED
    if kind == StageKind.LOST:
        return ForecastCategory.OMITTED
    if probability >= 75:
        return ForecastCategory.COMMIT
    if probability >= 40:
        return ForecastCategory.BEST_CASE
    return ForecastCategory.PIPELINE


def requirable_fields() -> dict[str, models.Field[Any, Any]]:
    """The opportunity fields a stage may require, by name."""
    return {
        f.name: f
        for f in Opportunity._meta.concrete_fields
        if f.name not in _NOT_REQUIRABLE and f.editable
    }


def stage_prepare(*, actor: Actor, record: Stage, changed: set[str], **_kw: Any) -> None:
    """Required fields must be opportunity fields; the forecast category follows the kind
    (won: closed, lost: omitted) and defaults from the probability."""
    names = record.required_fields
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ValidationError(
            {
                "required_fields": ValidationError(
                    _("Give a list of opportunity field names."), code="invalid"
                )
            }
        )
    allowed = requirable_fields()
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise ValidationError(
            {
                "required_fields": ValidationError(
                    _("Not an opportunity field that a stage can require: %(names)s.")
                    % {"names": ", ".join(unknown)},
                    code="unknown_field",
                )
            }
        )
    record.required_fields = list(dict.fromkeys(names))
    if isinstance(record.forecast_category, DatabaseDefault):  # a new stage
        record.forecast_category = ""
    derived = stage_forecast_category(kind=record.kind, probability=record.probability or 0)
    if (
        record.kind != StageKind.OPEN
        or not record.forecast_category
        or (
            record.forecast_category in (ForecastCategory.CLOSED, ForecastCategory.OMITTED)
            and "forecast_category" not in changed
        )
    ):
        record.forecast_category = derived
    elif record.forecast_category in (ForecastCategory.CLOSED, ForecastCategory.OMITTED):
        raise ValidationError(
            {
                "forecast_category": ValidationError(
                    _("An open stage forecasts as pipeline, best case or commit."),
                    code="category_not_open",
                )
            }
        )


def stage_required_missing(record: Opportunity) -> list[tuple[str, str, str]]:
    """``(field, label, stage name)`` for each field the opportunity's stage requires that is
    empty."""
    stage = Stage.objects.filter(pk=record.stage_id).only("name", "required_fields").first()
    if stage is None or not stage.required_fields:
        return []
    fields = requirable_fields()
    missing = []
    for name in stage.required_fields:
        try:
            field = Opportunity._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if name not in fields:
            continue
        value = getattr(record, field.attname)  # type: ignore[union-attr]
        if value is None or value == "":
            label = str(getattr(field, "verbose_name", name))
            missing.append((name, label[:1].upper() + label[1:], stage.name))
    return missing


def stage_after_save(
    *, actor: Actor, record: Stage, created: bool, before: dict[str, Any] | None, **_kw: Any
) -> None:
    """A changed probability, kind or forecast category changes how the stage's opportunities
    count in the forecast: rebuild the rollup after the commit."""
    if created or before is None:
        return
    if any(before.get(name) != getattr(record, name) for name in _FORECAST_INPUTS):
        forecast_rollup_rebuild_later()
