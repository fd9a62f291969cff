from django.db import models
from django.utils.translation import gettext_lazy as _


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    WORKING = "working", _("Working")
    NURTURING = "nurturing", _("Nurturing")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")


class DisqualifiedReason(models.TextChoices):
    NO_BUDGET = "no_budget", _("No budget")
    NO_NEED = "no_need", _("No need")
    NO_AUTHORITY = "no_authority", _("No authority")
    BAD_TIMING = "bad_timing", _("Bad timing")
    COMPETITOR = "competitor", _("Chose a competitor")
    UNRESPONSIVE = "unresponsive", _("Unresponsive")
    SPAM = "spam", _("Spam or invalid")
    OTHER = "other", _("Other")


class LeadRating(models.TextChoices):
    HOT = "hot", _("Hot")
    WARM = "warm", _("Warm")
    COLD = "cold", _("Cold")
