"""Activities: tasks, calls, meetings, notes and logged emails, linked to any record."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.activities.choices import ActivityKind
from rapport.framework.base_models import RecordModel


class Activity(RecordModel):
    kind = models.CharField(_("type"), max_length=10, choices=ActivityKind.choices)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"), blank=True)
    due_at = models.DateTimeField(_("due date"), null=True, blank=True)
    start_at = models.DateTimeField(_("start time"), null=True, blank=True)
    end_at = models.DateTimeField(_("end time"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)
    related_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("related record type"),
    )
    related_id = models.BigIntegerField(_("related record"), null=True, blank=True)
    participant_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("participating users"),
    )
    participant_contacts = models.ManyToManyField(
        "contacts.Contact",
        blank=True,
        related_name="activities",
        verbose_name=_("participating contacts"),
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["related_type", "related_id", "created_at"]),
            models.Index(fields=["owner", "done", "due_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_at__isnull=True)
                | models.Q(start_at__isnull=True)
                | models.Q(end_at__gte=models.F("start_at")),
                name="activity_end_after_start",
                violation_error_message=_("The end must not be before the start."),
            ),
        ]

    def __str__(self) -> str:
        return self.subject
