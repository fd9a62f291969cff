"""Change log, tags, custom-field definitions and saved list views: features every record type
shares."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.core.choices import CustomFieldType, SavedViewVisibility
from rapport.framework.base_models import ConfigModel
from rapport.framework.choices import ActorKind, ChangeAction, Channel


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete change-log rows."""


class ChangeLogQuerySet(models.QuerySet["ChangeLogEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("the change log is append-only")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("the change log is append-only")


class ChangeLogEntry(models.Model):
    """One create, update, delete or merge of one record; never changed after it is written."""

    time = models.DateTimeField(_("time"), db_index=True)
    actor_kind = models.CharField(_("actor kind"), max_length=20, choices=ActorKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    token = models.ForeignKey(
        "identity.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=ChangeAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    # Text, because not every record type has an integer key (currencies use their code).
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    objects = ChangeLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("change-log entry")
        verbose_name_plural = _("change log")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "time"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Integrity guard, not domain logic: rows are inserted once and never rewritten.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("the change log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("the change log is append-only")

    @property
    def changed_fields(self) -> list[str]:
        before, after = self.before or {}, self.after or {}
        return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


class Tag(ConfigModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    color = models.CharField(
        _("colour"),
        max_length=7,
        default="#6b7280",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$")],
    )

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CustomFieldDefinition(ConfigModel):
    """A field an administrator added to a record type; values live in ``custom_fields``."""

    record_type = models.CharField(_("record type"), max_length=50)
    name = models.CharField(
        _("name"),
        max_length=50,
        validators=[
            RegexValidator(
                r"^[a-z][a-z0-9_]*$", _("Use lower-case letters, digits and underscores.")
            )
        ],
    )
    label = models.CharField(_("label"), max_length=100)
    label_zh = models.CharField(_("label (Chinese)"), max_length=100, blank=True)
    field_type = models.CharField(_("type"), max_length=20, choices=CustomFieldType.choices)
    required = models.BooleanField(_("required"), default=False)
    default = models.JSONField(_("default value"), null=True, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    reference_type = models.CharField(_("referenced record type"), max_length=50, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["record_type", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["record_type", "name"], name="customfield_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.record_type}.{self.name}"


class ScheduledRun(models.Model):
    """One slot of one periodic job that a scheduler claimed and enqueued.

    The unique (job, slot) pair is what makes several schedulers safe: only the one whose insert
    succeeds enqueues the job for that slot.
    """

    job = models.CharField(_("job"), max_length=100)
    slot = models.DateTimeField(_("slot"))
    enqueued_at = models.DateTimeField(_("enqueued at"))
    task_result_id = models.CharField(_("task result id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["-slot", "job"]
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="scheduledrun_unique_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot.isoformat()}"


class SavedView(models.Model):
    """A named list of one record type: its filters, columns and ordering as a query string.

    Private views are seen by their owner only; team views by every member of their team.
    """

    name = models.CharField(_("name"), max_length=100)
    record_type = models.CharField(_("record type"), max_length=50)
    # A saved view outlives its author's account (a team may still use it); never cascades.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        "identity.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("team"),
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=10,
        choices=SavedViewVisibility.choices,
        default=SavedViewVisibility.PRIVATE,
    )
    query = models.TextField(_("query"), blank=True)
    is_default = models.BooleanField(_("default view"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["record_type", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "record_type", "name"], name="savedview_unique_name"
            ),
        ]
        indexes = [models.Index(fields=["record_type", "owner"])]

    def __str__(self) -> str:
        return self.name
