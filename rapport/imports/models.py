"""An import job (one uploaded file) and the outcome of each of its rows."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.imports.choices import DuplicatePolicy, ImportStatus, RowAction


class ImportJob(models.Model):
    # The uploaded file is the user's own, not a business record: it goes with its user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="imports",
        verbose_name=_("user"),
    )
    record_type = models.CharField(_("record type"), max_length=50)
    file = models.FileField(_("file"), upload_to="imports/")
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=1, blank=True)
    headers = models.JSONField(_("headers"), default=list, blank=True)
    # {header: field key or ""}: which column feeds which field; "" ignores the column.
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    duplicate_policy = models.CharField(
        _("duplicates"),
        max_length=10,
        choices=DuplicatePolicy.choices,
        default=DuplicatePolicy.SKIP,
    )
    preview = models.JSONField(_("preview"), default=list, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    total_count = models.PositiveIntegerField(_("rows"), default=0)
    processed_count = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    error_file = models.FileField(_("rejected rows"), upload_to="imports/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Last sign of life of the worker running the import: a running job whose heartbeat is
    # older than RAPPORT_IMPORT_STALL_MINUTES lost its worker (rapport.imports.services).
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.record_type} import #{self.pk}"

    @property
    def progress(self) -> int:
        """Per cent of the rows processed."""
        if self.status in (ImportStatus.DONE, ImportStatus.UNDONE):
            return 100
        if not self.total_count:
            return 0
        return min(100, self.processed_count * 100 // self.total_count)


class ImportRow(models.Model):
    """What an import did with one row: enough to report it and to undo it."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(_("row"))
    action = models.CharField(_("action"), max_length=10, choices=RowAction.choices)
    record_id = models.BigIntegerField(_("record"), null=True, blank=True)
    # The record's values before an update, in its serializer's shape, for undo.
    before = models.JSONField(_("before"), null=True, blank=True, encoder=DjangoJSONEncoder)
    error = models.TextField(_("error"), blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)

    class Meta:
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        ordering = ["job", "row_number"]
        indexes = [models.Index(fields=["job", "action"])]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row_number} {self.action}"


class ImportMappingTemplate(models.Model):
    """A column mapping saved under a name, to map the next file with the same headers in one
    step. It is a user's working aid, not a business record: it outlives its owner (SET_NULL)
    so an administrator can still see and remove it."""

    name = models.CharField(_("name"), max_length=100)
    record_type = models.CharField(_("record type"), max_length=50)
    # {header: field key or ""}: as ImportJob.mapping; "" remembers that a column is ignored.
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_mapping_templates",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("import mapping template")
        verbose_name_plural = _("import mapping templates")
        ordering = ["record_type", "name", "id"]

    def __str__(self) -> str:
        return self.name
