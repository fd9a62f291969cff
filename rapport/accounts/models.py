"""Accounts: customer companies."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from rapport.accounts.choices import Industry, LifecycleStage, Source
from rapport.framework.base_models import RecordModel


class Account(RecordModel):
    name = models.CharField(_("name"), max_length=200)
    website = models.CharField(_("website"), max_length=255, blank=True)
    domain = models.CharField(
        _("domain"), max_length=255, blank=True, db_index=True, editable=False
    )
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices, blank=True)
    employee_count = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    annual_revenue = models.DecimalField(
        _("annual revenue"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    annual_revenue_currency = models.ForeignKey(
        "currencies.Currency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("revenue currency"),
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    phone_e164 = models.CharField(max_length=20, blank=True, editable=False, db_index=True)
    billing_street = models.CharField(_("billing street"), max_length=255, blank=True)
    billing_city = models.CharField(_("billing city"), max_length=100, blank=True)
    billing_region = models.CharField(_("billing region"), max_length=100, blank=True)
    billing_postal_code = models.CharField(_("billing postal code"), max_length=20, blank=True)
    billing_country = CountryField(_("billing country"), blank=True)
    shipping_street = models.CharField(_("shipping street"), max_length=255, blank=True)
    shipping_city = models.CharField(_("shipping city"), max_length=100, blank=True)
    shipping_region = models.CharField(_("shipping region"), max_length=100, blank=True)
    shipping_postal_code = models.CharField(_("shipping postal code"), max_length=20, blank=True)
    shipping_country = CountryField(_("shipping country"), blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        verbose_name=_("parent account"),
    )
    lifecycle_stage = models.CharField(
        _("lifecycle stage"),
        max_length=20,
        choices=LifecycleStage.choices,
        default=LifecycleStage.PROSPECT,
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        indexes = [
            models.Index(fields=["name", "id"]),
            models.Index(fields=["owner", "name", "id"]),
        ]

    def __str__(self) -> str:
        return self.name
