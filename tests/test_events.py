"""Record events reach subscribers after commit, with the record's id, and never on rollback."""

import pytest
from django.db import transaction

from rapport.framework.actor import Actor
from rapport.framework.events import RecordEvent, subscribe, unsubscribe
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_create, record_delete, record_update


@pytest.fixture
def received():
    events: list[RecordEvent] = []
    subscribe(events.append)
    yield events
    unsubscribe(events.append)


@pytest.mark.django_db(transaction=True)
def test_create_update_delete_are_dispatched_after_commit(personas, received):
    actor = Actor(user=personas.owner)
    accounts = get_record_type("accounts")

    with transaction.atomic():
        account = record_create(actor=actor, record_type=accounts, data={"name": "Acme"})
        assert received == []
    account_id = account.pk
    record_update(actor=actor, record_type=accounts, record=account, data={"name": "Acme Ltd"})
    record_delete(actor=actor, record_type=accounts, record=account)

    assert [(e.name, e.record_id, e.actor_user_id) for e in received] == [
        ("accounts.created", account_id, personas.owner.pk),
        ("accounts.updated", account_id, personas.owner.pk),
        ("accounts.deleted", account_id, personas.owner.pk),
    ]


@pytest.mark.django_db(transaction=True)
def test_nothing_is_dispatched_when_the_transaction_rolls_back(personas, received):
    actor = Actor(user=personas.owner)

    with pytest.raises(RuntimeError), transaction.atomic():
        record_create(actor=actor, record_type=get_record_type("accounts"), data={"name": "A"})
        raise RuntimeError

    assert received == []


@pytest.mark.django_db(transaction=True)
def test_an_update_that_changes_nothing_sends_no_event(personas, received):
    actor = Actor(user=personas.owner)
    accounts = get_record_type("accounts")
    account = record_create(actor=actor, record_type=accounts, data={"name": "Acme"})
    received.clear()

    record_update(actor=actor, record_type=accounts, record=account, data={"name": "Acme"})

    assert received == []
