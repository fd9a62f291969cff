"""Generic-suite spec of accounts (rapport.framework.testing.specs)."""

from __future__ import annotations

from typing import Any

from rapport.accounts.models import Account
from rapport.framework.testing.factories import AccountFactory, TagFactory
from rapport.framework.testing.specs import (
    FieldFilter,
    OwnedRecordSpec,
    ReferenceCase,
    register_spec,
)


def account_build(*, owner: Any, team: Any = None, **overrides: Any) -> Account:
    account = AccountFactory(owner=owner, team=team, **overrides)
    account.tags.add(TagFactory(name="key-account"))
    return account


def account_create_payload(user: Any) -> dict[str, Any]:
    TagFactory(name="key-account")
    return {
        "name": "Acme Rockets",
        "website": "https://acme.example",
        "industry": "software",
        "billing_country": "US",
        "tags": ["key-account"],
    }


register_spec(
    OwnedRecordSpec(
        key="accounts",
        build=account_build,
        create_payload=account_create_payload,
        update_payload=lambda: {"name": "Renamed Company", "description": "Moved to Berlin"},
        field_filter=FieldFilter(
            constraint={"industry": "software"},
            matching={"industry": "software"},
            other={"industry": "retail"},
        ),
        references=(
            ReferenceCase(
                "parent", target="accounts", payload=lambda pk: {"parent": pk}, error_field="parent"
            ),
        ),
    )
)
