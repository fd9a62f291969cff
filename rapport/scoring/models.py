"""Scoring rules (configuration) and the fitted learned-score models."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.framework.base_models import ConfigModel
from rapport.scoring.choices import Behaviour, Operator, RuleKind


class ScoringRule(ConfigModel):
    """Points a lead earns (or loses) when one of its fields, or a count of what it did,
    meets a condition: ``<field> <operator> <value>`` or ``<behaviour> within <days>
    <operator> <value>``."""

    name = models.CharField(_("name"), max_length=150)
    active = models.BooleanField(_("active"), default=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=RuleKind.choices, default=RuleKind.FIELD
    )
    field = models.CharField(
        _("lead field"),
        max_length=50,
        blank=True,
        help_text=_("For a field rule: the lead field it tests."),
    )
    behaviour = models.CharField(
        _("behaviour"),
        max_length=10,
        choices=Behaviour.choices,
        blank=True,
        help_text=_("For a behaviour rule: what is counted."),
    )
    within_days = models.PositiveIntegerField(
        _("within (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("For a behaviour rule: count only the last so many days; empty: all time."),
    )
    operator = models.CharField(_("operator"), max_length=10, choices=Operator.choices)
    value = models.CharField(
        _("value"),
        max_length=500,
        blank=True,
        help_text=_("For “is one of”, separate the values with commas."),
    )
    points = models.IntegerField(
        _("points"),
        validators=[MinValueValidator(-1000), MaxValueValidator(1000)],
        help_text=_("Negative points lower the score."),
    )

    class Meta:
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class LeadScoringModel(models.Model):
    """One training of the learned lead score; the newest row scores leads.

    ``pipeline`` holds the fitted scikit-learn pipeline (joblib bytes); it is loaded only if it
    was written by the installed scikit-learn version, else leads keep no learned score until
    the next training.
    """

    trained_at = models.DateTimeField(_("trained at"), db_index=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("trained by"),
    )
    pipeline = models.BinaryField(_("fitted pipeline"))
    sklearn_version = models.CharField(_("scikit-learn version"), max_length=20)
    positives = models.PositiveIntegerField(_("qualified examples"))
    negatives = models.PositiveIntegerField(_("disqualified examples"))
    holdout_size = models.PositiveIntegerField(_("held-out examples"))
    auc = models.FloatField(_("holdout AUC"))
    brier = models.FloatField(_("holdout Brier score"))
    base_rate = models.FloatField(_("share qualified"))
    features = models.JSONField(_("features"), default=list)
    # [[transformed feature, coefficient], ...], largest in absolute value first.
    weights = models.JSONField(_("weights"), default=list)

    class Meta:
        verbose_name = _("lead scoring model")
        verbose_name_plural = _("lead scoring models")
        ordering = ["-trained_at", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.trained_at:%Y-%m-%d %H:%M}"
