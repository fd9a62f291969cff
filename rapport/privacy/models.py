"""Consents, the log of privacy actions, and retention rules.

A person is a contact or a lead. Consent rows are never rewritten except to stamp the
withdrawal of a grant; every grant, refusal and withdrawal is a row of its own, so the history
of what a person agreed to, when and through which wording is kept.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.framework.choices import ActorKind, Channel
from rapport.privacy.choices import (
    ConsentPurpose,
    ConsentSource,
    PersonType,
    PrivacyActionKind,
    RetentionAction,
)


class Consent(models.Model):
    """One statement of consent (granted or not) of one person for one purpose."""

    contact = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("contact"),
    )
    lead = models.ForeignKey(
        "leads.Lead",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("lead"),
    )
    purpose = models.CharField(_("purpose"), max_length=30, choices=ConsentPurpose.choices)
    granted = models.BooleanField(_("granted"))
    source = models.CharField(_("source"), max_length=20, choices=ConsentSource.choices)
    wording = models.TextField(_("wording shown"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_source = models.CharField(
        _("withdrawal source"), max_length=20, choices=ConsentSource.choices, blank=True
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "purpose", "recorded_at"]),
            models.Index(fields=["lead", "purpose", "recorded_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contact__isnull=False, lead__isnull=True)
                | models.Q(contact__isnull=True, lead__isnull=False),
                name="consent_one_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose}={'yes' if self.granted else 'no'}"


class PrivacyAction(models.Model):
    """Who exported, erased or changed the consent of which person, and when.

    Holds the person's record type and id only, never their name or addresses, so that the
    log survives an erasure without keeping what was erased.
    """

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=30, choices=PrivacyActionKind.choices)
    actor_kind = models.CharField(_("actor kind"), max_length=20, choices=ActorKind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    person_type = models.CharField(_("person type"), max_length=20, choices=PersonType.choices)
    person_id = models.BigIntegerField(_("person id"))
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("privacy action")
        verbose_name_plural = _("privacy actions")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["person_type", "person_id", "action"])]

    def __str__(self) -> str:
        return f"{self.action} {self.person_type}#{self.person_id}"


class RetentionRule(models.Model):
    """After ``period_days`` without an update or an activity, a person is anonymised or deleted.

    Written by administrators (Django admin); applied daily by ``privacy.retention_apply``.
    """

    person_type = models.CharField(
        _("record type"), max_length=20, choices=PersonType.choices, unique=True
    )
    period_days = models.PositiveIntegerField(
        _("retention period (days)"), validators=[MinValueValidator(1)]
    )
    action = models.CharField(_("action"), max_length=10, choices=RetentionAction.choices)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["person_type"]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_days__gte=1), name="retention_period"),
        ]

    def __str__(self) -> str:
        return f"{self.person_type}: {self.action} after {self.period_days}d"
