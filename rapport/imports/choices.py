"""Choices and limits of the import app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Record types that can be imported, in the order offered.
IMPORTABLE_TYPES = ("accounts", "contacts", "leads", "opportunities", "activities", "orders")
# Rows validated and shown before an import runs.
PREVIEW_ROWS = 20
# The largest cell accepted, in bytes of UTF-8: longer ones reject their row.
MAX_CELL_BYTES = 1024 * 1024


class DuplicatePolicy(models.TextChoices):
    SKIP = "skip", _("Skip duplicates")
    UPDATE = "update", _("Update the existing record")
    CREATE = "create", _("Create anyway")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    PREVIEWED = "previewed", _("Previewed")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    UNDONE = "undone", _("Undone")


class RowAction(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    SKIPPED = "skipped", _("Skipped")
    REJECTED = "rejected", _("Rejected")
    UNDONE = "undone", _("Undone")
