"""Writes of the workspace: recently viewed records and notifications."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from rapport.framework.events import RecordEvent
from rapport.framework.registry import RecordType, get_record_type
from rapport.workspace.choices import NotificationKind
from rapport.workspace.models import Notification, RecentView

RECENT_VIEWS_KEPT = 20


@transaction.atomic
def recent_view_record(*, user: Any, record_type: RecordType, record: models.Model) -> None:
    """Remember that ``user`` opened ``record`` now (called by the record page); only the
    newest ``RECENT_VIEWS_KEPT`` records per user are kept."""
    if user is None or not getattr(user, "is_authenticated", False):
        return
    RecentView.objects.bulk_create(
        [
            RecentView(
                user=user,
                record_type=record_type.key,
                object_id=str(record.pk),
                viewed_at=timezone.now(),
            )
        ],
        update_conflicts=True,
        unique_fields=["user", "record_type", "object_id"],
        update_fields=["viewed_at"],
    )
    newest = (
        RecentView.objects.filter(user=user)
        .order_by("-viewed_at", "-id")
        .values("pk")[:RECENT_VIEWS_KEPT]
    )
    RecentView.objects.filter(user=user).exclude(pk__in=newest).delete()


def notification_create(
    *,
    user_id: int,
    kind: NotificationKind,
    actor_id: int | None,
    record_type: str,
    object_id: str,
    text: str,
) -> Notification:
    """Tell ``user_id`` about something (shown in the bell until the notifications page)."""
    return Notification.objects.create(
        user_id=user_id,
        kind=kind,
        actor_id=actor_id,
        record_type=record_type,
        object_id=object_id,
        text=text[:200],
    )


def notifications_mark_read(*, user: Any) -> int:
    """Mark every unread notification of ``user`` read (they opened the notifications page)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notify_assignment(event: RecordEvent) -> None:
    """Event subscriber: a record created for, or handed over to, someone other than the
    actor notifies its new owner.

    The event says whom the record was given to (``assigned_to``), so this reads nothing:
    it runs after every write, imports included, and only inserts when there is someone to
    tell."""
    action = event.name.rsplit(".", 1)[-1]
    if action not in ("created", "updated"):
        return
    owner_id = event.assigned_to
    if owner_id is None or owner_id == event.actor_user_id:
        return
    try:
        record_type = get_record_type(event.record_type)
    except KeyError:
        return
    notification_create(
        user_id=owner_id,
        kind=NotificationKind.ASSIGNED,
        actor_id=event.actor_user_id,
        record_type=record_type.key,
        object_id=str(event.record_id),
        text=event.label,
    )
