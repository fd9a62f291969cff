"""Generic access suite: every owned record type, five personas, every REST action.

Iterates the record-type registry (rapport.framework.registry), so a new record type is
covered as soon as it is declared; its app contributes a spec in ``tests/specs.py``
(rapport.framework.testing.specs). Default sharing: private organisation-wide, team read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db.models import Model

from rapport.framework.registry import get_record_type, record_types
from rapport.framework.testing.access import (
    PERSONAS,
    api_as,
    assert_unchanged,
    bulk_url,
    detail_url,
    error_fields,
    list_url,
    record_state,
    result_ids,
    row_count,
    total_changelog,
)
from rapport.framework.testing.specs import (
    ConfigRecordSpec,
    OwnedRecordSpec,
    owned_keys,
    owned_spec,
    reference_case,
    reference_cases,
    registered_specs,
    spec_for,
)

pytestmark = pytest.mark.django_db

# The records each persona sees among the five records of ``world``.
VISIBLE = {
    "owner": {"owner_team", "owner_private", "teammate"},
    "teammate": {"owner_team", "teammate"},
    "other": {"other"},
    "manager": {"owner_team", "owner_private", "teammate", "other", "manager"},
    "admin": {"owner_team", "owner_private", "teammate", "other", "manager"},
}
# What each persona may do with ``owner_team`` (owned by owner, team East).
CAN_SEE = {"owner": True, "teammate": True, "other": False, "manager": True, "admin": True}
CAN_CHANGE = {"owner": True, "teammate": False, "other": False, "manager": True, "admin": True}


def _denied_status(persona: str) -> int:
    return 403 if CAN_SEE[persona] else 404


@dataclass
class World:
    key: str
    spec: OwnedRecordSpec
    personas: Any
    records: dict[str, Model]

    def user(self, persona: str) -> Any:
        return getattr(self.personas, persona)

    @property
    def target(self) -> Model:
        return self.records["owner_team"]


def world_build(key: str, personas: Any) -> World:
    """Five records: owner's in team East, owner's without team, teammate's in East,
    other's in West, manager's without team."""
    spec = owned_spec(key)
    p = personas
    records = {
        "owner_team": spec.build(owner=p.owner, team=p.team),
        "owner_private": spec.build(owner=p.owner),
        "teammate": spec.build(owner=p.teammate, team=p.team),
        "other": spec.build(owner=p.other, team=p.other_team),
        "manager": spec.build(owner=p.manager),
    }
    return World(key, spec, personas, records)


@pytest.fixture(params=owned_keys())
def world(request: Any, personas: Any) -> World:
    return world_build(request.param, personas)


# --- the registry and the specs agree ------------------------------------------------------


def test_every_record_type_has_a_spec() -> None:
    # given every declared record type
    keys = [rt.key for rt in record_types()]
    # when its spec is looked up (MissingSpecError names the file to add)
    specs = {key: spec_for(key) for key in keys}
    # then each has one of the right kind, and no spec names an undeclared record type
    assert sorted(specs) == sorted(registered_specs())
    for key, spec in specs.items():
        expected = ConfigRecordSpec if get_record_type(key).is_config else OwnedRecordSpec
        assert isinstance(spec, expected), key


def test_the_suite_covers_the_owned_record_types() -> None:
    assert set(owned_keys()) >= {"accounts", "contacts", "leads", "opportunities", "activities"}


# --- list and retrieve ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_shows_exactly_the_records_the_persona_may_see(world: World, persona: str) -> None:
    # given five records with different owners and teams
    expected = sorted(world.records[name].pk for name in VISIBLE[persona])
    # when the persona lists them
    response = api_as(world.user(persona)).get(list_url(world.key))
    # then exactly the visible ones come back, each once
    assert response.status_code == 200
    assert result_ids(response) == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_retrieve_answers_404_for_records_out_of_reach(world: World, persona: str) -> None:
    client = api_as(world.user(persona))
    for name, record in world.records.items():
        response = client.get(detail_url(world.key, record.pk))
        expected = 200 if name in VISIBLE[persona] else 404
        assert response.status_code == expected, name
        if expected == 200:
            assert response.json()["id"] == record.pk


def test_retrieve_of_a_missing_record_answers_404_like_a_forbidden_one(world: World) -> None:
    client = api_as(world.personas.owner)
    missing = client.get(detail_url(world.key, 999_999))
    forbidden = client.get(detail_url(world.key, world.records["other"].pk))
    assert missing.status_code == forbidden.status_code == 404
    assert missing.json() == forbidden.json()


# --- update, partial update, delete --------------------------------------------------------


def _assert_updated(record: Model, payload: dict[str, Any]) -> None:
    record.refresh_from_db()
    for name, value in payload.items():
        assert getattr(record, name) == value, name


@pytest.mark.parametrize("persona", PERSONAS)
def test_partial_update(world: World, persona: str) -> None:
    # given the owner's team record and a PATCH body
    payload = world.spec.update_payload()
    before = record_state(world.target)
    # when the persona patches it
    response = api_as(world.user(persona)).patch(detail_url(world.key, world.target.pk), payload)
    # then it is changed (one change-log row) or refused with nothing changed
    if CAN_CHANGE[persona]:
        assert response.status_code == 200, response.json()
        _assert_updated(world.target, payload)
        assert record_state(world.target).changelog_rows == before.changelog_rows + 1
    else:
        assert response.status_code == _denied_status(persona)
        assert_unchanged(world.target, before)


@pytest.mark.parametrize("persona", PERSONAS)
def test_full_update(world: World, persona: str) -> None:
    # given a complete body valid for the persona (its references are the persona's own)
    user = world.user(persona)
    payload = {**world.spec.create_payload(user), **world.spec.update_payload()}
    before = record_state(world.target)
    # when the persona replaces the owner's team record
    response = api_as(user).put(detail_url(world.key, world.target.pk), payload)
    # then
    if CAN_CHANGE[persona]:
        assert response.status_code == 200, response.json()
        _assert_updated(world.target, world.spec.update_payload())
        assert record_state(world.target).changelog_rows == before.changelog_rows + 1
    else:
        assert response.status_code == _denied_status(persona)
        assert_unchanged(world.target, before)


@pytest.mark.parametrize("persona", PERSONAS)
def test_delete(world: World, persona: str) -> None:
    before = record_state(world.target)
    response = api_as(world.user(persona)).delete(detail_url(world.key, world.target.pk))
    if CAN_CHANGE[persona]:
        assert response.status_code == 204
        after = record_state(world.target)
        assert (after.exists, after.changelog_rows) == (False, before.changelog_rows + 1)
    else:
        assert response.status_code == _denied_status(persona)
        assert_unchanged(world.target, before)


# --- create --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_create(personas: Any, persona: str, key: str) -> None:
    # given a valid body whose references belong to the persona
    spec = owned_spec(key)
    user = getattr(personas, persona)
    payload = spec.create_payload(user)
    rows, log = row_count(key), total_changelog()
    # when the persona creates the record
    response = api_as(user).post(list_url(key), payload)
    # then it is stored, owned by the persona, with one change-log row
    assert response.status_code == 201, response.json()
    record = get_record_type(key).model.objects.get(pk=response.json()["id"])
    assert (record.owner_id, record.created_by_id) == (user.pk, user.pk)
    assert (row_count(key), total_changelog()) == (rows + 1, log + 1)


@pytest.mark.parametrize("persona", PERSONAS)
def test_bulk_create(personas: Any, persona: str, key: str) -> None:
    spec = owned_spec(key)
    user = getattr(personas, persona)
    payloads = [spec.create_payload(user), spec.create_payload(user)]
    rows, log = row_count(key), total_changelog()
    response = api_as(user).post(bulk_url(key), payloads, format="json")
    assert response.status_code == 201, response.json()
    ids = [row["id"] for row in response.json()]
    owners = set(
        get_record_type(key).model.objects.filter(pk__in=ids).values_list("owner_id", flat=True)
    )
    assert (len(ids), owners) == (2, {user.pk})
    assert (row_count(key), total_changelog()) == (rows + 2, log + 2)


@pytest.mark.parametrize("persona", PERSONAS)
def test_bulk_update(world: World, persona: str) -> None:
    # given two records of the owner's in team East in one bulk PATCH
    payload = world.spec.update_payload()
    p = world.personas
    targets = [world.target, world.spec.build(owner=p.owner, team=p.team)]
    before = {r.pk: record_state(r) for r in targets}
    body = [{"id": r.pk, **payload} for r in targets]
    # when the persona sends it
    response = api_as(world.user(persona)).patch(bulk_url(world.key), body, format="json")
    # then both change, or the call is refused and neither changes
    if CAN_CHANGE[persona]:
        assert response.status_code == 200, response.json()
        assert sorted(row["id"] for row in response.json()) == sorted(r.pk for r in targets)
        for record in targets:
            _assert_updated(record, payload)
            assert record_state(record).changelog_rows == before[record.pk].changelog_rows + 1
    else:
        if CAN_SEE[persona]:
            assert response.status_code == 403
        else:
            # a bulk call names the rows it cannot find
            assert response.status_code == 400
            assert error_fields(response) == ["0.id", "1.id"]
        for record in targets:
            assert_unchanged(record, before[record.pk])


def test_bulk_update_is_all_or_nothing(world: World) -> None:
    # given the owner's own record and the other user's (invisible) one
    payload = world.spec.update_payload()
    mine, theirs = world.target, world.records["other"]
    before = {r.pk: record_state(r) for r in (mine, theirs)}
    body = [{"id": mine.pk, **payload}, {"id": theirs.pk, **payload}]
    # when the owner bulk-updates both
    response = api_as(world.personas.owner).patch(bulk_url(world.key), body, format="json")
    # then the call is refused naming the second row, and neither record changed
    assert response.status_code == 400
    assert error_fields(response) == ["1.id"]
    for record in (mine, theirs):
        assert_unchanged(record, before[record.pk])


# --- owner hand-over -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "new_owner", "allowed"),
    [
        ("owner", "owner", True),
        ("owner", "teammate", False),
        ("owner", "other", False),
        ("manager", "owner", True),
        ("manager", "other", True),
        ("admin", "other", True),
    ],
)
def test_create_for_another_owner(
    personas: Any, key: str, actor: str, new_owner: str, allowed: bool
) -> None:
    # given a body that names an owner
    spec = owned_spec(key)
    user = getattr(personas, actor)
    payload = {**spec.create_payload(user), "owner": getattr(personas, new_owner).pk}
    rows, log = row_count(key), total_changelog()
    # when the actor creates it
    response = api_as(user).post(list_url(key), payload)
    # then only owners within the actor's reach are accepted; a refusal writes nothing
    if allowed:
        assert response.status_code == 201, response.json()
        assert response.json()["owner"] == getattr(personas, new_owner).pk
        assert (row_count(key), total_changelog()) == (rows + 1, log + 1)
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "create_denied"
        assert (row_count(key), total_changelog()) == (rows, log)


def test_bulk_create_with_one_row_out_of_reach_writes_nothing(personas: Any, key: str) -> None:
    spec = owned_spec(key)
    payloads = [
        spec.create_payload(personas.owner),
        {**spec.create_payload(personas.owner), "owner": personas.other.pk},
    ]
    rows, log = row_count(key), total_changelog()
    response = api_as(personas.owner).post(bulk_url(key), payloads, format="json")
    assert response.status_code == 403
    assert (row_count(key), total_changelog()) == (rows, log)


def test_handing_a_record_to_another_owner_is_allowed(world: World) -> None:
    # given the owner's private record
    record = world.records["owner_private"]
    owner = api_as(world.personas.owner)
    # when the owner hands it to the other user
    response = owner.patch(detail_url(world.key, record.pk), {"owner": world.personas.other.pk})
    # then it belongs to the other user, who can see it; the former owner no longer can
    assert response.status_code == 200, response.json()
    record.refresh_from_db()
    assert record.owner_id == world.personas.other.pk
    assert api_as(world.personas.other).get(detail_url(world.key, record.pk)).status_code == 200
    assert api_as(world.personas.owner).get(detail_url(world.key, record.pk)).status_code == 404


# --- references to records out of reach ----------------------------------------------------


@pytest.fixture
def key(request: Any) -> str:
    return request.param


def pytest_generate_tests(metafunc: Any) -> None:
    if "key" in metafunc.fixturenames and "world" not in metafunc.fixturenames:
        if "case" in metafunc.fixturenames:
            cases = reference_cases()
            metafunc.parametrize(
                ("key", "case"), cases, ids=[f"{k}-{c}" for k, c in cases], indirect=["key"]
            )
        else:
            metafunc.parametrize("key", owned_keys(), indirect=True)


def _invisible_target(case_target: str, personas: Any) -> Model:
    """A record of the other user's, in their team: the owner cannot see it."""
    return owned_spec(case_target).build(owner=personas.other, team=personas.other_team)


def test_create_with_a_reference_out_of_reach_is_refused(
    personas: Any, key: str, case: str
) -> None:
    # given a valid body pointing at a record the owner cannot see
    spec, ref = owned_spec(key), reference_case(key, case)
    target = _invisible_target(ref.target, personas)
    payload = {**spec.create_payload(personas.owner), **ref.payload(target.pk)}
    rows, log = row_count(key), total_changelog()
    # when the owner creates it
    response = api_as(personas.owner).post(list_url(key), payload)
    # then it is refused naming the field, and nothing is written
    assert response.status_code == 400
    assert error_fields(response) == [ref.error_field]
    assert (row_count(key), total_changelog()) == (rows, log)


def test_update_with_a_reference_out_of_reach_is_refused(
    personas: Any, key: str, case: str
) -> None:
    spec, ref = owned_spec(key), reference_case(key, case)
    record = spec.build(owner=personas.owner, team=personas.team)
    target = _invisible_target(ref.target, personas)
    before = record_state(record)
    response = api_as(personas.owner).patch(detail_url(key, record.pk), ref.payload(target.pk))
    assert response.status_code == 400
    assert error_fields(response) == [ref.error_field]
    assert_unchanged(record, before)


def test_bulk_create_with_a_reference_out_of_reach_is_refused(
    personas: Any, key: str, case: str
) -> None:
    spec, ref = owned_spec(key), reference_case(key, case)
    target = _invisible_target(ref.target, personas)
    payloads = [
        spec.create_payload(personas.owner),
        {**spec.create_payload(personas.owner), **ref.payload(target.pk)},
    ]
    rows, log = row_count(key), total_changelog()
    response = api_as(personas.owner).post(bulk_url(key), payloads, format="json")
    assert response.status_code == 400
    assert error_fields(response) == [f"1.{ref.error_field}"]
    assert (row_count(key), total_changelog()) == (rows, log)


def test_a_reference_to_a_visible_record_of_someone_else_is_accepted(
    personas: Any, key: str, case: str
) -> None:
    # given a record of the teammate's in team East: the owner can see it
    spec, ref = owned_spec(key), reference_case(key, case)
    target = owned_spec(ref.target).build(owner=personas.teammate, team=personas.team)
    payload = {**spec.create_payload(personas.owner), **ref.payload(target.pk)}
    response = api_as(personas.owner).post(list_url(key), payload)
    assert response.status_code == 201, response.json()
