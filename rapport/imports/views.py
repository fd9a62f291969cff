"""Screens of imports: the user's jobs, upload, preview and mapping (with mapping templates),
run with a live progress bar, the rejected rows, undo.

Every write calls the same services as ``/api/imports/`` (``rapport.imports.services``), so the
screens and the API accept, refuse and do exactly the same. Like the API, a job is visible to
its user only (administrators see all); anyone else gets 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.framework.exceptions import RecordNotFound
from rapport.framework.registry import get_record_type
from rapport.imports.choices import (
    IMPORTABLE_TYPES,
    PREVIEW_ROWS,
    DuplicatePolicy,
    ImportStatus,
    RowAction,
)
from rapport.imports.mapping import import_fields
from rapport.imports.models import ImportJob
from rapport.imports.readers import ImportFileError, open_table
from rapport.imports.services import import_create, import_start, import_undo, import_update
from rapport.imports.templates_services import (
    import_template_apply,
    import_template_delete,
    import_template_get,
    import_template_save,
    import_templates_for,
)

# Statuses in which the mapping can still change and the import be started.
OPEN = (ImportStatus.UPLOADED, ImportStatus.PREVIEWED)
# Statuses after a run: the counts and the rejected rows are final.
FINISHED = (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.UNDONE)


def _jobs(request: HttpRequest) -> models.QuerySet[ImportJob]:
    """The jobs the signed-in user may see: their own; administrators all (as the API)."""
    user: Any = request.user
    jobs = ImportJob.objects.select_related("user")
    return jobs if user.is_superuser else jobs.filter(user=user)


def _job(request: HttpRequest, pk: int) -> ImportJob:
    job = _jobs(request).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def _type_choices() -> list[tuple[str, str]]:
    return [(key, str(get_record_type(key).label_plural).capitalize()) for key in IMPORTABLE_TYPES]


class ImportUploadForm(forms.Form):
    record_type = forms.ChoiceField(label=gettext_lazy("Record type"), choices=_type_choices)
    # Empty files reach the reader, which says so in the same words as the API and the CLI.
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    duplicate_policy = forms.ChoiceField(
        label=gettext_lazy("Duplicates"),
        choices=DuplicatePolicy.choices,
        initial=DuplicatePolicy.SKIP,
    )


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    """The user's imports, newest first."""
    jobs = list(_jobs(request)[:100])
    labels = dict(_type_choices())
    rows = [
        {"job": job, "type_label": labels.get(job.record_type, job.record_type)} for job in jobs
    ]
    return render(request, "imports/list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def job_new(request: HttpRequest) -> HttpResponse:
    """Upload a file: the job is created, previewed, and its page opened. A file that cannot
    be read keeps the form, with the reader's message beside the file field."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_create(
                user=request.user,
                record_type=get_record_type(form.cleaned_data["record_type"]),
                upload=upload,
                name=upload.name or "import.csv",
                duplicate_policy=DuplicatePolicy(form.cleaned_data["duplicate_policy"]),
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        except ValidationError as exc:
            # A file whose first row names no field: the mapping cannot be proposed.
            form.add_error("file", exc.messages)
        else:
            return redirect("imports:detail", pk=job.pk)
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs.update(
                {"aria-invalid": "true", "aria-describedby": f"id_{name}-error"}
            )
    status = 400 if request.method == "POST" else 200
    return render(request, "imports/new.html", {"form": form}, status=status)


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    field: str
    samples: list[str]


def _sample_cells(job: ImportJob) -> list[list[str]]:
    """The cells of the previewed rows, read again from the stored file (the preview keeps
    only each row's outcome)."""
    try:
        with job.file.open("rb") as handle, open_table(handle, job.original_name) as table:
            return [row.cells for row in islice(table.rows(), PREVIEW_ROWS)]
    except (ImportFileError, OSError, ValueError):
        return []


def _preview_row(row: dict[str, Any], cells: list[str]) -> dict[str, Any]:
    """One previewed row for the table: its cells, what the import would do, and why not."""
    errors = row.get("errors") or {}
    action = row.get("action", "")
    return {
        "row": row.get("row"),
        "cells": cells,
        "rejected": row.get("status") == "error",
        "action": RowAction(action).label if action in RowAction.values else action,
        "errors": [
            f"{name}: {' '.join(msgs)}" if name else " ".join(msgs)
            for name, msgs in (errors.items() if isinstance(errors, dict) else [])
        ],
        "warnings": row.get("warnings") or [],
    }


def _detail_context(
    request: HttpRequest, job: ImportJob, *, errors: list[str] | None = None
) -> dict[str, Any]:
    record_type = get_record_type(job.record_type)
    cells = _sample_cells(job) if job.status in OPEN else []
    headers: list[str] = list(job.headers)
    columns = [
        Column(i, h, job.mapping.get(h, ""), [r[i] for r in cells[:3] if i < len(r) and r[i]])
        for i, h in enumerate(headers)
    ]
    preview = [
        _preview_row(row, cells[n] if n < len(cells) else []) for n, row in enumerate(job.preview)
    ]
    return {
        "job": job,
        "type_label": str(record_type.label_plural).capitalize(),
        "is_open": job.status in OPEN,
        "columns": columns,
        "fields": [(k, f.label) for k, f in import_fields(record_type).items()],
        "policies": DuplicatePolicy.choices,
        "preview": preview,
        "headers": headers,
        "templates": list(import_templates_for(user=request.user, record_type=job.record_type)),
        "errors": errors or [],
    }


def _detail(
    request: HttpRequest, job: ImportJob, *, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request, "imports/detail.html", _detail_context(request, job, errors=errors), status=status
    )


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job: preview and mapping before it runs, its progress and outcome afterwards."""
    return _detail(request, _job(request, pk))


def _posted_mapping(request: HttpRequest, job: ImportJob) -> dict[str, str]:
    """``col-<n>`` selects, one per column of the file (by position: headers may hold any
    character)."""
    return {
        header: request.POST.get(f"col-{i}", "").strip()
        for i, header in enumerate(job.headers)
        if f"col-{i}" in request.POST
    }


def _refused(request: HttpRequest, job: ImportJob, exc: ValidationError) -> HttpResponse:
    job.refresh_from_db()
    return _detail(request, job, errors=exc.messages, status=400)


@login_required
@require_POST
def job_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the mapping and the duplicate policy; the preview is made again."""
    job = _job(request, pk)
    policy = request.POST.get("duplicate_policy", "")
    if policy and policy not in DuplicatePolicy.values:
        return _detail(request, job, errors=[_("Choose how to handle duplicates.")], status=400)
    try:
        import_update(
            job=job,
            mapping=_posted_mapping(request, job),
            duplicate_policy=DuplicatePolicy(policy) if policy else None,
        )
    except ValidationError as exc:
        return _refused(request, job, exc)
    messages.success(request, _("Mapping saved; the preview is up to date."))
    return redirect("imports:detail", pk=job.pk)


@login_required
@require_POST
def job_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the import in the background; the job page follows its progress."""
    job = _job(request, pk)
    try:
        import_start(job=job)
    except ValidationError as exc:
        return _refused(request, job, exc)
    return redirect("imports:detail", pk=job.pk)


@login_required
@require_GET
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial, polled every second while the job runs. Once it has finished the
    partial no longer carries the polling trigger, so htmx stops asking."""
    return render(request, "imports/_progress.html", {"job": _job(request, pk)})


@login_required
@require_http_methods(["GET", "POST"])
def job_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST removes the records the import created and restores
    the ones it updated, then shows what was removed, restored and left."""
    job = _job(request, pk)
    if request.method == "GET":
        if job.status not in (ImportStatus.DONE, ImportStatus.FAILED):
            return redirect("imports:detail", pk=job.pk)
        return render(request, "imports/undo.html", {"job": job})
    try:
        result = import_undo(job=job, user=request.user)
    except ValidationError as exc:
        return _refused(request, job, exc)
    job.refresh_from_db()
    failed = sorted(result.failed.items())
    return render(request, "imports/undone.html", {"job": job, "result": result, "failed": failed})


@login_required
@require_POST
def template_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the mapping on screen as the job's mapping and as a named template."""
    job = _job(request, pk)
    try:
        # The columns as chosen on screen (saved first, checked by the import's own service).
        if any(key.startswith("col-") for key in request.POST):
            job = import_update(job=job, mapping=_posted_mapping(request, job))
        template = import_template_save(
            user=request.user,
            name=request.POST.get("name", ""),
            record_type=job.record_type,
            mapping=dict(job.mapping),
        )
    except ValidationError as exc:
        return _refused(request, job, exc)
    messages.success(request, _("Template “%(name)s” saved.") % {"name": template.name})
    return redirect("imports:detail", pk=job.pk)


def _template(request: HttpRequest) -> Any:
    try:
        return import_template_get(user=request.user, pk=int(request.POST.get("template", "")))
    except (ValueError, RecordNotFound):
        return None


@login_required
@require_POST
def template_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Map the job's columns whose headers the chosen template knows."""
    job = _job(request, pk)
    template = _template(request)
    if template is None:
        return _detail(request, job, errors=[_("Choose a template.")], status=400)
    try:
        job, mapped = import_template_apply(job=job, template=template)
    except ValidationError as exc:
        return _refused(request, job, exc)
    messages.success(
        request,
        _("Template “%(name)s” mapped %(count)d columns.")
        % {"name": template.name, "count": mapped},
    )
    return redirect("imports:detail", pk=job.pk)


@login_required
@require_POST
def template_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a template (from the job page it was chosen on)."""
    job = _job(request, pk)
    template = _template(request)
    if template is None:
        return _detail(request, job, errors=[_("Choose a template.")], status=400)
    import_template_delete(user=request.user, template=template)
    messages.success(request, _("Template “%(name)s” deleted.") % {"name": template.name})
    return redirect("imports:detail", pk=job.pk)
