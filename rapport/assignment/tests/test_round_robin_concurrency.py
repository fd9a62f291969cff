"""Round-robin under concurrency: leads created at the same time by several writers still go
to each member in turn (the pointer row is locked while the next owner is chosen)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from rapport.assignment.tests.factories import rule_make
from rapport.framework.actor import Actor
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_create
from rapport.identity.models import Team, User
from rapport.leads.models import Lead

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # SQLite writers are serialised by BEGIN IMMEDIATE; the in-memory test database's shared
    # cache answers "table is locked" instead of waiting, so threads cannot run there.
    pytest.mark.skipif(connection.vendor == "sqlite", reason="needs a server database"),
]


def _create_leads(user_id: int, count: int) -> None:
    try:
        user = User.objects.get(pk=user_id)
        for _ in range(count):
            record_create(
                actor=Actor(user=user),
                record_type=get_record_type("leads"),
                data={"family_name": "Concurrent"},
            )
    finally:
        connection.close()


def test_concurrent_writers_share_the_leads_evenly(personas: Any) -> None:
    # given a round-robin rule over three people
    team = Team.objects.create(name="Inbound")
    members = [personas.owner, personas.teammate, personas.other]
    team.members.add(*members)
    rule_make(team=team)
    # when four writers create six leads each at the same time
    with ThreadPoolExecutor(max_workers=4) as pool:
        for future in [pool.submit(_create_leads, personas.admin.pk, 6) for _ in range(4)]:
            future.result()
    # then each member got exactly a third of them
    counts = Counter(Lead.objects.values_list("owner_id", flat=True))
    assert counts == {member.pk: 8 for member in members}
