"""Signing in by username or email, lock-out after repeated failures, password reset by email,
session expiry, signing out and the safety of the ``next`` redirect."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from conftest import Personas
from rapport.identity.models import User

WRONG = "The username or email and password do not match an active account."
LOCKED = "Too many failed sign-in attempts."


@pytest.fixture(autouse=True)
def axes_on(settings: Any) -> None:
    # The test settings switch django-axes off for Django's client.login(); these tests need it.
    settings.AXES_ENABLED = True


def sign_in(client: Client, username: str, password: str = "pw", **extra: str):  # type: ignore[no-untyped-def]
    return client.post("/login/", {"username": username, "password": password, **extra})


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


# --- username, email, wrong password, inactive user ----------------------------------------------


def test_sign_in_with_username(client: Client, personas: Personas) -> None:
    # when
    response = sign_in(client, "owner")
    # then
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(personas.owner.pk)
    assert client.get("/").status_code == 200


def test_sign_in_with_email_in_any_case(client: Client, personas: Personas) -> None:
    # when
    response = sign_in(client, "  OWNER@Example.COM ")
    # then
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(personas.owner.pk)


def test_email_shared_by_two_accounts_signs_neither_in(client: Client, personas: Personas) -> None:
    # given
    User.objects.create_user("owner2", "owner@example.com", "pw")
    # when
    response = sign_in(client, "owner@example.com")
    # then
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert signed_in_user_id(client) is None


def test_wrong_password_shows_message_and_keeps_username(
    client: Client, personas: Personas
) -> None:
    # when
    response = sign_in(client, "owner", "not-the-password")
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert WRONG in page
    assert 'value="owner"' in page
    assert signed_in_user_id(client) is None


def test_empty_fields_name_the_missing_field(client: Client, personas: Personas) -> None:
    # when
    response = client.post("/login/", {"username": "", "password": ""})
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "Type your username or email." in page
    assert "Type your password." in page
    assert signed_in_user_id(client) is None


def test_inactive_user_cannot_sign_in(client: Client, personas: Personas) -> None:
    # given
    User.objects.filter(pk=personas.owner.pk).update(is_active=False)
    # when
    by_username = sign_in(client, "owner")
    by_email = sign_in(client, "owner@example.com")
    # then
    assert by_username.status_code == 200
    assert WRONG in by_username.content.decode()
    assert by_email.status_code == 200
    assert signed_in_user_id(client) is None


def test_sign_in_page_has_labels_and_password_reset_link(client: Client) -> None:
    # when
    page = client.get("/login/").content.decode()
    # then
    assert '<label for="id_username">Username or email</label>' in page
    assert '<label for="id_password">Password</label>' in page
    assert '<a href="/password-reset/">Forgot your password?</a>' in page


# --- lock-out ------------------------------------------------------------------------------------


def test_five_failures_lock_the_account_on_this_address_with_a_message(
    client: Client, personas: Personas
) -> None:
    # given four failures by username and email (one account)
    for _ in range(2):
        assert sign_in(client, "owner", "wrong").status_code == 200
        assert sign_in(client, "owner@example.com", "wrong").status_code == 200
    # when the fifth fails
    fifth = sign_in(client, "owner", "wrong")
    # then the sign-in page says the account is locked
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()
    assert "locked for 15 minutes" in fifth.content.decode()
    assert '<label for="id_username">Username or email</label>' in fifth.content.decode()
    # and even the right password is refused
    right = sign_in(client, "owner")
    assert right.status_code == 429
    assert LOCKED in right.content.decode()
    assert signed_in_user_id(client) is None
    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [
        ("owner", "127.0.0.1")
    ]


def test_lock_out_is_per_account_and_address(client: Client, personas: Personas) -> None:
    # given owner is locked out from 127.0.0.1
    for _ in range(5):
        sign_in(client, "owner", "wrong")
    # when a colleague signs in from the same address, and owner from another one
    teammate = sign_in(Client(), "teammate")
    elsewhere = Client(REMOTE_ADDR="10.0.0.9").post(
        "/login/", {"username": "owner", "password": "pw"}
    )
    # then both get in
    assert teammate.status_code == 302
    assert elsewhere.status_code == 302


def test_lock_out_ends_after_the_cool_off(client: Client, personas: Personas) -> None:
    # given
    start = timezone.now()
    with freeze_time(start):
        for _ in range(5):
            sign_in(client, "owner", "wrong")
        assert sign_in(client, "owner").status_code == 429
    # when 16 minutes have passed
    with freeze_time(start + dt.timedelta(minutes=16)):
        response = sign_in(client, "owner")
    # then
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(personas.owner.pk)


def test_a_success_resets_the_failure_count(client: Client, personas: Personas) -> None:
    # given four failures, then a success
    for _ in range(4):
        sign_in(client, "owner", "wrong")
    assert sign_in(client, "owner").status_code == 302
    client.post("/logout/")
    # when four more fail
    for _ in range(4):
        assert sign_in(client, "owner", "wrong").status_code == 200
    # then the account is not locked
    assert sign_in(client, "owner").status_code == 302


# --- password reset by email ---------------------------------------------------------------------


def _reset_link(message: mail.EmailMessage) -> str:
    match = re.search(r"http://testserver(/password-reset/[^/\s]+/[^/\s]+/)", str(message.body))
    assert match is not None, message.body
    return match.group(1)


def test_password_reset_by_email_end_to_end(client: Client, personas: Personas) -> None:
    # when the user asks for a link (email in another case)
    asked = client.post("/password-reset/", {"email": "Owner@Example.com"})
    # then an email with a link goes to the account's address
    assert asked.status_code == 302
    assert asked["Location"] == "/password-reset/sent/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["owner@example.com"]
    assert mail.outbox[0].subject == "Reset your password on testserver"
    assert "Your username: owner" in str(mail.outbox[0].body)
    # when they follow it and choose a new password
    opened = client.get(_reset_link(mail.outbox[0]), follow=True)
    assert opened.status_code == 200
    assert "Choose a new password" in opened.content.decode()
    form_url = opened.redirect_chain[-1][0]
    new_password = "a-Long-new-passw0rd"
    changed = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert changed.status_code == 302
    assert changed["Location"] == "/password-reset/done/"
    # then the new password signs them in and the old one does not
    assert sign_in(Client(), "owner", "pw").status_code == 200
    assert sign_in(client, "owner", new_password).status_code == 302
    assert signed_in_user_id(client) == str(personas.owner.pk)


def test_password_reset_link_works_once(client: Client, personas: Personas) -> None:
    # given a used link
    client.post("/password-reset/", {"email": "owner@example.com"})
    link = _reset_link(mail.outbox[0])
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "Xyzzy-plugh-42", "new_password2": "Xyzzy-plugh-42"})
    # when it is opened again
    again = Client().get(link, follow=True)
    # then
    assert "This link has expired or has been used already." in again.content.decode()
    assert User.objects.get(pk=personas.owner.pk).check_password("Xyzzy-plugh-42")


def test_password_reset_mismatch_names_the_field(client: Client, personas: Personas) -> None:
    # given
    client.post("/password-reset/", {"email": "owner@example.com"})
    form_url = client.get(_reset_link(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    # when
    response = client.post(
        form_url, {"new_password1": "Xyzzy-plugh-42", "new_password2": "Xyzzy-plugh-43"}
    )
    # then
    assert response.status_code == 200
    assert (
        "The two password fields didn\N{RIGHT SINGLE QUOTATION MARK}t match."
        in response.content.decode()
    )
    assert User.objects.get(pk=personas.owner.pk).check_password("pw")


def test_password_reset_for_unknown_email_sends_nothing_and_says_the_same(
    client: Client, personas: Personas
) -> None:
    # when
    response = client.post("/password-reset/", {"email": "nobody@example.com"})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/password-reset/sent/"
    assert mail.outbox == []


def test_password_reset_lifts_the_lock_out(client: Client, personas: Personas) -> None:
    # given a locked-out account
    for _ in range(5):
        sign_in(client, "owner", "wrong")
    assert sign_in(client, "owner").status_code == 429
    # when its owner resets the password
    client.post("/password-reset/", {"email": "owner@example.com"})
    form_url = client.get(_reset_link(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "Xyzzy-plugh-42", "new_password2": "Xyzzy-plugh-42"})
    # then the new password signs in at once
    assert sign_in(client, "owner", "Xyzzy-plugh-42").status_code == 302
    assert AccessAttempt.objects.count() == 0


# --- session expiry and signing out --------------------------------------------------------------


def test_expired_session_redirects_to_sign_in(client: Client, personas: Personas) -> None:
    # given a signed-in session that has expired
    assert sign_in(client, "owner").status_code == 302
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    # when
    response = client.get("/contacts/")
    # then
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/contacts/"


def test_session_lasts_the_configured_age(
    client: Client, personas: Personas, settings: Any
) -> None:
    # given
    settings.SESSION_COOKIE_AGE = 60
    start = timezone.now()
    with freeze_time(start):
        sign_in(client, "owner")
    # when
    with freeze_time(start + dt.timedelta(seconds=59)):
        before = client.get("/")
    with freeze_time(start + dt.timedelta(seconds=61)):
        after = client.get("/")
    # then
    assert before.status_code == 200
    assert after.status_code == 302
    assert after["Location"] == "/login/?next=/"


def test_session_cookie_lasts_twelve_hours_or_until_the_browser_closes(
    personas: Personas, settings: Any
) -> None:
    # when signing in with the default settings, and with SESSION_EXPIRE_AT_BROWSER_CLOSE
    default = sign_in(Client(), "owner")
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    browser_session = sign_in(Client(), "owner")
    # then
    assert default.cookies["sessionid"]["max-age"] == 12 * 60 * 60
    assert browser_session.cookies["sessionid"]["max-age"] == ""
    assert browser_session.cookies["sessionid"]["expires"] == ""


def test_sign_out_needs_post_and_ends_the_session(client: Client, personas: Personas) -> None:
    # given
    sign_in(client, "owner")
    # when
    by_get = client.get("/logout/")
    by_post = client.post("/logout/")
    # then
    assert by_get.status_code == 405
    assert by_post.status_code == 302
    assert by_post["Location"] == "/login/"
    assert signed_in_user_id(client) is None
    assert client.get("/").status_code == 302


# --- the next parameter --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        ("/contacts/", "/contacts/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_redirect_stays_on_this_site(
    client: Client, personas: Personas, next_url: str, location: str
) -> None:
    # when
    response = sign_in(client, "owner", next=next_url)
    # then
    assert response.status_code == 302
    assert response["Location"] == location


def test_next_from_the_query_string_is_kept_in_the_form(client: Client) -> None:
    # when
    page = client.get("/login/?next=/contacts/").content.decode()
    # then
    assert '<input type="hidden" name="next" value="/contacts/">' in page
