"""Quotes: priced offers made from an opportunity, in versions, approved, sent and accepted."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.framework.base_models import RecordModel
from rapport.quotes.choices import QuoteLanguage, QuoteStatus


def _money(verbose_name: Any, **options: Any) -> Any:
    """An amount: 20 digits, 4 decimals (enough for every currency's minor unit)."""
    return models.DecimalField(verbose_name, max_digits=20, decimal_places=4, **options)


class Quote(RecordModel):
    number = models.CharField(_("number"), max_length=30, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    previous_version = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_version",
        editable=False,
        verbose_name=_("previous version"),
    )
    name = models.CharField(_("name"), max_length=200)
    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        on_delete=models.PROTECT,
        related_name="quotes",
        verbose_name=_("opportunity"),
    )
    account = models.ForeignKey(
        "accounts.Account",
        on_delete=models.PROTECT,
        related_name="quotes",
        verbose_name=_("account"),
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recipient"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT
    )
    currency = models.ForeignKey(
        "currencies.Currency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("currency"),
    )
    price_book = models.ForeignKey(
        "catalog.PriceBook",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("price book"),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=QuoteLanguage.choices, default=QuoteLanguage.ENGLISH
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    terms = models.TextField(_("terms and conditions"), blank=True)
    notes = models.TextField(_("notes for the customer"), blank=True)
    subtotal = _money(_("subtotal"), default=Decimal(0), editable=False)
    discount_total = _money(_("discount"), default=Decimal(0), editable=False)
    tax_total = _money(_("tax"), default=Decimal(0), editable=False)
    total = _money(_("total"), default=Decimal(0), editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    approval_note = models.TextField(_("approval note"), blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, editable=False)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True, editable=False)
    decline_reason = models.TextField(_("reason for declining"), blank=True, editable=False)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        indexes = [
            models.Index(fields=["opportunity", "version"]),
            models.Index(fields=["owner", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number", "version"], name="quote_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.number} v{self.version}"


# What a quote line is written with, and what the quote services compute for it: the line
# rows of the API, the record type's child rows and a new version's copies share these.
LINE_INPUT_FIELDS = (
    "product",
    "description",
    "quantity",
    "unit_price",
    "currency",
    "discount_percent",
    "discount_amount",
    "tax_rate",
)
LINE_FIELDS = (*LINE_INPUT_FIELDS, "tax_percent", "net_amount", "tax_amount", "total_amount")


class QuoteLine(models.Model):
    """One line of a quote. Either ``discount_percent`` or ``discount_amount`` (per line, in
    the quote's currency) may be set; the amounts are computed by the quote services."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("position"), default=0)
    product = models.ForeignKey(
        "catalog.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("product"),
    )
    description = models.CharField(_("description"), max_length=500, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=4, validators=[MinValueValidator(0)]
    )
    unit_price = _money(_("unit price"), validators=[MinValueValidator(0)], blank=True)
    currency = models.ForeignKey(
        "currencies.Currency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("currency"),
    )
    discount_percent = models.DecimalField(
        _("discount (%)"),
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    discount_amount = _money(
        _("discount amount"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    tax_rate = models.ForeignKey(
        "catalog.TaxRate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tax rate"),
    )
    tax_percent = models.DecimalField(
        _("tax (%)"), max_digits=7, decimal_places=4, default=Decimal(0), editable=False
    )
    net_amount = _money(_("net amount"), default=Decimal(0), editable=False)
    tax_amount = _money(_("tax amount"), default=Decimal(0), editable=False)
    total_amount = _money(_("total"), default=Decimal(0), editable=False)

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["quote", "position", "id"]

    def __str__(self) -> str:
        return f"{self.quote_id}/{self.position}"


class DocumentCounter(models.Model):
    """The last number given to a kind of document (quotes, orders) in one year; a row
    locked while a number is taken, so that concurrent writers never get the same one."""

    prefix = models.CharField(_("prefix"), max_length=20, unique=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")

    def __str__(self) -> str:
        return f"{self.prefix}{self.last}"
