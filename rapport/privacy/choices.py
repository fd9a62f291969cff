"""Choices of the privacy app: consent purposes and sources, privacy actions, retention."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonType(models.TextChoices):
    """The record types that hold a person's data (the keys of their record types)."""

    CONTACTS = "contacts", _("Contact")
    LEADS = "leads", _("Lead")


class ConsentPurpose(models.TextChoices):
    MARKETING_EMAIL = "marketing_email", _("Marketing email")
    PHONE_CALLS = "phone_calls", _("Phone calls")
    PROFILING = "profiling", _("Profiling and analytics")
    PARTNER_SHARING = "partner_sharing", _("Data sharing with partners")
    OTHER = "other", _("Other")


class ConsentSource(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    UI = "ui", _("User interface")
    EMAIL = "email", _("Email")


class PrivacyActionKind(models.TextChoices):
    EXPORT = "export", _("Personal data exported")
    ERASE = "erase", _("Person erased")
    DELETE = "delete", _("Person deleted by retention rule")
    CONSENT_RECORDED = "consent_recorded", _("Consent recorded")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")


class RetentionAction(models.TextChoices):
    ERASE = "erase", _("Anonymise")
    DELETE = "delete", _("Delete")


class ExportFormat(models.TextChoices):
    JSON = "json", _("JSON")
    HTML = "html", _("HTML page")
