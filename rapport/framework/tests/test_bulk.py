"""Raw bulk writes (reserved ids, plain inserts and updates, the bounded file mapping), the
full-text index's bulk mode and events queued per batch."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from rapport.contacts.models import Contact, ContactEmail
from rapport.core.models import ChangeLogEntry
from rapport.framework.audit import CHANGELOG_COLUMNS
from rapport.framework.bulk import bounded_mapping, insert_rows, reserve_ids, update_rows
from rapport.framework.choices import ActorKind, ChangeAction, Channel
from rapport.framework.events import RecordEvent, events_queue, subscribe, unsubscribe
from rapport.search.ddl import ENTRY_FTS
from rapport.search.indexer import fts_bulk

pytestmark = pytest.mark.django_db(transaction=True)


def _contact(user: Any, family: str, pk: int | None = None) -> Contact:
    return Contact.objects.create(pk=pk, family_name=family, display_name=family, owner=user)


def test_reserved_ids_are_not_taken_by_later_inserts(personas: Any) -> None:
    # Given a contact, then ids reserved inside a transaction
    first = _contact(personas.owner, "First")
    with transaction.atomic():
        reserved = reserve_ids(Contact, 5)
        # When another contact is inserted the ordinary way, and more ids are reserved
        other = _contact(personas.owner, "Other")
        more = reserve_ids(Contact, 3)
        # And a contact is written with a reserved id
        _contact(personas.owner, "Reserved", pk=reserved[0])
    # Then the reservations are increasing, after what existed, and distinct from each
    # other and from the ordinary insert
    assert len(reserved) == 5 and reserved == sorted(reserved) and reserved[0] > first.pk
    assert other.pk not in reserved and not set(more) & {*reserved, other.pk}
    assert Contact.objects.get(pk=reserved[0]).family_name == "Reserved"
    assert reserve_ids(Contact, 0) == []


def test_insert_rows_converts_what_the_driver_does_not_take(personas: Any) -> None:
    # Given rows with plain values, and change-log rows with a datetime, JSON and an enum
    contact = _contact(personas.owner, "Plain")
    when = timezone.now().replace(microsecond=0)
    content_type = ContentType.objects.get_for_model(Contact).pk
    # When they are inserted as plain values
    emails = insert_rows(
        ContactEmail,
        ("contact_id", "email", "label", "is_primary"),
        [(contact.pk, "a@example.com", "work", True), (contact.pk, "b@example.com", "home", False)],
    )
    logged = insert_rows(
        ChangeLogEntry,
        CHANGELOG_COLUMNS,
        [
            (
                when,
                ActorKind.IMPORT,
                personas.owner.pk,
                None,
                Channel.IMPORT,
                "",
                ChangeAction.UPDATE,
                content_type,
                str(contact.pk),
                "Plain",
                {"city": ""},
                {"city": "Paris", "tags": ["a", "b"]},
            )
        ],
    )
    # Then they are stored as the ORM would store them
    assert (emails, logged) == (2, 1)
    assert list(contact.emails.order_by("email").values_list("email", "label", "is_primary")) == [
        ("a@example.com", "work", True),
        ("b@example.com", "home", False),
    ]
    entry = ChangeLogEntry.objects.get(object_id=str(contact.pk), action=ChangeAction.UPDATE)
    assert (entry.time, entry.actor_kind, entry.channel) == (when, "import", "import")
    assert (entry.before, entry.after) == ({"city": ""}, {"city": "Paris", "tags": ["a", "b"]})
    assert insert_rows(ContactEmail, ("contact_id", "email"), []) == 0


def test_update_rows_sets_the_given_fields_by_primary_key(personas: Any) -> None:
    # Given two contacts
    first, second = _contact(personas.owner, "First"), _contact(personas.owner, "Second")
    when = timezone.now().replace(microsecond=0)
    # When one is updated with a country, a time and text, by its primary key
    count = update_rows(
        Contact, ("city", "country", "updated_at"), [("Lyon", "FR", when, first.pk)]
    )
    # Then only that one changed, with the values converted as the ORM would
    assert count == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.city, first.country.code, first.updated_at) == ("Lyon", "FR", when)
    assert (second.city, second.country.code) == ("", "")
    assert update_rows(Contact, ("city",), []) == 0


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite settings")
def test_bounded_mapping_puts_the_setting_back(tmp_path: Any, monkeypatch: Any) -> None:
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from rapport.framework import bulk

    def mmap(db: Any) -> int | None:
        with db.cursor() as cur:
            cur.execute("PRAGMA mmap_size")
            row = cur.fetchone()
            return None if row is None else int(row[0])

    # Given the test database, in memory, which maps no file: left alone
    with bounded_mapping(4096):
        assert mmap(connection) is None
    # And a connection to a database file, with the settings' mapping
    file_db = DatabaseWrapper(
        {**connection.settings_dict, "NAME": str(tmp_path / "file.sqlite3")}, alias="default"
    )
    monkeypatch.setattr(bulk, "connections", {"default": file_db})
    try:
        before = mmap(file_db)
        assert before is not None and before > 4096
        # When an import bounds the mapping of that file, it is bounded inside
        with bounded_mapping(4096):
            assert mmap(file_db) == 4096
        # Then put back afterwards
        assert mmap(file_db) == before
    finally:
        file_db.close()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5")
def test_fts_bulk_mode_is_undone_with_the_transaction() -> None:
    def config() -> dict[str, Any]:
        with connection.cursor() as cur:
            cur.execute(f"SELECT k, v FROM {ENTRY_FTS}_config")
            return dict(cur.fetchall())

    before = config()

    class Stop(Exception):
        pass

    # When a batch in bulk mode fails midway
    with pytest.raises(Stop), transaction.atomic(), fts_bulk():
        assert config()["automerge"] == 0
        raise Stop
    # Then the index's settings are as they were
    assert config() == before
    # And a batch that finishes puts them back too
    with transaction.atomic(), fts_bulk():
        pass
    assert config().get("automerge", 4) == 4


def test_events_queued_as_a_batch_reach_subscribers_in_order_after_commit() -> None:
    seen: list[int] = []

    def handler(event: RecordEvent) -> None:
        seen.append(event.record_id)

    subscribe(handler)
    try:
        with transaction.atomic():
            events_queue([RecordEvent("contacts.created", "contacts", i, None) for i in (3, 1, 2)])
            assert seen == []
        assert seen == [3, 1, 2]
        with transaction.atomic():
            events_queue([RecordEvent("contacts.created", "contacts", 9, None)])
            transaction.set_rollback(True)
        assert seen == [3, 1, 2]
    finally:
        unsubscribe(handler)
