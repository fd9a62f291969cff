"""One change-log row, as the record services write it and the bulk writers insert it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rapport.framework.actor import Actor
from rapport.framework.audit import CHANGELOG_COLUMNS, changelog_row
from rapport.framework.choices import ActorKind, ChangeAction, Channel


def _row(**kwargs: Any) -> dict[str, Any] | None:
    values = {
        "actor": Actor(user=None, kind=ActorKind.JOB, channel=Channel.JOB, request_id="r" * 80),
        "content_type_id": 7,
        "object_id": 42,
        "object_repr": "x" * 250,
        "time": dt.datetime(2026, 11, 26, tzinfo=dt.UTC),
        **kwargs,
    }
    row = changelog_row(**values)
    return None if row is None else dict(zip(CHANGELOG_COLUMNS, row, strict=True))


def test_an_update_keeps_only_what_changed_and_one_that_changed_nothing_has_no_row() -> None:
    before = {"city": "Lyon", "country": "FR", "tags": ["a"]}
    # an update: only the keys whose values differ, on both sides
    row = _row(action=ChangeAction.UPDATE, before=before, after={**before, "city": "Paris"})
    assert row is not None
    assert (row["before"], row["after"]) == ({"city": "Lyon"}, {"city": "Paris"})
    # an update that changed nothing: no row
    assert _row(action=ChangeAction.UPDATE, before=before, after=dict(before)) is None


@pytest.mark.parametrize("action", [ChangeAction.CREATE, ChangeAction.DELETE])
def test_a_creation_or_deletion_keeps_its_whole_snapshot_and_the_actor(
    action: ChangeAction,
) -> None:
    snapshot = {"city": "Lyon"}
    before, after = (None, snapshot) if action == ChangeAction.CREATE else (snapshot, None)
    row = _row(action=action, before=before, after=after)
    assert row is not None
    assert (row["before"], row["after"]) == (before, after)
    # the actor as given, the id as text, the request id and label cut to their columns
    assert (row["actor_kind"], row["channel"], row["user_id"]) == (
        ActorKind.JOB,
        Channel.JOB,
        None,
    )
    assert (row["object_id"], len(row["request_id"]), len(row["object_repr"])) == ("42", 64, 200)
    assert row["time"] == dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
