"""Abstract base models assembled from features every record type shares.

``RecordModel``: owner, team, created/updated by and at, tags, custom fields, and a queryset
whose ``restrict(user, action)`` is the single enforcement point of record-level access.
``ConfigModel``: configuration (pipelines, currencies, ...) readable by every user and
writable by administrators only.
"""

from __future__ import annotations

from typing import Any, Self, cast

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.framework.exceptions import RecordNotFound
from rapport.framework.registry import record_type_key
from rapport.identity.access import restriction_q


class RecordQuerySet(models.QuerySet[Any]):
    def restrict(self, user: Any, action: str = "view") -> Self:
        """Only the records ``user`` may perform ``action`` on."""
        q = restriction_q(user, self.model, record_type_key(self.model), action)
        return self if q is None else self.filter(q)


class ConfigQuerySet(models.QuerySet[Any]):
    def restrict(self, user: Any, action: str = "view") -> Self:
        """Every active user reads configuration; only administrators change it."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if action == "view" or user.is_superuser:
            return self
        return self.none()


def restricted(model: type[models.Model], user: Any, action: str = "view") -> models.QuerySet[Any]:
    """``model.objects.restrict(user, action)`` for a model known only by its type."""
    return cast(Any, model._default_manager).restrict(user, action)  # type: ignore[no-any-return]


def is_restricted(model: type[models.Model]) -> bool:
    return hasattr(model._default_manager, "restrict")


class RecordModel(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("updated by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)
    tags = models.ManyToManyField("core.Tag", blank=True, related_name="+", verbose_name=_("tags"))
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        abstract = True


class ConfigModel(models.Model):
    objects = ConfigQuerySet.as_manager()

    class Meta:
        abstract = True


def record_get(model: type[models.Model], user: Any, pk: Any, action: str = "view") -> Any:
    """The record ``pk`` if ``user`` may perform ``action`` on it; RecordNotFound for a missing
    record and for a forbidden one alike."""
    try:
        record = restricted(model, user, action).filter(pk=pk).first()
    except (ValueError, TypeError):
        record = None
    if record is None:
        raise RecordNotFound()
    return record
