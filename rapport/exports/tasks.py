"""Background jobs of the export app."""

from __future__ import annotations

import logging

from django_tasks import task

from rapport.exports.choices import ExportStatus
from rapport.exports.models import Export

logger = logging.getLogger(__name__)


@task()
def export_run(export_id: int) -> str:
    """Write the file of one export job; returns its final status. Idempotent: a job already
    done is left alone."""
    # Imported here, not at the top: the framework's export action imports the services,
    # which import this task, and the replay below needs that framework module.
    from rapport.exports.services import export_fail, export_file_write
    from rapport.framework.api.export import export_queryset
    from rapport.framework.registry import get_record_type

    export = Export.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.status == ExportStatus.DONE:
        return export.status if export else "missing"
    export.status = ExportStatus.RUNNING
    export.save(update_fields=["status"])
    try:
        record_type = get_record_type(export.record_type)
        queryset = export_queryset(record_type, export.user, export.params.get("query", {}))
        export_file_write(export=export, record_type=record_type, queryset=queryset)
    except Exception as exc:
        logger.exception("export %s failed", export_id)
        export_fail(export=export, error=str(exc) or type(exc).__name__)
        raise
    return str(export.status)
