"""Orders: what customers bought. Created from accepted quotes or imported as history; the
purchase history that customer analytics (lifetime value, churn, recommendations) reads."""

from decimal import Decimal
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.framework.base_models import RecordModel
from rapport.orders.choices import OrderStatus


def _money(verbose_name: Any, **options: Any) -> Any:
    """An amount: 20 digits, 4 decimals (enough for every currency's minor unit)."""
    return models.DecimalField(verbose_name, max_digits=20, decimal_places=4, **options)


class Order(RecordModel):
    number = models.CharField(_("number"), max_length=40, unique=True)
    account = models.ForeignKey(
        "accounts.Account",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("account"),
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("contact"),
    )
    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("opportunity"),
    )
    quote = models.OneToOneField(
        "quotes.Quote",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order",
        verbose_name=_("quote"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    order_date = models.DateField(_("order date"))
    fulfilled_on = models.DateField(_("fulfilled on"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    currency = models.ForeignKey(
        "currencies.Currency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("currency"),
    )
    subtotal = _money(_("subtotal"), default=Decimal(0), validators=[MinValueValidator(0)])
    discount_total = _money(_("discount"), default=Decimal(0), validators=[MinValueValidator(0)])
    tax_total = _money(_("tax"), default=Decimal(0), validators=[MinValueValidator(0)])
    total = _money(_("total"), default=Decimal(0), validators=[MinValueValidator(0)])
    external_reference = models.CharField(_("external reference"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["account", "order_date"]),
            models.Index(fields=["order_date"]),
            models.Index(fields=["owner", "status"]),
        ]

    def __str__(self) -> str:
        return self.number


# What an order line is written with, then what is computed for it: the line rows of the API
# and the record type's child rows share these.
LINE_COMPUTED_FIELDS = ("net_amount", "tax_amount", "total_amount")
LINE_FIELDS = (
    "product",
    "description",
    "quantity",
    "unit_price",
    "discount_amount",
    "tax_percent",
    *LINE_COMPUTED_FIELDS,
)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
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
    unit_price = _money(_("unit price"), validators=[MinValueValidator(0)])
    discount_amount = _money(
        _("discount amount"), default=Decimal(0), validators=[MinValueValidator(0)]
    )
    tax_percent = models.DecimalField(
        _("tax (%)"), max_digits=7, decimal_places=4, default=Decimal(0)
    )
    net_amount = _money(_("net amount"), default=Decimal(0))
    tax_amount = _money(_("tax amount"), default=Decimal(0))
    total_amount = _money(_("total"), default=Decimal(0))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "position", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.position}"
