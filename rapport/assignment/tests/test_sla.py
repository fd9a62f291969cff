"""First-response SLA: responses stop the clock; reminder at 75 %, escalation when overdue,
each once."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from conftest import client_for
from rapport.assignment.choices import AssignmentMethod
from rapport.assignment.sla import sla_notifications_send
from rapport.assignment.tasks import lead_sla_check
from rapport.assignment.tests.factories import rule_make
from rapport.core.schedule import schedule_autodiscover
from rapport.identity.models import Role, Team, User
from rapport.leads.models import Lead
from rapport.workspace.choices import NotificationKind
from rapport.workspace.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def sla_lead(personas: Any) -> Lead:
    """A lead created at 09:00 for owner in team East (led by manager), due at 10:00."""
    Team.objects.filter(pk=personas.team.pk).update(lead=personas.manager)
    rule_make(method=AssignmentMethod.USER, user=personas.owner, team=personas.team, sla_minutes=60)
    with freeze_time("2026-11-26 09:00:00"):
        response = client_for(personas.teammate).post(
            "/api/leads/", {"family_name": "Turing"}, format="json"
        )
    assert response.status_code == 201, response.content
    return Lead.objects.get(pk=response.json()["id"])


def _notes() -> list[tuple[str, str, str]]:
    return [
        (n.user.username, n.kind, n.text)
        for n in Notification.objects.exclude(kind=NotificationKind.ASSIGNED).order_by("id")
    ]


def test_reminder_at_three_quarters_then_escalation_each_once(sla_lead: Lead) -> None:
    # when the job runs before 75 % of the hour has passed
    with freeze_time("2026-11-26 09:44:59"):
        early = sla_notifications_send()
    assert (early.reminded, early.escalated) == (0, 0)
    # then nobody is told
    assert _notes() == []
    # when it runs at 09:45 and again at 09:50
    with freeze_time("2026-11-26 09:45:00"):
        first = sla_notifications_send()
    with freeze_time("2026-11-26 09:50:00"):
        again = sla_notifications_send()
    # then the owner is reminded once
    assert (first.reminded, first.escalated, again.reminded, again.escalated) == (1, 0, 0, 0)
    assert _notes() == [("owner", NotificationKind.SLA_REMINDER, "Turing")]
    # when it runs after 10:00, twice
    with freeze_time("2026-11-26 10:00:00"):
        late = sla_notifications_send()
    with freeze_time("2026-11-26 10:05:00"):
        later = sla_notifications_send()
    # then the team lead is told once
    assert (late.reminded, late.escalated, later.escalated) == (0, 1, 0)
    assert _notes() == [
        ("owner", NotificationKind.SLA_REMINDER, "Turing"),
        ("manager", NotificationKind.SLA_OVERDUE, "Turing"),
    ]
    sla_lead.refresh_from_db()
    assert sla_lead.sla_reminded_at is not None
    assert sla_lead.sla_reminded_at.isoformat() == "2026-11-26T09:45:00+00:00"
    assert sla_lead.sla_escalated_at is not None
    assert sla_lead.sla_escalated_at.isoformat() == "2026-11-26T10:00:00+00:00"


def test_a_call_logged_on_the_lead_stops_the_clock(personas: Any, sla_lead: Lead) -> None:
    # given a call logged on the lead at 09:20 through the API
    with freeze_time("2026-11-26 09:20:00"):
        response = client_for(personas.owner).post(
            "/api/activities/",
            {
                "kind": "call",
                "subject": "Intro call",
                "related_type": "leads",
                "related_id": sla_lead.pk,
            },
            format="json",
        )
    assert response.status_code == 201, response.content
    sla_lead.refresh_from_db()
    assert sla_lead.responded_at is not None
    assert sla_lead.responded_at.isoformat() == "2026-11-26T09:20:00+00:00"
    # when the job runs after the due time
    with freeze_time("2026-11-26 10:30:00"):
        run = sla_notifications_send()
    # then nobody is reminded or escalated to
    assert (run.reminded, run.escalated) == (0, 0)
    assert _notes() == []


def test_a_task_is_not_a_response(personas: Any, sla_lead: Lead) -> None:
    # when a task (not a call, email or meeting) is logged on the lead
    response = client_for(personas.owner).post(
        "/api/activities/",
        {"kind": "task", "subject": "Research", "related_type": "leads", "related_id": sla_lead.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    # then the clock still runs
    sla_lead.refresh_from_db()
    assert sla_lead.responded_at is None


def test_leaving_status_new_is_a_response(personas: Any, sla_lead: Lead) -> None:
    # when the owner moves the lead to "working" at 09:10
    with freeze_time("2026-11-26 09:10:00"):
        response = client_for(personas.owner).patch(
            f"/api/leads/{sla_lead.pk}/", {"status": "working"}, format="json"
        )
    # then the first response is stamped, read-only in the API
    assert response.status_code == 200, response.content
    assert response.json()["responded_at"] == "2026-11-26T09:10:00Z"
    patched = client_for(personas.owner).patch(
        f"/api/leads/{sla_lead.pk}/", {"responded_at": None, "status": "nurturing"}, format="json"
    )
    assert patched.json()["responded_at"] == "2026-11-26T09:10:00Z"


def test_an_activity_on_another_record_does_not_count(personas: Any, sla_lead: Lead) -> None:
    # given an activity with the same id but on a contact
    contact_type = ContentType.objects.get(app_label="contacts", model="contact")
    assert contact_type.pk != ContentType.objects.get_for_model(Lead).pk
    client_for(personas.owner).post(
        "/api/activities/",
        {"kind": "call", "subject": "Other call"},
        format="json",
    )
    sla_lead.refresh_from_db()
    assert sla_lead.responded_at is None


def test_overdue_lead_without_a_team_lead_goes_to_the_owners_manager(
    personas: Any, sla_lead: Lead
) -> None:
    # given the team has no lead; the owner's role reports to the manager's
    Team.objects.filter(pk=personas.team.pk).update(lead=None)
    # when the job runs after the due time, twice
    with freeze_time("2026-11-26 11:00:00"):
        run = sla_notifications_send()
        again = sla_notifications_send()
    # then the manager is told once, and the lead is not reminded any more
    assert (run.reminded, run.escalated) == (0, 1)
    assert (again.reminded, again.escalated) == (0, 0)
    sla_lead.refresh_from_db()
    assert sla_lead.sla_escalated_at is not None
    assert sla_lead.sla_reminded_at is None
    assert _notes() == [("manager", "sla_overdue", "Turing")]


def test_an_owner_leading_the_team_is_escalated_past_to_the_next_role_with_people(
    personas: Any, sla_lead: Lead
) -> None:
    # given the owner leads the team, and between the owner's role and the manager's there
    # is a role nobody holds (and the next role up has an inactive user too)
    Team.objects.filter(pk=personas.team.pk).update(lead=personas.owner)
    head = personas.manager.role
    empty = Role.objects.create(name="Regional lead", parent=head)
    Role.objects.filter(pk=personas.owner.role_id).update(parent=empty)
    User.objects.create_user("gone", "gone@example.com", "pw", role=head, is_active=False)
    # when the lead is overdue
    with freeze_time("2026-11-26 11:00:00"):
        run = sla_notifications_send()
    # then the active manager above is told, not the owner
    assert run.escalated == 1
    assert _notes() == [("manager", "sla_overdue", "Turing")]


def test_overdue_lead_with_no_one_above_is_marked_without_a_notification(
    personas: Any, sla_lead: Lead
) -> None:
    # given no team lead and an owner whose role reports to nobody
    Team.objects.filter(pk=personas.team.pk).update(lead=None)
    Role.objects.filter(pk=personas.owner.role_id).update(parent=None)
    # when the job runs after the due time
    with freeze_time("2026-11-26 11:00:00"):
        run = sla_notifications_send()
    # then the lead is marked escalated, nobody told, and not reminded any more
    assert (run.reminded, run.escalated) == (0, 0)
    sla_lead.refresh_from_db()
    assert sla_lead.sla_escalated_at is not None
    assert sla_lead.sla_reminded_at is None
    assert _notes() == []


def test_the_job_is_scheduled_every_five_minutes_and_runs(sla_lead: Lead) -> None:
    job = next(j for j in schedule_autodiscover() if j.name == "assignment.lead_sla_check")
    assert job.every is not None
    assert job.every.total_seconds() == 300
    with freeze_time("2026-11-26 09:50:00"):
        result = lead_sla_check.enqueue()
    assert result.return_value == 1


def test_the_notifications_page_says_what_is_due(personas: Any, sla_lead: Lead) -> None:
    # given the lead is overdue and escalated
    with freeze_time("2026-11-26 10:01:00"):
        sla_notifications_send()
    client = Client()
    client.force_login(personas.manager)
    # when the team lead opens their notifications
    page = client.get(reverse("notifications")).content.decode()
    # then the overdue lead is listed with what happened, linked to it
    assert "First response overdue" in page
    assert reverse("ui:detail", kwargs={"key": "leads", "pk": sla_lead.pk}) in page
    assert "assigned to you" not in page
