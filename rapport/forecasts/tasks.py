"""The nightly full rebuild of the forecast rollup (repairs what incremental refreshes cannot
see: changed exchange rates, stage probabilities or categories)."""

from __future__ import annotations

from django_tasks import task

from rapport.core.schedule import schedule
from rapport.forecasts.rollup import rollup_rebuild


@task()
def forecast_rollup_rebuild() -> int:
    """Rebuild the rollup; the number of rollup rows."""
    return rollup_rebuild()


schedule.register(name="forecasts.rollup_rebuild", task=forecast_rollup_rebuild, cron="40 2 * * *")
