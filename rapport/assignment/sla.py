"""First-response SLA of new leads: a reminder to the owner when three quarters of the time
have passed, an escalation once it is overdue (to the team lead, or else to the owner's
managers in the role tree); each sent once per lead."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from rapport.identity.models import Role, User
from rapport.leads.models import Lead
from rapport.workspace.choices import NotificationKind
from rapport.workspace.services import notification_create

# The share of the response time after which the owner is reminded.
REMINDER_AT = 0.75


@dataclass(frozen=True)
class SlaRun:
    reminded: int
    escalated: int


def _unanswered() -> QuerySet[Lead]:
    return Lead.objects.filter(
        response_due_at__isnull=False, responded_at__isnull=True, converted_at__isnull=True
    )


def _reminder_due(lead: Lead, now: dt.datetime) -> bool:
    assert lead.response_due_at is not None
    allowed = lead.response_due_at - lead.created_at
    return now >= lead.created_at + allowed * REMINDER_AT


def _claim(lead: Lead, field: str, now: dt.datetime) -> bool:
    """Stamp ``field`` unless another run did: only the run that stamps it notifies."""
    return bool(
        Lead.objects.filter(pk=lead.pk, **{f"{field}__isnull": True}).update(**{field: now})
    )


def _notify(user_id: int, kind: NotificationKind, lead: Lead) -> None:
    notification_create(
        user_id=user_id,
        kind=kind,
        actor_id=None,
        record_type="leads",
        object_id=str(lead.pk),
        text=lead.display_name,
    )


def _managers(owner_id: int) -> list[int]:
    """The active users of the nearest role above the owner's that has any."""
    role = User.objects.filter(pk=owner_id).values_list("role", flat=True).first()
    seen: set[int] = set()
    while role is not None and role not in seen:
        seen.add(role)
        parent = Role.objects.filter(pk=role).values_list("parent", flat=True).first()
        if parent is None:
            return []
        users = list(
            User.objects.filter(role=parent, is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if users:
            return users
        role = parent
    return []


def _escalate_to(lead: Lead, managers: dict[int, list[int]]) -> list[int]:
    """The team lead, unless the lead's owner is the team lead; else the owner's managers
    (``managers`` keeps them by owner for the run)."""
    team_lead_id = lead.team.lead_id if lead.team is not None else None
    if team_lead_id is not None and team_lead_id != lead.owner_id:
        return [team_lead_id]
    if lead.owner_id not in managers:
        managers[lead.owner_id] = _managers(lead.owner_id)
    return managers[lead.owner_id]


@transaction.atomic
def sla_notifications_send(*, now: dt.datetime | None = None) -> SlaRun:
    """Remind and escalate what is due at ``now`` (the periodic job, every 5 minutes).

    A lead still within its time and past three quarters of it reminds its owner; an overdue
    one is escalated to the lead of its team, or, with no team lead (or the owner leading the
    team), to the active users of the nearest role above the owner's. With no one to tell it
    is marked escalated all the same. A lead answered, converted or without a due time is left
    alone."""
    now = now or timezone.now()
    fields = ("id", "created_at", "response_due_at", "owner_id", "team_id", "display_name")
    reminded = escalated = 0
    managers: dict[int, list[int]] = {}
    for lead in (
        _unanswered().filter(sla_reminded_at__isnull=True, response_due_at__gt=now).only(*fields)
    ):
        if _reminder_due(lead, now) and _claim(lead, "sla_reminded_at", now):
            _notify(lead.owner_id, NotificationKind.SLA_REMINDER, lead)
            reminded += 1
    overdue = (
        _unanswered()
        .filter(sla_escalated_at__isnull=True, response_due_at__lte=now)
        .select_related("team")
        .only(*fields, "team__lead_id")
    )
    for lead in overdue:
        if not _claim(lead, "sla_escalated_at", now):
            continue
        recipients = _escalate_to(lead, managers)
        for user_id in recipients:
            _notify(user_id, NotificationKind.SLA_OVERDUE, lead)
        escalated += bool(recipients)
    return SlaRun(reminded=reminded, escalated=escalated)
