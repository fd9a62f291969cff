from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    EACH = "each", _("each")
    HOUR = "hour", _("hour")
    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")
    SEAT = "seat", _("seat")
    LICENSE = "license", _("licence")
    KILOGRAM = "kg", _("kilogram")


class PriceBookKind(models.TextChoices):
    LIST = "list", _("list prices")
    PARTNER = "partner", _("partner prices")
    SPECIAL = "special", _("special prices")
