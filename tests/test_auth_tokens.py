"""API authentication: session with CSRF, personal API tokens (scope, expiry, revocation)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import Personas, client_for
from rapport.accounts.models import Account
from rapport.core.models import ChangeLogEntry, CustomFieldDefinition
from rapport.framework.api.problems import PROBLEM_CONTENT_TYPE
from rapport.framework.testing.factories import AccountFactory
from rapport.identity.choices import TokenScope
from rapport.identity.models import ApiToken, User
from rapport.identity.services import api_token_create

pytestmark = pytest.mark.django_db


def problem_code(response: Any, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = response.json()
    assert body["status"] == status
    return str(body["code"])


def token_client(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def snapshot() -> tuple[list[tuple[int, str]], int, int]:
    return (
        sorted(Account.objects.values_list("id", "name")),
        ChangeLogEntry.objects.count(),
        ApiToken.objects.count(),
    )


# --- session authentication -----------------------------------------------------------------


def _session_client(user: User) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username=user.username, password="pw")
    return client


def test_session_write_without_csrf_token_is_refused(personas: Personas) -> None:
    # given a signed-in browser session
    client = _session_client(personas.owner)
    before = snapshot()
    # when it posts without the CSRF token
    response = client.post("/api/accounts/", {"name": "Acme"}, format="json")
    # then
    assert problem_code(response, 403) == "permission_denied"
    assert response.json()["detail"] == "CSRF Failed: CSRF cookie not set."
    assert snapshot() == before


def test_session_write_with_wrong_csrf_token_is_refused(personas: Personas) -> None:
    # given a session with a CSRF cookie, and a request carrying another token
    client = _session_client(personas.owner)
    assert client.get("/admin/login/").status_code == 200
    before = snapshot()
    # when
    response = client.post(
        "/api/accounts/", {"name": "Acme"}, format="json", HTTP_X_CSRFTOKEN="x" * 32
    )
    # then
    assert problem_code(response, 403) == "permission_denied"
    assert response.json()["detail"].startswith("CSRF Failed: CSRF token from the")
    assert snapshot() == before


def test_session_write_with_csrf_token_succeeds(personas: Personas) -> None:
    # given a session whose CSRF cookie was set by a page
    client = _session_client(personas.owner)
    assert client.get("/admin/login/").status_code == 200
    csrf = client.cookies[settings.CSRF_COOKIE_NAME].value
    # when
    response = client.post("/api/accounts/", {"name": "Acme"}, format="json", HTTP_X_CSRFTOKEN=csrf)
    # then
    assert response.status_code == 201, response.content
    account = Account.objects.get()
    assert (account.name, account.owner_id) == ("Acme", personas.owner.pk)


def test_session_read_needs_no_csrf_token(personas: Personas) -> None:
    # given
    AccountFactory(owner=personas.owner, name="Mine")
    client = _session_client(personas.owner)
    # when
    response = client.get("/api/accounts/")
    # then
    assert response.status_code == 200
    assert [a["name"] for a in response.json()["results"]] == ["Mine"]


def test_anonymous_request_is_401(personas: Personas) -> None:
    # when
    response = APIClient().get("/api/accounts/")
    # then
    assert problem_code(response, 401) == "not_authenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


# --- personal API tokens ------------------------------------------------------------------


def test_token_secret_is_returned_once_and_only_its_hash_is_stored(personas: Personas) -> None:
    # given a signed-in user
    client = client_for(personas.owner)
    # when
    response = client.post("/api/tokens/", {"name": "CI", "scope": "read_write"})
    # then the secret is in the creation response ...
    assert response.status_code == 201, response.content
    body = response.json()
    secret = body["secret"]
    token = ApiToken.objects.get()
    assert secret.startswith(f"rpt_{token.prefix}_")
    assert len(secret) == len(f"rpt_{token.prefix}_") + 43
    assert (body["id"], body["name"], body["scope"], body["prefix"]) == (
        token.pk,
        "CI",
        "read_write",
        token.prefix,
    )
    assert (token.user_id, token.scope, token.revoked_at, token.last_used_at) == (
        personas.owner.pk,
        TokenScope.READ_WRITE,
        None,
        None,
    )
    # ... only its SHA-256 hash is stored ...
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = ApiToken.objects.values().get()
    assert all(secret not in str(v) for v in stored.values())
    # ... and it is never shown again
    listed = client.get("/api/tokens/").json()["results"]
    detail = client.get(f"/api/tokens/{token.pk}/").json()
    assert [t["id"] for t in listed] == [token.pk]
    assert "secret" not in listed[0]
    assert "secret" not in detail


def test_token_defaults_to_read_scope(personas: Personas) -> None:
    # when
    response = client_for(personas.owner).post("/api/tokens/", {"name": "Reader"})
    # then
    assert response.status_code == 201, response.content
    assert ApiToken.objects.get().scope == TokenScope.READ


def test_token_cannot_issue_tokens(personas: Personas) -> None:
    # given
    issued = api_token_create(user=personas.owner, name="CI", scope=TokenScope.READ_WRITE)
    before = snapshot()
    # when
    response = token_client(issued.secret).post("/api/tokens/", {"name": "Another"}, format="json")
    # then
    assert problem_code(response, 403) == "permission_denied"
    assert snapshot() == before


def test_read_token_can_read_but_not_write(personas: Personas) -> None:
    # given
    account = AccountFactory(owner=personas.owner, name="Mine")
    issued = api_token_create(user=personas.owner, name="Reader", scope=TokenScope.READ)
    client = token_client(issued.secret)
    before = snapshot()
    # when
    listed = client.get("/api/accounts/")
    created = client.post("/api/accounts/", {"name": "New"}, format="json")
    changed = client.patch(f"/api/accounts/{account.pk}/", {"name": "Renamed"}, format="json")
    bulk = client.post("/api/accounts/bulk/", [{"name": "Bulk"}], format="json")
    deleted = client.delete(f"/api/accounts/{account.pk}/")
    # then
    assert listed.status_code == 200
    assert [a["name"] for a in listed.json()["results"]] == ["Mine"]
    for response in (created, changed, bulk, deleted):
        assert problem_code(response, 403) == "permission_denied"
    assert snapshot() == before


def test_read_write_token_can_write_and_is_recorded(personas: Personas) -> None:
    # given
    issued = api_token_create(user=personas.owner, name="Writer", scope=TokenScope.READ_WRITE)
    # when
    response = token_client(issued.secret).post(
        "/api/accounts/", {"name": "Acme"}, format="json", HTTP_X_REQUEST_ID="req-42"
    )
    # then
    assert response.status_code == 201, response.content
    account = Account.objects.get()
    assert (account.name, account.owner_id) == ("Acme", personas.owner.pk)
    entry = ChangeLogEntry.objects.get()
    assert (
        entry.action,
        entry.actor_kind,
        entry.user_id,
        entry.token_id,
        entry.channel,
        entry.request_id,
    ) == ("create", "api_token", personas.owner.pk, issued.token.pk, "api", "req-42")


def test_expired_token_is_401(personas: Personas) -> None:
    # given
    AccountFactory(owner=personas.owner)
    issued = api_token_create(
        user=personas.owner,
        name="Old",
        scope=TokenScope.READ_WRITE,
        expires_at=timezone.now() - dt.timedelta(seconds=1),
    )
    before = snapshot()
    # when
    read = token_client(issued.secret).get("/api/accounts/")
    write = token_client(issued.secret).post("/api/accounts/", {"name": "X"}, format="json")
    # then
    for response in (read, write):
        assert problem_code(response, 401) == "authentication_failed"
        assert response.json()["detail"] == "Invalid, expired or revoked token."
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert snapshot() == before
    assert ApiToken.objects.get().last_used_at is None


def test_token_before_its_expiry_works(personas: Personas) -> None:
    # given
    issued = api_token_create(
        user=personas.owner, name="Soon", expires_at=timezone.now() + dt.timedelta(minutes=5)
    )
    # when
    response = token_client(issued.secret).get("/api/accounts/")
    # then
    assert response.status_code == 200


def test_revoked_token_is_401(personas: Personas) -> None:
    # given a token its owner revoked through the API
    issued = api_token_create(user=personas.owner, name="CI", scope=TokenScope.READ_WRITE)
    client = token_client(issued.secret)
    assert client.get("/api/accounts/").status_code == 200
    revoked = client_for(personas.owner).delete(f"/api/tokens/{issued.token.pk}/")
    assert revoked.status_code == 204
    before = snapshot()
    # when
    read = client.get("/api/accounts/")
    write = client.post("/api/accounts/", {"name": "X"}, format="json")
    # then
    for response in (read, write):
        assert problem_code(response, 401) == "authentication_failed"
    assert ApiToken.objects.get().revoked_at is not None
    assert snapshot() == before


def test_user_cannot_revoke_another_users_token(personas: Personas) -> None:
    # given
    issued = api_token_create(user=personas.other, name="Theirs")
    # when
    response = client_for(personas.owner).delete(f"/api/tokens/{issued.token.pk}/")
    # then
    assert problem_code(response, 404) == "not_found"
    assert ApiToken.objects.get().revoked_at is None
    assert token_client(issued.secret).get("/api/accounts/").status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Bearer rpt_000000000000_not-a-real-key",
        "Bearer garbage",
        "Bearer",
        "Bearer two parts",
    ],
)
def test_unknown_or_malformed_token_is_401(personas: Personas, header: str) -> None:
    # given
    api_token_create(user=personas.owner, name="Real")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    # when
    response = client.get("/api/accounts/")
    # then
    assert problem_code(response, 401) == "authentication_failed"


def test_token_of_a_deactivated_user_is_401(personas: Personas) -> None:
    # given
    issued = api_token_create(user=personas.owner, name="CI")
    User.objects.filter(pk=personas.owner.pk).update(is_active=False)
    # when
    response = token_client(issued.secret).get("/api/accounts/")
    # then
    assert problem_code(response, 401) == "authentication_failed"


def test_last_used_at_is_set_on_use(personas: Personas) -> None:
    # given a token never used
    issued = api_token_create(user=personas.owner, name="CI")
    assert ApiToken.objects.get().last_used_at is None
    started = timezone.now()
    # when
    response = token_client(issued.secret).get("/api/accounts/")
    # then
    assert response.status_code == 200
    last_used = ApiToken.objects.get().last_used_at
    assert last_used is not None
    assert started <= last_used <= timezone.now()


def test_token_sees_no_more_than_its_user(personas: Personas) -> None:
    # given the owner's account, and another user's private account
    mine = AccountFactory(owner=personas.owner, name="Mine")
    hidden = AccountFactory(owner=personas.other, name="Hidden")
    api_token_create(user=personas.other, name="Theirs")
    issued = api_token_create(user=personas.owner, name="CI", scope=TokenScope.READ_WRITE)
    client = token_client(issued.secret)
    before = snapshot()
    # when
    listed = client.get("/api/accounts/")
    fetched = client.get(f"/api/accounts/{hidden.pk}/")
    changed = client.patch(f"/api/accounts/{hidden.pk}/", {"name": "Taken"}, format="json")
    deleted = client.delete(f"/api/accounts/{hidden.pk}/")
    tokens = client.get("/api/tokens/")
    # then
    assert [a["id"] for a in listed.json()["results"]] == [mine.pk]
    for response in (fetched, changed, deleted):
        assert problem_code(response, 404) == "not_found"
    assert [t["name"] for t in tokens.json()["results"]] == ["CI"]
    assert snapshot() == before


def test_token_of_a_superuser_still_writes_only_through_its_scope(personas: Personas) -> None:
    # given an administrator's read-only token
    issued = api_token_create(user=personas.admin, name="Admin reader")
    before = snapshot()
    # when
    response = token_client(issued.secret).post(
        "/api/custom-fields/",
        {"record_type": "contacts", "name": "budget", "label": "Budget", "field_type": "integer"},
        format="json",
    )
    # then
    assert problem_code(response, 403) == "permission_denied"
    assert snapshot() == before
    assert not CustomFieldDefinition.objects.exists()
