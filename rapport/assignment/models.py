"""Assignment rules: who gets a new lead, and how soon they must answer it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.assignment.choices import AssignmentMethod
from rapport.framework.base_models import ConfigModel


class AssignmentRule(ConfigModel):
    """One rule, evaluated in ``position`` order; the first active rule whose criteria all
    match a new lead chooses its owner and team. An empty criterion matches any lead.

    ``countries``: ISO codes; ``regions``: region names (ignoring case); ``industries`` and
    ``sources``: the lead's choice values.
    """

    name = models.CharField(_("name"), max_length=150)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    countries = models.JSONField(_("countries"), default=list, blank=True)
    regions = models.JSONField(_("regions"), default=list, blank=True)
    industries = models.JSONField(_("industries"), default=list, blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    employee_count_min = models.PositiveIntegerField(_("employees at least"), null=True, blank=True)
    employee_count_max = models.PositiveIntegerField(_("employees at most"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=20, choices=AssignmentMethod.choices)
    team = models.ForeignKey(
        "identity.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("team"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    sla_minutes = models.PositiveIntegerField(
        _("first response within (minutes)"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no first-response target."),
    )

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["active", "position"])]

    def __str__(self) -> str:
        return self.name


class RoundRobinPointer(models.Model):
    """Whose turn it was last under a round-robin rule; locked (select_for_update) while the
    next owner is chosen, so two leads arriving together go to two different people."""

    rule = models.OneToOneField(
        AssignmentRule, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    last_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.rule_id} -> {self.last_user_id}"
