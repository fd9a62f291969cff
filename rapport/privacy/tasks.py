"""The daily retention job."""

from __future__ import annotations

from django_tasks import task

from rapport.core.schedule import schedule
from rapport.framework.actor import Actor
from rapport.privacy.services import retention_apply


@task()
def privacy_retention_apply() -> int:
    """Apply the retention rules; returns the number of persons anonymised or deleted."""
    return len(retention_apply(actor=Actor.system()).items)


schedule.register(name="privacy.retention_apply", task=privacy_retention_apply, cron="37 2 * * *")
