"""What a merge changed, kept so that it can be undone."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MergeRecord(models.Model):
    """One merge of ``other_id`` into ``survivor_id`` (both of ``record_type``).

    ``other_snapshot`` holds the deleted record (fields, tag ids, children); ``survivor_before``
    the survivor's values before the merge; ``moves`` each change made to another row, in order:
    ``{"model", "pk", "field", "old"}`` for a field set, ``{"model", "pk", "row"}`` for a row
    deleted as a duplicate.
    """

    record_type = models.CharField(_("record type"), max_length=50)
    survivor_id = models.BigIntegerField(_("surviving record"))
    other_id = models.BigIntegerField(_("merged record"))
    other_snapshot = models.JSONField(_("merged record's values"), encoder=DjangoJSONEncoder)
    survivor_before = models.JSONField(
        _("surviving record's values before"), encoder=DjangoJSONEncoder
    )
    moves = models.JSONField(_("moved relations"), default=list, encoder=DjangoJSONEncoder)
    # Kept when the user goes: the merge is part of the records' history.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("merged by"),
    )
    created_at = models.DateTimeField(_("merged at"), default=timezone.now)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        indexes = [models.Index(fields=["record_type", "survivor_id"])]

    def __str__(self) -> str:
        return f"{self.record_type}: {self.other_id} -> {self.survivor_id}"
