"""Stages get the forecast category of their kind and probability; opportunities get the time
they entered their current stage from their open stage-history row."""

from typing import Any

from django.db import migrations
from django.db.models import OuterRef, Subquery


def _category(kind: str, probability: int) -> str:
    # the rule of rapport.opportunities.stages.stage_forecast_category, frozen here
    if kind == "won":
        return "closed"
    if kind == "lost":
        return "omitted"
    if probability >= 75:
        return "commit"
    if probability >= 40:
        return "best_case"
    return "pipeline"


def forwards(apps: Any, schema_editor: Any) -> None:
    Stage = apps.get_model("opportunities", "Stage")
    Opportunity = apps.get_model("opportunities", "Opportunity")
    StageHistory = apps.get_model("opportunities", "StageHistory")
    for stage in Stage.objects.filter(forecast_category=""):
        stage.forecast_category = _category(stage.kind, stage.probability)
        stage.save(update_fields=["forecast_category"])
    entered = (
        StageHistory.objects.filter(opportunity=OuterRef("pk"), left_at__isnull=True)
        .order_by("-entered_at")
        .values("entered_at")[:1]
    )
    Opportunity.objects.filter(stage_entered_at__isnull=True).update(
        stage_entered_at=Subquery(entered)
    )


class Migration(migrations.Migration):
    dependencies = [("opportunities", "0004_stage_rules_close_reasons_competitors_lines")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
