"""The personal workspace of a user: recently viewed records and notifications."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.workspace.choices import NotificationKind


class RecentView(models.Model):
    """The last time ``user`` opened one record; only the newest few per user are kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    record_type = models.CharField(_("record type"), max_length=50)
    # Text, because not every record type has an integer key (currencies use their code).
    object_id = models.CharField(_("record"), max_length=64)
    viewed_at = models.DateTimeField(_("viewed at"), default=timezone.now)

    class Meta:
        verbose_name = _("recently viewed record")
        verbose_name_plural = _("recently viewed records")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "record_type", "object_id"], name="recentview_unique_record"
            )
        ]
        indexes = [models.Index(fields=["user", "-viewed_at"], name="recentview_user_time")]

    def __str__(self) -> str:
        return f"{self.record_type}/{self.object_id}"


class Notification(models.Model):
    """Something a user should look at, e.g. a record someone else assigned to them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    record_type = models.CharField(_("record type"), max_length=50)
    object_id = models.CharField(_("record"), max_length=64)
    # The record's name when the notification was made; shown if the record is gone.
    text = models.CharField(_("text"), max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The bell's unread count and the notifications page both start here.
            models.Index(fields=["user", "read_at"], name="notification_user_read"),
            models.Index(fields=["user", "-created_at"], name="notification_user_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"
