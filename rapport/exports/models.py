"""An export job: a list written to a file in the background, downloadable by its owner."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.exports.choices import ExportFormat, ExportStatus


class Export(models.Model):
    # An export is the user's own file, not a business record: it goes with its user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="exports",
        verbose_name=_("user"),
    )
    record_type = models.CharField(_("record type"), max_length=50)
    format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    # The list's query parameters (filters, q, ordering, columns, header), replayed by the job.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="exports/", blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.record_type}.{self.format} #{self.pk}"

    @property
    def filename(self) -> str:
        """The name offered for download: ``<type>-<date>.<format>``."""
        day = timezone.localdate(self.created_at).isoformat()
        return f"{self.record_type}-{day}.{self.format}"
