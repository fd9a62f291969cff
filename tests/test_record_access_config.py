"""Generic access suite for configuration record types: everyone reads, only admins write."""

from __future__ import annotations

from typing import Any

import pytest

from rapport.framework.registry import get_record_type
from rapport.framework.testing.access import (
    PERSONAS,
    api_as,
    assert_unchanged,
    bulk_url,
    detail_url,
    list_url,
    record_state,
    row_count,
    total_changelog,
)
from rapport.framework.testing.specs import ConfigRecordSpec, config_keys, config_spec

pytestmark = pytest.mark.django_db

NON_ADMINS = [p for p in PERSONAS if p != "admin"]


@pytest.fixture(params=config_keys())
def key(request: Any) -> str:
    return request.param


@pytest.fixture
def spec(key: str) -> ConfigRecordSpec:
    return config_spec(key)


def _pk_field(key: str) -> str:
    return get_record_type(key).model._meta.pk.name


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_reads_configuration(
    key: str, spec: ConfigRecordSpec, personas: Any, persona: str
) -> None:
    # given a configuration record
    record = spec.build()
    model = get_record_type(key).model
    client = api_as(getattr(personas, persona))
    # when any user lists and fetches it
    listed = client.get(list_url(key), {"limit": 200})
    fetched = client.get(detail_url(key, record.pk))
    # then every row is listed and the record is returned
    assert listed.status_code == 200
    ids = sorted(row[_pk_field(key)] for row in listed.json()["results"])
    assert ids == sorted(model.objects.values_list("pk", flat=True))
    assert fetched.status_code == 200
    assert fetched.json()[_pk_field(key)] == record.pk


@pytest.mark.parametrize("persona", NON_ADMINS)
def test_non_admins_may_not_create(
    key: str, spec: ConfigRecordSpec, personas: Any, persona: str
) -> None:
    payload = spec.create_payload()
    rows, log = row_count(key), total_changelog()
    client = api_as(getattr(personas, persona))
    assert client.post(list_url(key), payload, format="json").status_code == 403
    assert client.post(bulk_url(key), [payload], format="json").status_code == 403
    assert (row_count(key), total_changelog()) == (rows, log)


@pytest.mark.parametrize("persona", NON_ADMINS)
def test_non_admins_may_not_change_or_delete(
    key: str, spec: ConfigRecordSpec, personas: Any, persona: str
) -> None:
    record = spec.build()
    payload = spec.update_payload()
    before = record_state(record)
    client = api_as(getattr(personas, persona))
    url = detail_url(key, record.pk)
    assert client.patch(url, payload, format="json").status_code == 403
    full = {**spec.create_payload(), **payload}
    assert client.put(url, full, format="json").status_code == 403
    assert (
        client.patch(bulk_url(key), [{"id": record.pk, **payload}], format="json").status_code
        == 403
    )
    assert client.delete(url).status_code == 403
    assert_unchanged(record, before)


def test_admin_writes_configuration(key: str, spec: ConfigRecordSpec, personas: Any) -> None:
    # given an administrator
    client = api_as(personas.admin)
    rows, log = row_count(key), total_changelog()
    # when they create, change and delete a configuration record
    created = client.post(list_url(key), spec.create_payload(), format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()[_pk_field(key)]
    changed = client.patch(detail_url(key, pk), spec.update_payload(), format="json")
    assert changed.status_code == 200, changed.json()
    for name, value in spec.update_payload().items():
        assert changed.json()[name] == value
    deleted = client.delete(detail_url(key, pk))
    # then each write succeeded and wrote one change-log row
    assert deleted.status_code == 204
    assert (row_count(key), total_changelog()) == (rows, log + 3)
