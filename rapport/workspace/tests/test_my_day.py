"""My day: due and overdue activities, opportunities closing this month, recent records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import Personas
from rapport.framework.registry import get_record_type
from rapport.framework.testing.factories import (
    ActivityFactory,
    ContactFactory,
    OpportunityFactory,
    StageFactory,
)
from rapport.workspace.models import RecentView
from rapport.workspace.selectors import day_bounds, my_day, recent_records
from rapport.workspace.services import RECENT_VIEWS_KEPT, recent_view_record

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": "pw"}).status_code == 302
    return client


def test_activities_due_today_and_overdue(personas: Personas) -> None:
    # given (at a fixed moment: 14:00 today)
    today = timezone.localdate()
    start, end = day_bounds(today)
    now = start + dt.timedelta(hours=14)
    hour = dt.timedelta(hours=1)
    ActivityFactory(owner=personas.owner, subject="Late task", due_at=start - hour)
    ActivityFactory(owner=personas.owner, subject="Task this morning", due_at=start + 9 * hour)
    ActivityFactory(owner=personas.owner, subject="Call tonight", kind="call", due_at=now + hour)
    ActivityFactory(
        owner=personas.owner, subject="Morning meeting", kind="meeting", start_at=start + hour
    )
    ActivityFactory(
        owner=personas.owner, subject="Old meeting", kind="meeting", start_at=start - hour
    )
    invited = ActivityFactory(
        owner=personas.teammate,
        team=personas.team,
        subject="Team meeting",
        kind="meeting",
        start_at=now + 2 * hour,
    )
    invited.participant_users.add(personas.owner)
    # and activities that do not belong on the page
    ActivityFactory(owner=personas.owner, subject="Done", due_at=start - hour, done=True)
    ActivityFactory(owner=personas.owner, subject="Tomorrow", due_at=end + hour)
    ActivityFactory(owner=personas.owner, subject="A note", kind="note", due_at=start + hour)
    ActivityFactory(owner=personas.other, subject="Not mine", due_at=start - hour)
    ActivityFactory(owner=personas.teammate, team=personas.team, subject="Mate's", due_at=start)
    # when
    day = my_day(user=personas.owner, now=now)
    # then
    assert [a.subject for a in day.overdue] == ["Late task", "Old meeting", "Task this morning"]
    assert [a.subject for a in day.today] == ["Morning meeting", "Call tonight", "Team meeting"]


def test_opportunities_closing_this_month(personas: Personas) -> None:
    # given
    today = timezone.localdate()
    first = today.replace(day=1)
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    open_stage = StageFactory(name="Open")
    won = StageFactory(name="Won", kind="won", pipeline=open_stage.pipeline)

    def deal(name: str, owner: Any, close: dt.date, stage: Any = open_stage) -> None:
        OpportunityFactory(
            name=name, owner=owner, stage=stage, pipeline=stage.pipeline, expected_close_date=close
        )

    deal("Last day", personas.owner, next_month - dt.timedelta(days=1))
    deal("First day", personas.owner, first)
    deal("Next month", personas.owner, next_month)
    deal("Already won", personas.owner, first, stage=won)
    deal("Someone else's", personas.teammate, first)
    # when
    closing = my_day(user=personas.owner, now=timezone.now()).closing
    # then
    assert [o.name for o in closing] == ["First day", "Last day"]


def test_recently_viewed_keeps_the_newest_twenty_once_each(personas: Personas) -> None:
    contacts = get_record_type("contacts")
    records = [ContactFactory(owner=personas.owner) for _ in range(RECENT_VIEWS_KEPT + 2)]
    for record in records:
        recent_view_record(user=personas.owner, record_type=contacts, record=record)
    recent_view_record(user=personas.owner, record_type=contacts, record=records[5])
    recent_view_record(user=personas.teammate, record_type=contacts, record=records[0])
    # then: the 20 newest views, records[5] first, records[0] and [1] dropped for owner only
    kept = list(
        RecentView.objects.filter(user=personas.owner)
        .order_by("-viewed_at", "-id")
        .values_list("object_id", flat=True)
    )
    assert len(kept) == RECENT_VIEWS_KEPT
    assert kept[0] == str(records[5].pk)
    assert kept.count(str(records[5].pk)) == 1
    assert str(records[0].pk) not in kept
    assert str(records[1].pk) not in kept
    assert RecentView.objects.filter(user=personas.teammate).count() == 1


def test_recently_viewed_shows_only_records_still_visible(personas: Personas) -> None:
    # given three viewed contacts; one is handed to another user, one is deleted
    contacts = get_record_type("contacts")
    kept, handed, gone = (ContactFactory(owner=personas.owner) for _ in range(3))
    for record in (kept, handed, gone):
        recent_view_record(user=personas.owner, record_type=contacts, record=record)
    handed.owner = personas.other
    handed.save(update_fields=["owner"])
    gone.delete()
    # when
    recent = recent_records(user=personas.owner)
    # then
    assert [(r.record_type, r.label, r.url) for r in recent] == [
        ("contacts", str(kept), f"/contacts/{kept.pk}/")
    ]


def test_the_page_shows_every_section(personas: Personas) -> None:
    start, _ = day_bounds(timezone.localdate())
    ActivityFactory(owner=personas.owner, subject="Late task", due_at=start - dt.timedelta(hours=1))
    contact = ContactFactory(owner=personas.owner, display_name="Ada Lovelace")
    recent_view_record(user=personas.owner, record_type=get_record_type("contacts"), record=contact)
    response = signed_in("owner").get("/my-day/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Late task" in body
    assert "Nothing due today." in body
    assert "No opportunities of yours close this month." in body
    assert f'<a href="/contacts/{contact.pk}/">Ada Lovelace</a>' in body


def test_opening_a_record_page_lists_it_under_recently_viewed(personas: Personas) -> None:
    # given
    contact = ContactFactory(owner=personas.owner, family_name="Somerville")
    client = signed_in("owner")
    # when
    assert client.get(f"/contacts/{contact.pk}/").status_code == 200
    # then
    page = client.get("/my-day/").content.decode()
    assert f'href="/contacts/{contact.pk}/"' in page
    assert [r.url for r in recent_records(user=personas.owner)] == [f"/contacts/{contact.pk}/"]
