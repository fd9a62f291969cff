"""Currencies (ISO 4217) and daily exchange rates to the organisation's currency."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.currencies.validators import validate_iso4217, validate_positive_rate
from rapport.framework.base_models import ConfigModel


class Currency(ConfigModel):
    code = models.CharField(
        _("code"), max_length=3, primary_key=True, validators=[validate_iso4217]
    )
    name = models.CharField(_("name"), max_length=100)
    decimals = models.PositiveSmallIntegerField(_("decimal places"), default=2)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ExchangeRate(ConfigModel):
    """On ``date``, one unit of ``currency`` is worth ``rate`` units of the base currency."""

    currency = models.ForeignKey(
        Currency, on_delete=models.CASCADE, related_name="rates", verbose_name=_("currency")
    )
    date = models.DateField(_("date"))
    rate = models.DecimalField(
        _("rate"), max_digits=20, decimal_places=10, validators=[validate_positive_rate]
    )

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="exchangerate_unique_day"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchangerate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency_id} {self.date}: {self.rate}"
