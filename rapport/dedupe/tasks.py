"""Background jobs of the duplicate review queue and their place in the periodic schedule."""

from __future__ import annotations

from django_tasks import task

from rapport.core.schedule import schedule
from rapport.dedupe.choices import DuplicateRecordType, DuplicateScanStatus
from rapport.dedupe.models import DuplicateScan


@task()
def duplicate_scan(scan_id: int) -> str:
    """Run one scan created by ``duplicate_scan_start``; returns its final status. Idempotent:
    a scan that is not waiting to run is left alone."""
    # Imported here, not at the top: the services import this task.
    from rapport.dedupe.services import duplicate_scan_execute

    scan = DuplicateScan.objects.filter(pk=scan_id).first()
    if scan is None or scan.status != DuplicateScanStatus.RUNNING or scan.finished_at:
        return scan.status if scan else "missing"
    return str(duplicate_scan_execute(scan=scan).status)


@task()
def duplicate_scan_weekly() -> list[int]:
    """Scan contacts and leads; returns the ids of the two scans."""
    from rapport.dedupe.services import duplicate_scan_run

    return [duplicate_scan_run(record_type=t).pk for t in DuplicateRecordType.values]


# Sunday night, off the hour: the scan reads every contact and lead.
schedule.register(name="dedupe.duplicate_scan", task=duplicate_scan_weekly, cron="37 2 * * 0")
