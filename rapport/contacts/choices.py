from django.db import models
from django.utils.translation import gettext_lazy as _


class BuyingRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    END_USER = "end_user", _("End user")
    OTHER = "other", _("Other")


class EmailLabel(models.TextChoices):
    WORK = "work", _("Work")
    PERSONAL = "personal", _("Personal")
    OTHER = "other", _("Other")


class PhoneLabel(models.TextChoices):
    WORK = "work", _("Work")
    MOBILE = "mobile", _("Mobile")
    HOME = "home", _("Home")
    OTHER = "other", _("Other")


class Salutation(models.TextChoices):
    MR = "mr", _("Mr")
    MS = "ms", _("Ms")
    MRS = "mrs", _("Mrs")
    DR = "dr", _("Dr")
    PROF = "prof", _("Prof")
