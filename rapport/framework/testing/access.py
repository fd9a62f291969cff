"""Helpers of the generic access suites: API clients per user, URLs, and "nothing changed".

``api_as(user)`` loads the user afresh, so the access context cached on a user object
(rapport.identity.access) is never shared between a test's setup and its requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from rest_framework.test import APIClient

from rapport.core.models import ChangeLogEntry
from rapport.framework.audit import record_snapshot
from rapport.framework.registry import get_record_type, record_type_key
from rapport.identity.models import User

PERSONAS = ("owner", "teammate", "other", "manager", "admin")


def api_as(user: User) -> APIClient:
    """An API client signed in as a fresh copy of ``user``."""
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def list_url(key: str) -> str:
    return f"/api/{key}/"


def detail_url(key: str, pk: Any) -> str:
    return f"/api/{key}/{pk}/"


def bulk_url(key: str) -> str:
    return f"/api/{key}/bulk/"


def changes_url(key: str, pk: Any) -> str:
    return f"/api/{key}/{pk}/changes/"


def result_ids(response: Any, id_field: str = "id") -> list[Any]:
    """Ids in a (cursor-paginated or plain) list response, sorted."""
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return sorted(row[id_field] for row in rows)


def error_fields(response: Any) -> list[str]:
    return sorted({e["field"] for e in response.json().get("errors", [])})


def changelog_count(record: Model) -> int:
    return ChangeLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk,
    ).count()


@dataclass(frozen=True)
class RecordState:
    """A record's stored field values (with tags and child rows) and its change-log size."""

    exists: bool
    values: dict[str, Any] | None
    changelog_rows: int


def record_state(record: Model) -> RecordState:
    model = type(record)
    fresh = model._default_manager.filter(pk=record.pk).first()
    rt = get_record_type(record_type_key(model))
    return RecordState(
        exists=fresh is not None,
        values=record_snapshot(fresh, rt) if fresh is not None else None,
        changelog_rows=changelog_count(record),
    )


def assert_unchanged(record: Model, before: RecordState) -> None:
    """The denied action left the record, its children and its change log as they were."""
    after = record_state(record)
    assert after == before


def row_count(key: str) -> int:
    return get_record_type(key).model._default_manager.count()


def total_changelog() -> int:
    return ChangeLogEntry.objects.count()
