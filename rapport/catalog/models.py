"""The product catalogue: products, price books with a price per product, and tax rates.

All of it is configuration: every user reads it, administrators change it.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from rapport.catalog.choices import PriceBookKind, Unit
from rapport.framework.base_models import ConfigModel


class TaxRate(ConfigModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    rate = models.DecimalField(
        _("rate (%)"),
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    country = CountryField(_("country"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("tax rate")
        verbose_name_plural = _("tax rates")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate__gte=0, rate__lte=100), name="taxrate_percent"
            )
        ]

    def __str__(self) -> str:
        # "20 %", "7.5 %": no trailing zeros, never an exponent (Decimal.normalize gives 2E+1).
        rate = (
            f"{self.rate:f}".rstrip("0").rstrip(".") if "." in f"{self.rate:f}" else f"{self.rate}"
        )
        return f"{self.name} ({rate} %)"


class Product(ConfigModel):
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    family = models.CharField(_("product family"), max_length=100, blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.EACH)
    description = models.TextField(_("description"), blank=True)
    tax_rate = models.ForeignKey(
        TaxRate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("default tax rate"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["family", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class PriceBook(ConfigModel):
    """Prices of products in one currency for one kind of customer (list, partner, ...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=PriceBookKind.choices, default=PriceBookKind.LIST
    )
    currency = models.ForeignKey(
        "currencies.Currency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("currency"),
    )
    active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("price book")
        verbose_name_plural = _("price books")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PriceBookEntry(ConfigModel):
    """The unit price of one product in one price book (in the price book's currency)."""

    price_book = models.ForeignKey(
        PriceBook, on_delete=models.CASCADE, related_name="entries", verbose_name=_("price book")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="prices", verbose_name=_("product")
    )
    unit_price = models.DecimalField(
        _("unit price"),
        max_digits=18,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0))],
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("price book entry")
        verbose_name_plural = _("price book entries")
        ordering = ["price_book", "product"]
        constraints = [
            models.UniqueConstraint(fields=["price_book", "product"], name="pricebookentry_unique"),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="pricebookentry_price"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.price_book_id}/{self.product_id}: {self.unit_price}"
