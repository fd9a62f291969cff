from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    INTEGER = "integer", _("Integer")
    DECIMAL = "decimal", _("Decimal")
    MONEY = "money", _("Money")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date and time")
    BOOLEAN = "boolean", _("Yes/no")
    CHOICE = "choice", _("Choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    URL = "url", _("URL")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    REFERENCE = "reference", _("Reference to a record")


class SavedViewVisibility(models.TextChoices):
    PRIVATE = "private", _("Only me")
    TEAM = "team", _("My team")
