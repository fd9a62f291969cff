"""Outbound events: queued inside the write transaction, dispatched after commit.

Webhooks, notifications and automation rules subscribe with ``subscribe``; a rolled-back
transaction dispatches nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction


@dataclass(frozen=True)
class RecordEvent:
    name: str  # "<record type>.created" / ".updated" / ".deleted"
    record_type: str
    record_id: int
    actor_user_id: int | None
    # The user the record was given to by this change (created with an owner, or its owner
    # changed), and the record's label: subscribers need no read of their own for these.
    assigned_to: int | None = None
    label: str = ""


Handler = Callable[[RecordEvent], None]
_handlers: list[Handler] = []


def subscribe(handler: Handler) -> Handler:
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def unsubscribe(handler: Handler) -> None:
    if handler in _handlers:
        _handlers.remove(handler)


def events_queue(events: list[RecordEvent]) -> None:
    """Dispatch ``events``, in order, to every subscriber once the current transaction
    commits (one callback for a whole batch of writes)."""
    if not events:
        return

    def dispatch() -> None:
        handlers = list(_handlers)
        for event in events:
            for handler in handlers:
                handler(event)

    transaction.on_commit(dispatch)


def event_queue(event: RecordEvent) -> None:
    """Dispatch ``event`` to every subscriber once the current transaction commits."""
    events_queue([event])
