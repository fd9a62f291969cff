"""Background jobs of the import app."""

from __future__ import annotations

import logging

from django_tasks import task

from rapport.core.schedule import schedule
from rapport.imports.choices import ImportStatus
from rapport.imports.models import ImportJob

logger = logging.getLogger(__name__)


@task()
def import_run(job_id: int) -> str:
    """Import the rows of one job; returns its final status. Idempotent: a job that is not
    waiting to run is left alone."""
    # Imported here, not at the top: the services import this task.
    from rapport.imports.services import import_execute, import_fail

    job = ImportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.status != ImportStatus.RUNNING or job.rows.exists():
        return job.status if job else "missing"
    try:
        import_execute(job=job)
    except Exception as exc:
        logger.exception("import %s failed", job_id)
        import_fail(job=job, error=str(exc) or type(exc).__name__)
        raise
    return str(job.status)


@task()
def imports_stalled_check() -> int:
    """Fail the imports whose worker died, so that they can be undone."""
    from rapport.imports.services import imports_stalled_fail

    return imports_stalled_fail()


schedule.register(name="imports.stalled_check", task=imports_stalled_check, cron="*/5 * * * *")
