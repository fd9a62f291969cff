from django.db import models
from django.utils.translation import gettext_lazy as _


class LifecycleStage(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    CUSTOMER = "customer", _("Customer")
    FORMER_CUSTOMER = "former_customer", _("Former customer")


class Industry(models.TextChoices):
    AGRICULTURE = "agriculture", _("Agriculture")
    CONSTRUCTION = "construction", _("Construction")
    CONSULTING = "consulting", _("Consulting")
    EDUCATION = "education", _("Education")
    ENERGY = "energy", _("Energy")
    FINANCE = "finance", _("Finance")
    GOVERNMENT = "government", _("Government")
    HEALTHCARE = "healthcare", _("Healthcare")
    HOSPITALITY = "hospitality", _("Hospitality")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    MEDIA = "media", _("Media")
    NON_PROFIT = "non_profit", _("Non-profit")
    RETAIL = "retail", _("Retail")
    SOFTWARE = "software", _("Software")
    TELECOMMUNICATIONS = "telecommunications", _("Telecommunications")
    TRANSPORTATION = "transportation", _("Transportation")
    OTHER = "other", _("Other")


class Source(models.TextChoices):
    WEB = "web", _("Website")
    REFERRAL = "referral", _("Referral")
    PARTNER = "partner", _("Partner")
    EVENT = "event", _("Event")
    COLD_CALL = "cold_call", _("Cold call")
    EMAIL = "email", _("Email campaign")
    SOCIAL = "social", _("Social media")
    ADVERTISING = "advertising", _("Advertising")
    IMPORT = "import", _("Import")
    OTHER = "other", _("Other")
