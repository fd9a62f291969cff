"""Fitted win-probability models: the serialised classifier and what its holdout said."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WinProbabilityModel(models.Model):
    """One training run of the win-probability model; the newest one scores opportunities.

    ``model`` is the joblib bundle of ``rapport.analytics.win_probability`` (the calibrated
    classifier and its category codes); ``metrics`` the holdout evaluation: Brier score, log
    loss and reliability bins of the model and of the stage-default probabilities.
    """

    trained_at = models.DateTimeField(_("trained at"), default=timezone.now, db_index=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("trained by"),
    )
    model = models.BinaryField(_("model"))
    metrics = models.JSONField(_("metrics"), default=dict)
    closed_count = models.PositiveIntegerField(_("closed opportunities"))
    training_rows = models.PositiveIntegerField(_("training rows"))
    features = models.JSONField(_("features"), default=list)
    seconds = models.FloatField(_("training time (s)"), default=0.0)

    class Meta:
        verbose_name = _("win-probability model")
        verbose_name_plural = _("win-probability models")
        ordering = ["-trained_at", "-id"]

    def __str__(self) -> str:
        return f"win probability {self.trained_at:%Y-%m-%d %H:%M}"
