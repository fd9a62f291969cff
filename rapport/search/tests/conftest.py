"""Helpers to create indexed records through the services, as every channel does."""

from __future__ import annotations

from typing import Any

import pytest

from rapport.framework.actor import Actor
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_create


def create(
    user: Any,
    key: str,
    data: dict[str, Any],
    children: dict[str, list[dict[str, Any]]] | None = None,
) -> Any:
    return record_create(
        actor=Actor(user=user), record_type=get_record_type(key), data=data, children=children
    )


@pytest.fixture
def make_contact(personas: Any) -> Any:
    def make(
        given: str,
        family: str,
        *,
        user: Any = None,
        emails: tuple[str, ...] = (),
        phones: tuple[str, ...] = (),
        account: Any = None,
    ) -> Any:
        children: dict[str, list[dict[str, Any]]] = {
            "emails": [{"email": e} for e in emails],
            "phones": [{"number": p} for p in phones],
        }
        if account is not None:
            children["memberships"] = [{"account": account}]
        return create(
            user or personas.owner,
            "contacts",
            {"given_name": given, "family_name": family},
            children,
        )

    return make
