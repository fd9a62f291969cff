"""Generic-suite spec of contacts (rapport.framework.testing.specs)."""

from __future__ import annotations

from typing import Any

from rapport.contacts.models import Contact
from rapport.framework.testing.factories import (
    AccountFactory,
    AccountMembershipFactory,
    ContactEmailFactory,
    ContactFactory,
    ContactPhoneFactory,
    TagFactory,
)
from rapport.framework.testing.specs import (
    FieldFilter,
    OwnedRecordSpec,
    ReferenceCase,
    register_spec,
)


def contact_build(*, owner: Any, team: Any = None, **overrides: Any) -> Contact:
    """A contact with one email, one phone and a membership at an account of the same owner."""
    contact = ContactFactory(owner=owner, team=team, **overrides)
    email = ContactEmailFactory(contact=contact)
    phone = ContactPhoneFactory(contact=contact)
    membership = AccountMembershipFactory(
        contact=contact, account=AccountFactory(owner=owner, team=team)
    )
    # the denormalised copies the write path keeps (contact_after_save)
    contact.primary_email, contact.primary_phone = email.email, phone.e164
    contact.primary_account = membership.account
    contact.save(update_fields=["primary_email", "primary_phone", "primary_account"])
    contact.tags.add(TagFactory(name="champion"))
    return contact


def contact_create_payload(user: Any) -> dict[str, Any]:
    account = AccountFactory(owner=user)
    TagFactory(name="champion")
    return {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "job_title": "Analyst",
        "emails": [{"email": "ada@engines.example"}],
        "phones": [{"number": "+1 202 555 0101"}],
        "memberships": [{"account": account.pk, "buying_role": "decision_maker"}],
        "tags": ["champion"],
    }


register_spec(
    OwnedRecordSpec(
        key="contacts",
        build=contact_build,
        create_payload=contact_create_payload,
        update_payload=lambda: {"job_title": "Chief Engineer", "department": "Research"},
        field_filter=FieldFilter(
            constraint={"city": "Berlin"}, matching={"city": "Berlin"}, other={"city": "Lyon"}
        ),
        references=(
            ReferenceCase(
                "membership account",
                target="accounts",
                payload=lambda pk: {"memberships": [{"account": pk}]},
                error_field="memberships.0.account",
            ),
        ),
    )
)
