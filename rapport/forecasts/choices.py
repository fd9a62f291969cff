from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class AdjustedCategory(models.TextChoices):
    """What a manager may adjust (the commit is what they answer for)."""

    COMMIT = "commit", _("Commit")
