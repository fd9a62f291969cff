"""Notifications: made when someone else assigns a record, counted by the bell, read on the
notifications page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import Personas
from rapport.framework.actor import Actor
from rapport.framework.events import RecordEvent
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_create, record_update
from rapport.framework.testing.factories import ActivityFactory, ContactFactory
from rapport.workspace.models import Notification
from rapport.workspace.selectors import attention_count
from rapport.workspace.services import notify_assignment

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": "pw"}).status_code == 302
    return client


def create_contact(actor: Any, owner: Any, name: str, capture: Any) -> Any:
    with capture(execute=True):
        return record_create(
            actor=Actor(user=actor),
            record_type=get_record_type("contacts"),
            data={"given_name": name, "family_name": "Lovelace", "owner": owner},
        )


def test_a_record_created_for_someone_else_notifies_its_owner(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    # when the administrator creates a contact owned by owner
    contact = create_contact(
        personas.admin, personas.owner, "Ada", django_capture_on_commit_callbacks
    )
    # then
    notification = Notification.objects.get()
    assert (notification.user, notification.actor, notification.kind) == (
        personas.owner,
        personas.admin,
        "assigned",
    )
    assert (notification.record_type, notification.object_id) == ("contacts", str(contact.pk))
    assert notification.text == "Ada Lovelace"
    assert notification.read_at is None


def test_own_records_and_changes_that_keep_the_owner_notify_nobody(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    contact = create_contact(
        personas.owner, personas.owner, "Ada", django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        record_update(
            actor=Actor(user=personas.admin),
            record_type=get_record_type("contacts"),
            record=contact,
            data={"given_name": "Augusta"},
        )
    assert not Notification.objects.exists()


def test_handing_a_record_over_notifies_the_new_owner(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    # given
    contact = create_contact(
        personas.owner, personas.owner, "Ada", django_capture_on_commit_callbacks
    )
    # when owner hands it to teammate
    with django_capture_on_commit_callbacks(execute=True):
        record_update(
            actor=Actor(user=personas.owner),
            record_type=get_record_type("contacts"),
            record=contact,
            data={"owner": personas.teammate},
        )
    # then
    notification = Notification.objects.get()
    assert (notification.user, notification.actor) == (personas.teammate, personas.owner)


def test_the_bell_counts_unread_notifications_and_overdue_tasks_in_one_query(
    personas: Personas, django_assert_num_queries: Any
) -> None:
    # given two unread and one read notification, one overdue task, and tasks that do not count
    now = timezone.now()
    for read_at in (None, None, now):
        Notification.objects.create(
            user=personas.owner,
            kind="assigned",
            record_type="contacts",
            object_id="1",
            text="Ada",
            read_at=read_at,
        )
    Notification.objects.create(
        user=personas.other, kind="assigned", record_type="contacts", object_id="1", text="Ada"
    )
    ActivityFactory(owner=personas.owner, kind="task", due_at=now - dt.timedelta(hours=1))
    ActivityFactory(owner=personas.owner, kind="task", due_at=now + dt.timedelta(hours=1))
    ActivityFactory(owner=personas.owner, kind="task", due_at=now - dt.timedelta(days=1), done=True)
    ActivityFactory(owner=personas.other, kind="task", due_at=now - dt.timedelta(days=1))
    # when / then
    with django_assert_num_queries(1):
        assert attention_count(user=personas.owner, now=now) == 3
    assert attention_count(user=personas.teammate, now=now) == 0


def test_the_bell_is_in_the_top_bar(personas: Personas) -> None:
    ActivityFactory(
        owner=personas.owner, kind="task", due_at=timezone.now() - dt.timedelta(hours=1)
    )
    body = signed_in("owner").get("/my-day/").content.decode()
    assert 'class="bell" href="/notifications/"' in body
    assert '<span class="bell-count">1<span class="visually-hidden"> item needs attention' in body


def test_the_notifications_page_lists_and_marks_read(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    # given one notification about a visible contact and one about a contact owner lost
    visible = create_contact(
        personas.admin, personas.owner, "Ada", django_capture_on_commit_callbacks
    )
    lost = create_contact(
        personas.admin, personas.owner, "Grace", django_capture_on_commit_callbacks
    )
    lost.owner = personas.other
    lost.save(update_fields=["owner"])
    Notification.objects.create(
        user=personas.other, kind="assigned", record_type="contacts", object_id="1", text="Secret"
    )
    client = signed_in("owner")
    # when
    body = client.get("/notifications/").content.decode()
    # then
    assert f'<a href="/contacts/{visible.pk}/">Ada Lovelace</a>' in body
    assert "Grace Lovelace" in body
    assert f"/contacts/{lost.pk}/" not in body
    assert "assigned to you by admin" in body
    assert "Secret" not in body
    assert not Notification.objects.filter(user=personas.owner, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=personas.other, read_at__isnull=True).count() == 1
    assert attention_count(user=personas.owner, now=timezone.now()) == 0


def test_an_empty_notifications_page_says_so(personas: Personas) -> None:
    ContactFactory(owner=personas.other)
    body = signed_in("owner").get("/notifications/").content.decode()
    assert "Nothing new." in body
    assert "No overdue tasks." in body


def test_the_subscriber_reads_nothing_and_writes_only_when_someone_is_told(
    personas: Personas, django_assert_num_queries: Any
) -> None:
    # given: events as the services send them
    mine = RecordEvent("contacts.updated", "contacts", 1, personas.owner.pk, label="Ada")
    handed = RecordEvent(
        "contacts.updated",
        "contacts",
        1,
        personas.owner.pk,
        assigned_to=personas.teammate.pk,
        label="Ada",
    )
    # then: an edit that hands nothing over costs no query; a hand-over costs one insert
    with django_assert_num_queries(0):
        notify_assignment(mine)
    with django_assert_num_queries(1):
        notify_assignment(handed)
    assert list(Notification.objects.values_list("user_id", "text")) == [
        (personas.teammate.pk, "Ada")
    ]
