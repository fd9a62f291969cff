"""Reads of the core app: a record's change history, the saved list views a user may use."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from rapport.core.choices import SavedViewVisibility
from rapport.core.models import ChangeLogEntry, SavedView
from rapport.framework.exceptions import RecordNotFound


def record_changes(record: models.Model) -> models.QuerySet[ChangeLogEntry]:
    """Change-log entries of ``record`` (the caller fetched it through ``restrict``)."""
    return ChangeLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk,
    ).order_by("-time", "-id")


def saved_views_for(user: Any, record_type: str) -> models.QuerySet[SavedView]:
    """The views of ``record_type`` ``user`` may use: their own, and those shared with a team
    they belong to; by name."""
    if user is None or not getattr(user, "is_authenticated", False):
        return SavedView.objects.none()
    shared = Q(visibility=SavedViewVisibility.TEAM, team__members=user)
    return (
        SavedView.objects.filter(Q(owner=user) | shared, record_type=record_type)
        .distinct()
        .order_by("name", "id")
    )


def saved_view_get(user: Any, record_type: str, pk: Any) -> SavedView:
    """One view ``user`` may use; RecordNotFound for a missing one and for anyone else's
    private view alike."""
    try:
        view = saved_views_for(user, record_type).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        view = None
    if view is None:
        raise RecordNotFound()
    return view


def saved_view_default(user: Any, record_type: str) -> SavedView | None:
    """The view ``user`` chose to open ``record_type``'s list with, if any."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return SavedView.objects.filter(owner=user, record_type=record_type, is_default=True).first()
