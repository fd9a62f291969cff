"""Reads of the core app: a record's change history."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models

from rapport.core.models import ChangeLogEntry


def record_changes(record: models.Model) -> models.QuerySet[ChangeLogEntry]:
    """Change-log entries of ``record`` (the caller fetched it through ``restrict``)."""
    return ChangeLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk,
    ).order_by("-time", "-id")
