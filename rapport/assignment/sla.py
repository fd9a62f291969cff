"""First-response SLA of new leads: a reminder to the owner when three quarters of the time
have passed, an escalation to the team lead once it is overdue; each sent once per lead."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

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


@transaction.atomic
def sla_notifications_send(*, now: dt.datetime | None = None) -> SlaRun:
    """Remind and escalate what is due at ``now`` (the periodic job, every 5 minutes).

    A lead still within its time and past three quarters of it reminds its owner; an overdue
    one is escalated to the lead of its team (a lead without a team lead is marked escalated
    with no one to tell). A lead answered, converted or without a due time is left alone."""
    now = now or timezone.now()
    fields = ("id", "created_at", "response_due_at", "owner_id", "team_id", "display_name")
    reminded = escalated = 0
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
        team_lead_id = lead.team.lead_id if lead.team is not None else None
        if team_lead_id is not None:
            _notify(team_lead_id, NotificationKind.SLA_OVERDUE, lead)
            escalated += 1
    return SlaRun(reminded=reminded, escalated=escalated)
