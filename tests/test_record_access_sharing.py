"""Generic access suite, part two: sharing defaults, record shares, object permissions and
inactive users, for every owned record type (see tests/test_record_access.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from rapport.framework.registry import get_record_type
from rapport.framework.testing.access import (
    api_as,
    assert_unchanged,
    detail_url,
    list_url,
    record_state,
    result_ids,
)
from rapport.framework.testing.specs import OwnedRecordSpec, owned_keys, owned_spec
from rapport.identity.models import ObjectPermission, RecordShare, SharingDefault

pytestmark = pytest.mark.django_db


@pytest.fixture(params=owned_keys())
def key(request: Any) -> str:
    return request.param


@pytest.fixture
def spec(key: str) -> OwnedRecordSpec:
    return owned_spec(key)


@pytest.fixture
def record(spec: OwnedRecordSpec, personas: Any) -> Model:
    """A record of the owner's in team East."""
    return spec.build(owner=personas.owner, team=personas.team)


def _try_patch(user: Any, key: str, record: Model, spec: OwnedRecordSpec) -> tuple[int, bool]:
    """PATCH ``record`` as ``user``: the status, and whether the record changed."""
    before = record_state(record)
    response = api_as(user).patch(detail_url(key, record.pk), spec.update_payload())
    after = record_state(record)
    if response.status_code != 200:
        assert after == before
    return response.status_code, after != before


def _try_delete(user: Any, key: str, record: Model) -> int:
    before = record_state(record)
    response = api_as(user).delete(detail_url(key, record.pk))
    if response.status_code != 204:
        assert_unchanged(record, before)
    else:
        assert not record_state(record).exists
    return response.status_code


def _sees(user: Any, key: str, record: Model) -> bool:
    client = api_as(user)
    in_list = record.pk in result_ids(client.get(list_url(key)))
    status = client.get(detail_url(key, record.pk)).status_code
    assert (in_list, status) in ((True, 200), (False, 404))
    return in_list


# --- organisation-wide and team defaults ---------------------------------------------------


def test_org_read_lets_others_view_but_not_change(
    key: str, spec: OwnedRecordSpec, record: Model, personas: Any
) -> None:
    # given read access for everyone
    SharingDefault.objects.create(record_type=key, org_access="read", team_access="read")
    # then the other user sees the record but may neither change nor delete it
    assert _sees(personas.other, key, record)
    assert _try_patch(personas.other, key, record, spec) == (403, False)
    assert _try_delete(personas.other, key, record) == 403


def test_org_read_write_lets_others_change_but_not_delete(
    key: str, spec: OwnedRecordSpec, record: Model, personas: Any
) -> None:
    SharingDefault.objects.create(record_type=key, org_access="read_write", team_access="read")
    assert _sees(personas.other, key, record)
    assert _try_delete(personas.other, key, record) == 403
    assert _try_patch(personas.other, key, record, spec) == (200, True)


def test_team_none_hides_the_record_from_teammates(
    key: str, spec: OwnedRecordSpec, record: Model, personas: Any
) -> None:
    # given no team access
    SharingDefault.objects.create(record_type=key, org_access="private", team_access="none")
    # then the teammate neither sees nor changes the record; the owner still does
    assert not _sees(personas.teammate, key, record)
    assert _try_patch(personas.teammate, key, record, spec) == (404, False)
    assert _sees(personas.owner, key, record)


def test_team_read_write_lets_teammates_change_but_not_delete(
    key: str, spec: OwnedRecordSpec, record: Model, personas: Any
) -> None:
    SharingDefault.objects.create(record_type=key, org_access="private", team_access="read_write")
    assert _try_delete(personas.teammate, key, record) == 403
    assert _try_patch(personas.teammate, key, record, spec) == (200, True)
    # and the other user, outside the team, still cannot see it
    assert not _sees(personas.other, key, record)


def test_a_default_of_another_record_type_does_not_apply(
    key: str, record: Model, personas: Any
) -> None:
    others = [k for k in owned_keys() if k != key]
    for other_key in others:
        SharingDefault.objects.create(record_type=other_key, org_access="read_write")
    assert not _sees(personas.other, key, record)


# --- record shares -------------------------------------------------------------------------


def _share(record: Model, level: str, *, user: Any = None, team: Any = None) -> RecordShare:
    return RecordShare.objects.create(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk,
        user=user,
        team=team,
        level=level,
    )


@pytest.mark.parametrize("with_team", [False, True], ids=["user", "team"])
def test_share_read(
    key: str, spec: OwnedRecordSpec, record: Model, personas: Any, with_team: bool
) -> None:
    # given the record shared read-only with the other user, or with their team
    _share(
        record, "read", **({"team": personas.other_team} if with_team else {"user": personas.other})
    )
    unshared = spec.build(owner=personas.owner, team=personas.team)
    # then they see it (and only it), but may not change or delete it
    assert _sees(personas.other, key, record)
    assert not _sees(personas.other, key, unshared)
    assert _try_patch(personas.other, key, record, spec) == (403, False)
    assert _try_delete(personas.other, key, record) == 403


@pytest.mark.parametrize("with_team", [False, True], ids=["user", "team"])
def test_share_read_write(
    key: str, spec: OwnedRecordSpec, record: Model, personas: Any, with_team: bool
) -> None:
    _share(
        record,
        "read_write",
        **({"team": personas.other_team} if with_team else {"user": personas.other}),
    )
    assert _sees(personas.other, key, record)
    assert _try_delete(personas.other, key, record) == 403
    assert _try_patch(personas.other, key, record, spec) == (200, True)


def test_a_share_of_another_record_type_with_the_same_id_grants_nothing(
    key: str, record: Model, personas: Any
) -> None:
    # given a share of a different record type whose object id equals this record's id
    other_key = next(k for k in owned_keys() if k != key)
    other_model = get_record_type(other_key).model
    RecordShare.objects.create(
        content_type=ContentType.objects.get_for_model(other_model),
        object_id=record.pk,
        user=personas.other,
        level="read_write",
    )
    assert not _sees(personas.other, key, record)


# --- object permissions --------------------------------------------------------------------


def _grant(
    key: str,
    actions: list[str],
    constraints: Any,
    *,
    user: Any = None,
    team: Any = None,
    enabled: bool = True,
) -> ObjectPermission:
    perm = ObjectPermission.objects.create(
        name=f"{key} {'/'.join(actions)} {constraints}",
        record_types=[key],
        actions=actions,
        constraints=constraints,
        enabled=enabled,
    )
    if user is not None:
        perm.users.add(user)
    if team is not None:
        perm.teams.add(team)
    return perm


def test_permission_owner_is_me_grants_nothing_beyond_ones_own(
    key: str, spec: OwnedRecordSpec, record: Model, personas: Any
) -> None:
    # given the teammate may change and delete records they own
    _grant(key, ["view", "change", "delete"], {"owner": "$user"}, user=personas.teammate)
    own = spec.build(owner=personas.teammate)
    # then the owner's record stays read-only to them, their own stays theirs
    assert _try_patch(personas.teammate, key, record, spec) == (403, False)
    assert _try_delete(personas.teammate, key, record) == 403
    assert _try_patch(personas.teammate, key, own, spec) == (200, True)


def test_permission_created_by_me_reaches_records_i_created(
    key: str, spec: OwnedRecordSpec, personas: Any
) -> None:
    # given the other user may view and change records they created for someone else
    _grant(key, ["view", "change"], {"created_by": "$user"}, user=personas.other)
    created = spec.build(owner=personas.owner, created_by=personas.other)
    not_created = spec.build(owner=personas.owner)
    assert _sees(personas.other, key, created)
    assert not _sees(personas.other, key, not_created)
    assert _try_patch(personas.other, key, created, spec) == (200, True)
    assert _try_delete(personas.other, key, created) == 403


def test_permission_team_in_my_teams(
    key: str, spec: OwnedRecordSpec, record: Model, personas: Any
) -> None:
    # given team East may change and delete the records of their teams
    _grant(key, ["view", "change", "delete"], {"team__in": "$teams"}, team=personas.team)
    west = spec.build(owner=personas.other, team=personas.other_team)
    # then the teammate may change the owner's East record but not reach the West one
    assert not _sees(personas.teammate, key, west)
    assert _try_patch(personas.teammate, key, west, spec) == (404, False)
    assert _try_patch(personas.teammate, key, record, spec) == (200, True)
    assert _try_delete(personas.teammate, key, record) == 204


def test_permission_with_a_field_filter(key: str, spec: OwnedRecordSpec, personas: Any) -> None:
    # given the other user may view and change records matching a field filter
    ff = spec.field_filter
    _grant(key, ["view", "change"], ff.constraint, user=personas.other)
    matching = spec.build(owner=personas.owner, **ff.matching)
    other = spec.build(owner=personas.owner, **ff.other)
    # then exactly the matching record is in reach
    assert result_ids(api_as(personas.other).get(list_url(key))) == [matching.pk]
    assert _try_patch(personas.other, key, other, spec) == (404, False)
    assert _try_delete(personas.other, key, matching) == 403
    assert _try_patch(personas.other, key, matching, spec) == (200, True)


def test_an_update_that_moves_the_record_out_of_reach_is_refused(
    key: str, spec: OwnedRecordSpec, personas: Any
) -> None:
    # given the other user may change records matching a field filter
    ff = spec.field_filter
    _grant(key, ["view", "change"], ff.constraint, user=personas.other)
    matching = spec.build(owner=personas.owner, **ff.matching)
    before = record_state(matching)
    # when they change the record so that it no longer matches
    response = api_as(personas.other).patch(detail_url(key, matching.pk), ff.other, format="json")
    # then the re-check after the write refuses it, and nothing changed
    assert response.status_code == 403
    assert response.json()["code"] == "update_denied"
    assert_unchanged(matching, before)


def test_permission_without_constraints_reaches_everything(
    key: str, record: Model, personas: Any
) -> None:
    _grant(key, ["view", "delete"], None, user=personas.other)
    assert _sees(personas.other, key, record)
    assert _try_delete(personas.other, key, record) == 204


def test_a_disabled_permission_grants_nothing(
    key: str, spec: OwnedRecordSpec, record: Model, personas: Any
) -> None:
    _grant(key, ["view", "change", "delete"], None, user=personas.other, enabled=False)
    assert not _sees(personas.other, key, record)
    assert _try_patch(personas.other, key, record, spec) == (404, False)


def test_a_permission_for_another_record_type_grants_nothing(
    key: str, record: Model, personas: Any
) -> None:
    other_key = next(k for k in owned_keys() if k != key)
    _grant(other_key, ["view", "change", "delete"], None, user=personas.other)
    assert not _sees(personas.other, key, record)


# --- inactive users ------------------------------------------------------------------------


def test_an_inactive_user_sees_and_changes_nothing(
    key: str, spec: OwnedRecordSpec, record: Model, personas: Any
) -> None:
    # given the owner's account is deactivated
    personas.owner.is_active = False
    personas.owner.save(update_fields=["is_active"])
    model = get_record_type(key).model
    before = record_state(record)
    client = api_as(personas.owner)
    # then the restricted queryset is empty and every API call is refused
    assert model.objects.restrict(personas.owner, "view").count() == 0
    assert client.get(list_url(key)).status_code == 403
    assert client.get(detail_url(key, record.pk)).status_code == 403
    assert client.patch(detail_url(key, record.pk), spec.update_payload()).status_code == 403
    assert client.delete(detail_url(key, record.pk)).status_code == 403
    rows = model.objects.count()
    assert client.post(list_url(key), spec.create_payload(personas.owner)).status_code == 403
    assert model.objects.count() == rows
    assert_unchanged(record, before)
