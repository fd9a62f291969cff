"""Rate limits per API token (or signed-in user) and per client address: 429 problem
documents with Retry-After, and a throttled write writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from pytest_django.fixtures import Settings as SettingsWrapper
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from conftest import Personas, client_for
from rapport.accounts.models import Account
from rapport.core.models import ChangeLogEntry
from rapport.framework.api.problems import PROBLEM_CONTENT_TYPE
from rapport.framework.api.throttling import IpRateThrottle, TokenRateThrottle
from rapport.identity.choices import TokenScope
from rapport.identity.services import api_token_create
from tests.redis_server import RedisServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(
    settings: SettingsWrapper, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    """Tiny rates; change an entry before the first request. The counters are a file of this
    test's own, so concurrent test runs cannot move them."""
    settings.RAPPORT_COUNTERS_PATH = str(tmp_path / "counters.sqlite3")
    values = {"token": "2/min", "ip": "100/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": values}
    api_settings.reload()
    # SimpleRateThrottle reads the rates once, at import, into a class attribute.
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", values)
    monkeypatch.setattr(IpRateThrottle, "THROTTLE_RATES", values)
    cache.clear()
    yield values
    cache.clear()


def token_client(secret: str, **extra: Any) -> APIClient:
    client = APIClient(**extra)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def assert_throttled(response: Any) -> None:
    assert response.status_code == 429, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = response.json()
    assert (body["status"], body["code"], body["title"]) == (
        429,
        "throttled",
        "Request was throttled.",
    )
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    assert (
        body["detail"] == f"Request was throttled. Expected available in {retry_after} "
        f"second{'s' if retry_after != 1 else ''}."
    )


def test_token_is_throttled_on_its_own(personas: Personas, rates: dict[str, str]) -> None:
    # given two tokens from the same address, the token rate 2/min
    first = token_client(api_token_create(user=personas.owner, name="A").secret)
    second = token_client(api_token_create(user=personas.owner, name="B").secret)
    # when
    statuses = [first.get("/api/accounts/").status_code for _ in range(2)]
    third = first.get("/api/accounts/")
    other = second.get("/api/accounts/")
    # then
    assert statuses == [200, 200]
    assert_throttled(third)
    assert other.status_code == 200


def test_signed_in_user_is_throttled_per_user(personas: Personas, rates: dict[str, str]) -> None:
    # given
    owner, teammate = client_for(personas.owner), client_for(personas.teammate)
    # when
    statuses = [owner.get("/api/accounts/").status_code for _ in range(2)]
    third = owner.get("/api/accounts/")
    other = teammate.get("/api/accounts/")
    # then
    assert statuses == [200, 200]
    assert_throttled(third)
    assert other.status_code == 200


def test_address_is_throttled_across_tokens(personas: Personas, rates: dict[str, str]) -> None:
    # given an address rate of 3/min and three tokens on one address
    rates.update(token="100/min", ip="3/min")
    clients = [
        token_client(api_token_create(user=personas.owner, name=f"T{i}").secret) for i in range(3)
    ]
    elsewhere = token_client(
        api_token_create(user=personas.owner, name="Far").secret, REMOTE_ADDR="10.0.0.2"
    )
    # when
    statuses = [c.get("/api/accounts/").status_code for c in clients]
    fourth = clients[0].get("/api/accounts/")
    other_address = elsewhere.get("/api/accounts/")
    # then
    assert statuses == [200, 200, 200]
    assert_throttled(fourth)
    assert other_address.status_code == 200


def test_forwarded_for_header_does_not_escape_the_address_limit(
    personas: Personas, rates: dict[str, str]
) -> None:
    # given no proxy configured (NUM_PROXIES unset): X-Forwarded-For is the client's word
    rates.update(token="100/min", ip="3/min")
    client = token_client(api_token_create(user=personas.owner, name="A").secret)
    # when each request claims another address
    statuses = [
        client.get("/api/accounts/", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
        for i in range(3)
    ]
    fourth = client.get("/api/accounts/", HTTP_X_FORWARDED_FOR="203.0.113.99")
    # then
    assert statuses == [200, 200, 200]
    assert_throttled(fourth)


def test_throttled_write_writes_nothing(personas: Personas, rates: dict[str, str]) -> None:
    # given a read/write token that used up its rate
    client = token_client(
        api_token_create(user=personas.owner, name="W", scope=TokenScope.READ_WRITE).secret
    )
    created = [
        client.post("/api/accounts/", {"name": f"A{i}"}, format="json").status_code
        for i in range(2)
    ]
    before = (
        sorted(Account.objects.values_list("name", flat=True)),
        ChangeLogEntry.objects.count(),
    )
    # when
    response = client.post("/api/accounts/", {"name": "Third"}, format="json")
    # then
    assert created == [201, 201]
    assert_throttled(response)
    assert before == (["A0", "A1"], 2)
    assert (
        sorted(Account.objects.values_list("name", flat=True)),
        ChangeLogEntry.objects.count(),
    ) == before


@pytest.mark.redis
def test_counters_live_in_redis_when_there_is_one(
    personas: Personas, rates: dict[str, str], settings: SettingsWrapper, redis_server: RedisServer
) -> None:
    # given the cache on a real redis-server and the counters in the cache
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
        }
    }
    settings.RAPPORT_RATE_COUNTERS = "cache"
    client = token_client(api_token_create(user=personas.owner, name="A").secret)
    # when
    statuses = [client.get("/api/accounts/").status_code for _ in range(2)]
    third = client.get("/api/accounts/")
    # then
    assert statuses == [200, 200]
    assert_throttled(third)
    assert any(
        key.startswith(b":1:rate:throttle_token_") for key in cache._cache.get_client().keys("*")
    )  # type: ignore[attr-defined]
