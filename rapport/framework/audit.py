"""Snapshots of records and the change-log rows written by the framework services."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from rapport.core.models import ChangeLogEntry
from rapport.framework.actor import Actor
from rapport.framework.choices import ChangeAction
from rapport.framework.registry import RecordType

_SKIP = {"updated_at", "updated_by"}
# Derived values recomputed from other data (a lead's scores), by model label: like formula
# fields they are not logged, or every rescore would fill the history with changes nobody made.
_DERIVED: dict[str, frozenset[str]] = {}


def changelog_skip(model: type[models.Model], *names: str) -> None:
    """Leave the derived fields ``names`` of ``model`` out of snapshots and the change log."""
    label = model._meta.label_lower
    _DERIVED[label] = _DERIVED.get(label, frozenset()) | set(names)


def json_value(value: Any) -> Any:
    """A JSON-compatible form of a field value (decimals and dates as strings)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    return value


def record_snapshot(record: models.Model, record_type: RecordType | None = None) -> dict[str, Any]:
    """Field values of ``record`` as they are in the database now (foreign keys as ids)."""
    data: dict[str, Any] = {}
    derived = _DERIVED.get(record._meta.label_lower, frozenset())
    for f in record._meta.concrete_fields:
        if f.name in _SKIP or f.name in derived:
            continue
        raw = getattr(record, f.attname)
        data[f.name] = json_value(raw if f.is_relation else f.get_prep_value(raw))
    if record.pk is not None and hasattr(record, "tags"):
        data["tags"] = sorted(t.name for t in record.tags.all())
    if record_type is not None and record.pk is not None:
        for child in record_type.children:
            rows = child.model._default_manager.filter(**{child.fk: record.pk}).order_by("pk")
            data[child.name] = [
                {name: _field_json(row, name) for name in child.fields} for row in rows
            ]
    return data


def _field_json(row: models.Model, name: str) -> Any:
    f = row._meta.get_field(name)
    raw = getattr(row, f.attname)  # type: ignore[union-attr]
    return json_value(raw if f.is_relation else f.get_prep_value(raw))  # type: ignore[union-attr]


# The columns of a change-log row, in the order ``changelog_row`` gives its values (bulk
# writers insert many with ``rapport.framework.bulk.insert_rows``).
CHANGELOG_COLUMNS = (
    "time",
    "actor_kind",
    "user_id",
    "token_id",
    "channel",
    "request_id",
    "action",
    "content_type_id",
    "object_id",
    "object_repr",
    "before",
    "after",
)


def changelog_row(
    *,
    actor: Actor,
    action: ChangeAction,
    content_type_id: int,
    object_id: int | str,
    object_repr: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    time: dt.datetime | None = None,
) -> tuple[Any, ...] | None:
    """The values of one change-log row (``CHANGELOG_COLUMNS``), with only the keys that
    changed when there are both a before and an after; None for an update that changed
    nothing."""
    if action == ChangeAction.UPDATE and before == after:
        return None
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    user_id = actor.user.pk if actor.user is not None and actor.user.pk else None
    return (
        time or timezone.now(),
        actor.kind,
        user_id,
        actor.token_id,
        actor.channel,
        actor.request_id[:64],
        action,
        content_type_id,
        str(object_id),
        object_repr[:200],
        before,
        after,
    )


def changelog_write(
    *,
    actor: Actor,
    action: ChangeAction,
    record: models.Model,
    object_id: int | str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    object_repr: str | None = None,
) -> ChangeLogEntry | None:
    """Append one change-log row; an update that changed nothing writes none.
    ``object_repr`` defaults to ``str(record)`` (give it for a record already deleted)."""
    row = changelog_row(
        actor=actor,
        action=action,
        content_type_id=ContentType.objects.get_for_model(type(record)).pk,
        object_id=object_id,
        object_repr=str(record) if object_repr is None else object_repr,
        before=before,
        after=after,
    )
    if row is None:
        return None
    return ChangeLogEntry.objects.create(**dict(zip(CHANGELOG_COLUMNS, row, strict=True)))
