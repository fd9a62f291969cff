"""Writes of the import app: upload and preview a file, run the import, undo it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.framework.actor import Actor
from rapport.framework.bulk import bounded_mapping, insert_rows
from rapport.framework.checkpoints import background_checkpoints
from rapport.framework.choices import ActorKind, Channel
from rapport.framework.exceptions import RecordNotFound, RecordPermissionDenied
from rapport.framework.registry import RecordType, get_record_type
from rapport.framework.services import record_delete
from rapport.imports.choices import (
    PREVIEW_ROWS,
    DuplicatePolicy,
    ImportStatus,
    RowAction,
)
from rapport.imports.fast import BATCH_ROWS, fast_import_for
from rapport.imports.mapping import mapping_errors, propose_mapping
from rapport.imports.models import ImportJob, ImportRow
from rapport.imports.readers import ImportFileError, SourceRow, Table, open_table
from rapport.imports.rows import RowOutcome, RowWriter
from rapport.imports.tasks import import_run

# The most of an SQLite database file a running import maps into memory (see bounded_mapping).
IMPORT_MMAP_BYTES = 64 * 1024 * 1024
# Rows between two progress updates of a running job.
PROGRESS_EVERY = 100


class _PreviewRollback(Exception):
    """Raised to roll back the trial write of a preview."""


@dataclass(frozen=True)
class UndoResult:
    removed: int
    restored: int
    failed: dict[int, str]


def import_actor(user: Any) -> Actor:
    return Actor(user=user, kind=ActorKind.IMPORT, channel=Channel.IMPORT)


@contextmanager
def _job_table(job: ImportJob) -> Iterator[Table]:
    name = job.original_name or job.file.name or ""
    with job.file.open("rb") as handle, open_table(handle, name) as table:
        yield table


def _outcome_json(outcome: RowOutcome) -> dict[str, Any]:
    return {
        "row": outcome.number,
        "status": "error" if outcome.action == RowAction.REJECTED else "ok",
        "action": outcome.action.value,
        "errors": outcome.errors,
        "warnings": outcome.warnings,
    }


def import_preview(*, job: ImportJob) -> ImportJob:
    """Validate the first rows of ``job``'s file under its mapping and policy, by writing
    them for real inside a transaction that is then rolled back: nothing stays written, and
    every rule the import would apply has been checked. Like a run, it maps little of an
    SQLite file: the batch writer reads every stored email once."""
    record_type = get_record_type(job.record_type)
    preview: list[dict[str, Any]] = []
    try:
        with bounded_mapping(IMPORT_MMAP_BYTES), transaction.atomic():
            with _job_table(job) as table:
                writer = _writer(job, record_type, table)
                rows = list(islice(table.rows(), PREVIEW_ROWS))
                fast = fast_import_for(writer)
                outcomes = fast.write_batch(rows) if fast else [writer.write(row) for row in rows]
                preview = [_outcome_json(outcome) for outcome in outcomes]
            raise _PreviewRollback
    except _PreviewRollback:
        pass
    job.preview = preview
    job.status = ImportStatus.PREVIEWED
    job.save(update_fields=["preview", "status"])
    return job


def _writer(job: ImportJob, record_type: RecordType, table: Table) -> RowWriter:
    return RowWriter(
        record_type=record_type,
        headers=table.info.headers,
        mapping=job.mapping,
        policy=DuplicatePolicy(job.duplicate_policy),
        actor=import_actor(job.user),
    )


def _check_mapping(job: ImportJob, record_type: RecordType) -> None:
    errors = mapping_errors(job.mapping, job.headers, record_type)
    if errors:
        raise ValidationError({"mapping": errors}, code="invalid_mapping")


def import_create(
    *,
    user: Any,
    record_type: RecordType,
    upload: UploadedFile | File[Any],
    name: str,
    mapping: dict[str, str] | None = None,
    duplicate_policy: DuplicatePolicy = DuplicatePolicy.SKIP,
) -> ImportJob:
    """Store an uploaded file as an import job, read its headers, propose (or check) the
    column mapping and preview its first rows. Raises ImportFileError for an unreadable
    file and ValidationError for a mapping that cannot be used; nothing is kept then."""
    upload.seek(0)
    with open_table(upload, name) as table:  # type: ignore[arg-type]
        info = table.info
    upload.seek(0)
    proposed = propose_mapping(info.headers, record_type)
    job = ImportJob(
        user=user,
        record_type=record_type.key,
        original_name=name[:255],
        encoding=info.encoding,
        delimiter=info.delimiter,
        headers=info.headers,
        mapping={**proposed, **(mapping or {})},
        duplicate_policy=duplicate_policy,
    )
    _check_mapping(job, record_type)
    job.file.save(name, upload, save=False)
    job.save()
    return import_preview(job=job)


def import_update(
    *,
    job: ImportJob,
    mapping: dict[str, str] | None = None,
    duplicate_policy: DuplicatePolicy | None = None,
) -> ImportJob:
    """Change the mapping or the duplicate policy of a job not yet run, and preview again."""
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED):
        raise ValidationError(_("This import has already run."), code="already_run")
    if mapping is not None:
        job.mapping = {**job.mapping, **mapping}
    if duplicate_policy is not None:
        job.duplicate_policy = duplicate_policy
    _check_mapping(job, get_record_type(job.record_type))
    job.save(update_fields=["mapping", "duplicate_policy"])
    return import_preview(job=job)


def import_start(*, job: ImportJob) -> ImportJob:
    """Queue the background task that runs ``job`` (after commit, so the worker finds it)."""
    updated = ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportStatus.UPLOADED, ImportStatus.PREVIEWED]
    ).update(status=ImportStatus.RUNNING, processed_count=0, heartbeat_at=timezone.now())
    if not updated:
        raise ValidationError(_("This import has already run."), code="already_run")
    job.status = ImportStatus.RUNNING
    transaction.on_commit(lambda: import_run.enqueue(job_id=job.pk))
    return job


class _ErrorFile:
    """The rejected rows as CSV: row number, the original cells, then the reason."""

    def __init__(self, headers: list[str]) -> None:
        # Closed by save_to(), at the end of the run.
        self.file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self.text = io.TextIOWrapper(self.file, encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.text)
        self.writer.writerow([_("row"), *headers, _("error")])
        self.count = 0

    def add(self, cells: list[str], outcome: RowOutcome) -> None:
        self.writer.writerow([outcome.number, *map(_neutralise, cells), outcome.message])
        self.count += 1

    def save_to(self, job: ImportJob) -> None:
        self.text.flush()
        self.file.seek(0)
        if self.count:
            job.error_file.save(f"import-{job.pk}-errors.csv", File(self.file), save=False)
        self.text.close()


def _neutralise(text: str) -> str:
    """Cells a spreadsheet would run as a formula get a leading quote in the error file."""
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def _count_rows(job: ImportJob) -> int:
    with _job_table(job) as table:
        return sum(1 for _row in table.rows())


_IMPORT_ROW_COLUMNS = ("job_id", "row_number", "action", "record_id", "before", "error", "warnings")


def _import_row_values(job: ImportJob, outcome: RowOutcome) -> tuple[Any, ...]:
    """What an import row keeps of ``outcome`` (``_IMPORT_ROW_COLUMNS``): enough to undo it."""
    return (
        job.pk,
        outcome.number,
        outcome.action,
        outcome.record_id,
        outcome.before,
        outcome.message,
        outcome.warnings,
    )


def _import_row(job: ImportJob, outcome: RowOutcome) -> ImportRow:
    return ImportRow(
        **dict(zip(_IMPORT_ROW_COLUMNS, _import_row_values(job, outcome), strict=True))
    )


def _import_rows_insert(job: ImportJob, outcomes: list[RowOutcome]) -> None:
    """The rows of a batch, as ``_import_row`` makes them, in one statement."""
    insert_rows(ImportRow, _IMPORT_ROW_COLUMNS, (_import_row_values(job, o) for o in outcomes))


def _row_save(
    job: ImportJob,
    row: SourceRow,
    outcome: RowOutcome,
    counts: dict[RowAction, int],
    errors: _ErrorFile,
    *,
    save: bool = True,
) -> None:
    """Count one row's outcome, keep it (unless the caller saves it in bulk) and add a
    rejected row to the error file."""
    counts[outcome.action] += 1
    if save:
        _import_row(job, outcome).save()
    if outcome.action == RowAction.REJECTED:
        errors.add(row.cells, outcome)
    job.processed_count += 1


def import_execute(*, job: ImportJob) -> ImportJob:
    """Import every row of ``job``'s file; rejected rows are kept with their reason and
    written to the job's error file. Contacts go through the batch writer (a transaction per
    batch, same outcome), other record types row by row, each in its own savepoint."""
    record_type = get_record_type(job.record_type)
    job.status = ImportStatus.RUNNING
    job.heartbeat_at = timezone.now()
    job.total_count = _count_rows(job)
    job.processed_count = 0
    counts = dict.fromkeys(RowAction, 0)
    job.save(update_fields=["status", "total_count", "processed_count", "heartbeat_at"])
    with (
        _job_table(job) as table,
        bounded_mapping(IMPORT_MMAP_BYTES),
        background_checkpoints() as checkpoint,
    ):
        writer = _writer(job, record_type, table)
        errors = _ErrorFile(table.info.headers)
        fast = fast_import_for(writer)
        if fast is None:
            for row in table.rows():
                # The record and the row that can undo it commit together: a worker that
                # dies between rows leaves nothing undo cannot find.
                with transaction.atomic():
                    outcome = writer.write(row)
                    _row_save(job, row, outcome, counts, errors)
                if job.processed_count % PROGRESS_EVERY == 0:
                    _progress_save(job)
                    checkpoint()
        else:
            rows = table.rows()
            while batch := list(islice(rows, BATCH_ROWS)):
                fast.reserve(len(batch))
                with transaction.atomic():
                    outcomes = fast.write_batch(batch)
                    _import_rows_insert(job, outcomes)
                for row, outcome in zip(batch, outcomes, strict=True):
                    _row_save(job, row, outcome, counts, errors, save=False)
                checkpoint()
                _progress_save(job)
        errors.save_to(job)
    job.total_count = job.processed_count
    job.created_count = counts[RowAction.CREATED]
    job.updated_count = counts[RowAction.UPDATED]
    job.skipped_count = counts[RowAction.SKIPPED]
    job.rejected_count = counts[RowAction.REJECTED]
    job.status = ImportStatus.DONE
    job.finished_at = timezone.now()
    job.error = ""
    job.save()
    return job


def _progress_save(job: ImportJob) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        processed_count=job.processed_count, heartbeat_at=timezone.now()
    )


def import_is_stalled(job: ImportJob, *, now: dt.datetime | None = None) -> bool:
    """True when ``job`` says it is running but its worker has given no sign of life for
    RAPPORT_IMPORT_STALL_MINUTES: the worker died (killed, out of memory, machine restart)."""
    if job.status != ImportStatus.RUNNING:
        return False
    last = job.heartbeat_at or job.created_at
    limit = dt.timedelta(minutes=settings.RAPPORT_IMPORT_STALL_MINUTES)
    return (now or timezone.now()) - last > limit


def imports_stalled_fail(*, now: dt.datetime | None = None) -> int:
    """Mark every stalled import failed, so that its user sees why and can undo the rows it
    wrote; returns how many. Run by the scheduler and before an undo."""
    failed = 0
    for job in ImportJob.objects.filter(status=ImportStatus.RUNNING):
        if import_is_stalled(job, now=now):
            import_fail(
                job=job,
                error=_(
                    "The import stopped before the end: no worker has run it for "
                    "%(minutes)d minutes. The rows it wrote can be undone."
                )
                % {"minutes": settings.RAPPORT_IMPORT_STALL_MINUTES},
            )
            failed += 1
    return failed


def import_fail(*, job: ImportJob, error: str) -> ImportJob:
    job.status = ImportStatus.FAILED
    job.error = error
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    return job


def import_undo(*, job: ImportJob, user: Any) -> UndoResult:
    """Remove the records ``job`` created and restore the ones it updated, newest first,
    through the services (so the change log shows the undo). A row that cannot be undone
    (the record was deleted since, or others now refer to it) is reported and left."""
    if import_is_stalled(job):
        imports_stalled_fail()
        job.refresh_from_db()
    if job.status not in (ImportStatus.DONE, ImportStatus.FAILED):
        raise ValidationError(_("Only a finished import can be undone."), code="not_done")
    record_type = get_record_type(job.record_type)
    actor = import_actor(user)
    writer = RowWriter(
        record_type=record_type,
        headers=[],
        mapping={},
        policy=DuplicatePolicy.UPDATE,
        actor=actor,
    )
    model: type[models.Model] = record_type.model
    removed = restored = 0
    failed: dict[int, str] = {}
    rows = job.rows.filter(action__in=[RowAction.CREATED, RowAction.UPDATED]).order_by(
        "-row_number"
    )
    for import_row in rows:
        try:
            with transaction.atomic():
                record = model._default_manager.filter(pk=import_row.record_id).first()
                if record is None:
                    raise RecordNotFound()
                if import_row.action == RowAction.CREATED:
                    record_delete(actor=actor, record_type=record_type, record=record)
                    removed += 1
                else:
                    writer.restore(record, import_row.before or {})
                    restored += 1
                ImportRow.objects.filter(pk=import_row.pk).update(action=RowAction.UNDONE)
        except (ValidationError, RecordNotFound, RecordPermissionDenied) as exc:
            messages = getattr(exc, "messages", None) or [
                str(exc) or _("The record no longer exists.")
            ]
            failed[import_row.row_number] = " ".join(messages)
    job.status = ImportStatus.UNDONE
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at"])
    return UndoResult(removed, restored, failed)


__all__ = ["ImportFileError", "import_create", "import_execute", "import_undo"]
