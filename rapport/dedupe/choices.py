"""Choices of the duplicate review queue."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DuplicateRecordType(models.TextChoices):
    CONTACTS = "contacts", _("contacts")
    LEADS = "leads", _("leads")


class DuplicatePairStatus(models.TextChoices):
    OPEN = "open", _("open")
    DISMISSED = "dismissed", _("dismissed")
    MERGED = "merged", _("merged")


class DuplicateScanStatus(models.TextChoices):
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")
