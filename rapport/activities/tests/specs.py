"""Generic-suite spec of activities (rapport.framework.testing.specs)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType

from rapport.accounts.models import Account
from rapport.activities.models import Activity
from rapport.framework.testing.factories import (
    AccountFactory,
    ActivityFactory,
    ContactFactory,
    TagFactory,
)
from rapport.framework.testing.specs import (
    FieldFilter,
    OwnedRecordSpec,
    ReferenceCase,
    register_spec,
)


def activity_build(*, owner: Any, team: Any = None, **overrides: Any) -> Activity:
    """An activity about an account of the same owner, with a participating user and
    contact."""
    account = AccountFactory(owner=owner, team=team)
    activity = ActivityFactory(
        owner=owner,
        team=team,
        related_type=ContentType.objects.get_for_model(Account),
        related_id=account.pk,
        **overrides,
    )
    activity.participant_users.add(owner)
    activity.participant_contacts.add(ContactFactory(owner=owner, team=team))
    activity.tags.add(TagFactory(name="follow-up"))
    return activity


def activity_create_payload(user: Any) -> dict[str, Any]:
    account = AccountFactory(owner=user)
    contact = ContactFactory(owner=user)
    TagFactory(name="follow-up")
    return {
        "kind": "call",
        "subject": "Discovery call",
        "related_type": "accounts",
        "related_id": account.pk,
        "participant_users": [user.pk],
        "participant_contacts": [contact.pk],
        "tags": ["follow-up"],
    }


register_spec(
    OwnedRecordSpec(
        key="activities",
        build=activity_build,
        create_payload=activity_create_payload,
        update_payload=lambda: {"subject": "Renamed follow-up", "body": "Call after lunch"},
        field_filter=FieldFilter(
            constraint={"kind": "call"}, matching={"kind": "call"}, other={"kind": "task"}
        ),
        references=(
            ReferenceCase(
                "related record",
                target="accounts",
                payload=lambda pk: {"related_type": "accounts", "related_id": pk},
                error_field="related_id",
            ),
            ReferenceCase(
                "participant contact",
                target="contacts",
                payload=lambda pk: {"participant_contacts": [pk]},
                error_field="participant_contacts",
            ),
        ),
    )
)
