"""Writes of the export app: start an export job, and write its file."""

from __future__ import annotations

import tempfile
from typing import Any

from django.core.files import File
from django.db import models, transaction
from django.utils import timezone

from rapport.exports.choices import ExportFormat, ExportStatus, HeaderStyle
from rapport.exports.columns import ExportPlan
from rapport.exports.models import Export
from rapport.exports.tasks import export_run
from rapport.exports.writers import csv_write, xlsx_write
from rapport.framework.registry import RecordType


def export_start(
    *, user: Any, record_type: RecordType, export_format: ExportFormat, params: dict[str, Any]
) -> Export:
    """Record an export job and queue the background task that writes its file (after
    commit, so that the worker finds the row). ``params``: ``query`` (the list's query
    parameters, each a list of values), ``columns`` (keys) and ``header`` (a HeaderStyle)."""
    export = Export.objects.create(
        user=user, record_type=record_type.key, format=export_format, params=params
    )
    transaction.on_commit(lambda: export_run.enqueue(export_id=export.pk))
    return export


def export_file_write(
    *,
    export: Export,
    record_type: RecordType,
    queryset: models.QuerySet[Any],
) -> Export:
    """Write the file of ``export`` from ``queryset`` (already restricted and filtered) and
    mark the job done. A temporary file on local disk first: the storage may be remote."""
    params = export.params
    plan = ExportPlan(record_type, list(params.get("columns", [])) or None)
    header = plan.header(keys=params.get("header") == HeaderStyle.KEYS)
    rows = plan.rows(queryset, export.user)
    with tempfile.TemporaryFile() as out:
        if export.format == ExportFormat.XLSX:
            count = xlsx_write(out, title=record_type.key, header=header, rows=rows)
        else:
            count = csv_write(out, header=header, rows=rows)
        out.seek(0)
        export.file.save(f"{export.record_type}-{export.pk}.{export.format}", File(out), save=False)
    export.row_count = count
    export.status = ExportStatus.DONE
    export.finished_at = timezone.now()
    export.error = ""
    export.save()
    return export


def export_fail(*, export: Export, error: str) -> Export:
    export.status = ExportStatus.FAILED
    export.error = error
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "error", "finished_at"])
    return export
