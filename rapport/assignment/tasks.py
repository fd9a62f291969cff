"""The first-response SLA job of the assignment app."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from rapport.assignment.sla import sla_notifications_send
from rapport.core.schedule import schedule


@task()
def lead_sla_check() -> int:
    """Send the due first-response reminders and escalations; returns how many were sent."""
    run = sla_notifications_send()
    return run.reminded + run.escalated


schedule.register(name="assignment.lead_sla_check", task=lead_sla_check, every=timedelta(minutes=5))
