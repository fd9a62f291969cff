"""The change log, for every record type: one row per API write, who/what/which request,
append-only, and readable only by those who may see the record."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from rapport.core.models import AppendOnlyError, ChangeLogEntry
from rapport.framework.audit import record_snapshot
from rapport.framework.registry import get_record_type
from rapport.framework.testing.access import (
    PERSONAS,
    api_as,
    changes_url,
    detail_url,
    list_url,
    result_ids,
)
from rapport.framework.testing.specs import (
    OwnedRecordSpec,
    all_keys,
    owned_keys,
    owned_spec,
    spec_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=all_keys())
def key(request: Any) -> str:
    return request.param


def _writer(key: str, personas: Any) -> Any:
    """Owners write their own records; only administrators write configuration."""
    return personas.admin if get_record_type(key).is_config else personas.owner


def _build(key: str, personas: Any) -> Model:
    spec = spec_for(key)
    if isinstance(spec, OwnedRecordSpec):
        return spec.build(owner=personas.owner, team=personas.team)
    return spec.build()


def _create_payload(key: str, user: Any) -> dict[str, Any]:
    spec = spec_for(key)
    return (
        spec.create_payload(user) if isinstance(spec, OwnedRecordSpec) else (spec.create_payload())
    )


def _entries(model: type[Model], pk: Any) -> list[ChangeLogEntry]:
    return list(
        ChangeLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=pk
        ).order_by("id")
    )


def _assert_entry(entry: ChangeLogEntry, *, user: Any, request_id: str, action: str) -> None:
    assert (
        entry.user_id,
        entry.actor_kind,
        entry.channel,
        entry.request_id,
        entry.action,
        entry.token_id,
    ) == (user.pk, "user", "api", request_id, action, None)


def test_create_writes_one_entry(key: str, personas: Any) -> None:
    # given a writer and a valid body
    user = _writer(key, personas)
    payload = _create_payload(key, user)
    total = ChangeLogEntry.objects.count()
    # when they create a record with a request id
    response = api_as(user).post(
        list_url(key), payload, format="json", headers={"X-Request-ID": "req-create-1"}
    )
    # then exactly one entry holds who, how, and the stored values
    assert response.status_code == 201, response.json()
    rt = get_record_type(key)
    record = rt.model.objects.get(pk=response.json()[rt.model._meta.pk.name])
    [entry] = _entries(rt.model, record.pk)
    _assert_entry(entry, user=user, request_id="req-create-1", action="create")
    assert (entry.before, entry.after) == (None, record_snapshot(record, rt))
    assert entry.object_repr == str(record)
    assert ChangeLogEntry.objects.count() == total + 1


def test_update_writes_one_entry_with_the_changed_fields(key: str, personas: Any) -> None:
    record = _build(key, personas)
    user = _writer(key, personas)
    payload = spec_for(key).update_payload()
    rt = get_record_type(key)
    old = record_snapshot(rt.model.objects.get(pk=record.pk), rt)
    response = api_as(user).patch(
        detail_url(key, record.pk), payload, format="json", headers={"X-Request-ID": "req-update-1"}
    )
    assert response.status_code == 200, response.json()
    [entry] = _entries(rt.model, record.pk)
    _assert_entry(entry, user=user, request_id="req-update-1", action="update")
    new = record_snapshot(record.__class__.objects.get(pk=record.pk), rt)
    assert sorted(entry.after) == sorted(payload)
    assert entry.before == {name: old[name] for name in payload}
    assert entry.after == {name: new[name] for name in payload}


def test_an_update_that_changes_nothing_writes_no_entry(key: str, personas: Any) -> None:
    # given a record already holding the PATCH values
    record = _build(key, personas)
    user = _writer(key, personas)
    payload = spec_for(key).update_payload()
    client = api_as(user)
    assert client.patch(detail_url(key, record.pk), payload, format="json").status_code == 200
    count = len(_entries(type(record), record.pk))
    # when the same values are sent again
    response = client.patch(detail_url(key, record.pk), payload, format="json")
    # then nothing is logged
    assert response.status_code == 200
    assert len(_entries(type(record), record.pk)) == count == 1


def test_delete_writes_one_entry_with_the_last_values(key: str, personas: Any) -> None:
    record = _build(key, personas)
    user = _writer(key, personas)
    rt = get_record_type(key)
    stored = rt.model.objects.get(pk=record.pk)
    last, pk, label = record_snapshot(stored, rt), record.pk, str(stored)
    response = api_as(user).delete(detail_url(key, pk), headers={"X-Request-ID": "req-del-1"})
    assert response.status_code == 204
    [entry] = _entries(rt.model, pk)
    _assert_entry(entry, user=user, request_id="req-del-1", action="delete")
    assert (entry.before, entry.after, entry.object_repr) == (last, None, label)


def test_a_denied_write_writes_no_entry(key: str, personas: Any) -> None:
    # given a record the other user may not change (config: not an admin; owned: not theirs)
    record = _build(key, personas)
    client = api_as(personas.other)
    # when they try to change and delete it
    client.patch(detail_url(key, record.pk), spec_for(key).update_payload(), format="json")
    client.delete(detail_url(key, record.pk))
    # then nothing was logged
    assert _entries(type(record), record.pk) == []


# --- append-only ---------------------------------------------------------------------------


@pytest.fixture
def entry(personas: Any) -> ChangeLogEntry:
    record = owned_spec("accounts").build(owner=personas.owner)
    response = api_as(personas.owner).patch(detail_url("accounts", record.pk), {"name": "Changed"})
    assert response.status_code == 200
    return ChangeLogEntry.objects.get()


@pytest.mark.parametrize(
    "attempt",
    [
        lambda e: ChangeLogEntry.objects.update(request_id="forged"),
        lambda e: ChangeLogEntry.objects.filter(pk=e.pk).update(request_id="forged"),
        lambda e: ChangeLogEntry.objects.all().delete(),
        lambda e: ChangeLogEntry.objects.filter(pk=e.pk).delete(),
        lambda e: e.delete(),
        lambda e: (setattr(e, "request_id", "forged"), e.save()),
    ],
    ids=[
        "manager-update",
        "queryset-update",
        "manager-delete",
        "queryset-delete",
        "instance-delete",
        "instance-save",
    ],
)
def test_the_change_log_is_append_only(entry: ChangeLogEntry, attempt: Any) -> None:
    stored = ChangeLogEntry.objects.values().get(pk=entry.pk)
    with pytest.raises(AppendOnlyError):
        attempt(entry)
    assert list(ChangeLogEntry.objects.values()) == [stored]


# --- reading the change log ----------------------------------------------------------------


@pytest.fixture(params=owned_keys())
def owned_key(request: Any) -> str:
    return request.param


@pytest.mark.parametrize("persona", PERSONAS)
def test_record_changes_are_readable_by_whoever_sees_the_record(
    owned_key: str, personas: Any, persona: str
) -> None:
    # given a record of the owner's in team East, changed twice through the API
    record = owned_spec(owned_key).build(owner=personas.owner, team=personas.team)
    owner = api_as(personas.owner)
    payload = owned_spec(owned_key).update_payload()
    assert owner.patch(detail_url(owned_key, record.pk), payload).status_code == 200
    assert owner.delete(detail_url(owned_key, 999_999)).status_code == 404
    ids = [e.id for e in _entries(type(record), record.pk)]
    # when the persona reads its changes
    response = api_as(getattr(personas, persona)).get(changes_url(owned_key, record.pk))
    # then those who may see the record get its entries; the other user gets 404
    if persona == "other":
        assert response.status_code == 404
    else:
        assert response.status_code == 200, response.json()
        assert result_ids(response) == sorted(ids)
        assert len(ids) == 1


def test_changes_of_a_configuration_record_are_readable_by_everyone(personas: Any) -> None:
    client = api_as(personas.admin)
    created = client.post(list_url("tags"), {"name": "vip"})
    assert created.status_code == 201
    response = api_as(personas.other).get(changes_url("tags", created.json()["id"]))
    assert response.status_code == 200
    assert [row["action"] for row in response.json()["results"]] == ["create"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_whole_change_log_is_for_admins_only(personas: Any, persona: str) -> None:
    # given changes by two users
    for user in (personas.owner, personas.other):
        spec = owned_spec("leads")
        assert api_as(user).post(list_url("leads"), spec.create_payload(user)).status_code == 201
    all_ids = sorted(ChangeLogEntry.objects.values_list("id", flat=True))
    # when the persona reads /api/changelog/
    client = api_as(getattr(personas, persona))
    response = client.get("/api/changelog/")
    # then an administrator sees everything, anyone else nothing
    assert response.status_code == 200
    assert result_ids(response) == (all_ids if persona == "admin" else [])
    assert len(all_ids) == 2
    detail = client.get(f"/api/changelog/{all_ids[0]}/")
    assert detail.status_code == (200 if persona == "admin" else 404)
