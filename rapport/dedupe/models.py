"""The duplicate review queue: pairs of likely duplicates found by a batch scan."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.dedupe.choices import DuplicatePairStatus, DuplicateRecordType, DuplicateScanStatus


class DuplicateScan(models.Model):
    """One run of the batch matcher over every contact or every lead."""

    record_type = models.CharField(
        _("record type"), max_length=20, choices=DuplicateRecordType.choices
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DuplicateScanStatus.choices,
        default=DuplicateScanStatus.RUNNING,
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    threshold = models.FloatField(_("threshold"))
    record_count = models.PositiveIntegerField(_("records"), default=0)
    candidate_count = models.PositiveBigIntegerField(_("candidate pairs"), default=0)
    pair_count = models.PositiveIntegerField(_("pairs found"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("duplicate scan")
        verbose_name_plural = _("duplicate scans")

    def __str__(self) -> str:
        return f"{self.record_type} {self.started_at:%Y-%m-%d %H:%M}"


class DuplicatePair(models.Model):
    """Two contacts (or two leads) that are probably one person; ``left_id < right_id``."""

    record_type = models.CharField(
        _("record type"), max_length=20, choices=DuplicateRecordType.choices
    )
    left_id = models.PositiveBigIntegerField(_("left record"))
    right_id = models.PositiveBigIntegerField(_("right record"))
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DuplicatePairStatus.choices,
        default=DuplicatePairStatus.OPEN,
    )
    found_by = models.ForeignKey(
        DuplicateScan,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pairs",
        verbose_name=_("found by"),
    )
    found_at = models.DateTimeField(_("found"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("duplicate pair")
        verbose_name_plural = _("duplicate pairs")
        constraints = [
            models.UniqueConstraint(
                fields=["record_type", "left_id", "right_id"], name="dedupe_pair_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(left_id__lt=models.F("right_id")), name="dedupe_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["record_type", "status", "-score", "id"])]

    def __str__(self) -> str:
        return f"{self.record_type} {self.left_id}/{self.right_id}"
