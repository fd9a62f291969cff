"""Quotas, managers' forecast adjustments and the forecast rollup."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.forecasts.choices import AdjustedCategory, PeriodKind
from rapport.framework.base_models import ConfigModel
from rapport.opportunities.choices import ForecastCategory


class Quota(ConfigModel):
    """What a user or a team (exactly one) is to close in a month or a quarter."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    team = models.ForeignKey(
        "identity.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("team"),
    )
    period_kind = models.CharField(
        _("period"), max_length=7, choices=PeriodKind.choices, default=PeriodKind.QUARTER
    )
    period_start = models.DateField(_("period start"))
    amount = models.DecimalField(
        _("amount"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    currency = models.ForeignKey(
        "currencies.Currency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("currency"),
    )

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        ordering = ["-period_start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "period_kind", "period_start"],
                condition=models.Q(user__isnull=False),
                name="quota_unique_user_period",
                violation_error_message=_("This user already has a quota for this period."),
            ),
            models.UniqueConstraint(
                fields=["team", "period_kind", "period_start"],
                condition=models.Q(team__isnull=False),
                name="quota_unique_team_period",
                violation_error_message=_("This team already has a quota for this period."),
            ),
        ]
        indexes = [models.Index(fields=["period_start", "period_kind"])]

    def __str__(self) -> str:
        return f"{self.user_id or self.team_id} {self.period_kind} {self.period_start}"


class ForecastAdjustment(models.Model):
    """A manager's own figure for the commit of one of their people (or a team) in a period;
    the latest one counts, earlier ones stay as the history."""

    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("manager"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    team = models.ForeignKey(
        "identity.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("team"),
    )
    period_kind = models.CharField(_("period"), max_length=7, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    category = models.CharField(
        _("category"),
        max_length=12,
        choices=AdjustedCategory.choices,
        default=AdjustedCategory.COMMIT,
    )
    # In the organisation's base currency.
    amount = models.DecimalField(
        _("amount"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("forecast adjustment")
        verbose_name_plural = _("forecast adjustments")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["period_start", "period_kind"])]

    def __str__(self) -> str:
        return f"{self.user_id or self.team_id} {self.period_start}: {self.amount}"


class ForecastRollup(models.Model):
    """The opportunities of one owner closing in one month, in one forecast category, summed
    in the base currency. Kept up to date on every opportunity write; rebuilt by
    ``rapport forecast rollup``."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()  # the first day of the month
    category = models.CharField(max_length=12, choices=ForecastCategory.choices)
    count = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal(0))
    weighted_amount = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal(0))
    closed_won_amount = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal(0))
    # Opportunities whose currency had no exchange rate: counted, their amount left out.
    unconverted = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "month", "category"], name="forecastrollup_unique"
            )
        ]
        indexes = [models.Index(fields=["month", "owner"])]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.month} {self.category}"
