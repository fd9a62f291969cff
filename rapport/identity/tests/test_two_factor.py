"""Two-factor authentication: setting it up on the Security page, signing in with a code from
the authenticator app or a recovery code, renewing the codes and turning it off."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pyotp
import pytest
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from conftest import Personas
from rapport.core.models import ChangeLogEntry
from rapport.framework.actor import Actor
from rapport.framework.exceptions import RecordPermissionDenied
from rapport.identity.models import RecoveryCode, TotpDevice, User
from rapport.identity.two_factor_services import (
    recovery_codes_regenerate,
    totp_device_begin,
    totp_device_confirm,
    totp_disable,
)

WRONG_CODE = "This code is wrong or has been used already."
# An hour ago, on a whole minute (a boundary of the 30-second code steps): a sign-in made at a
# fixed date would have expired (SESSION_COOKIE_AGE) by the time the test reads its session.
START = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) - dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def axes_on(settings: Any) -> None:
    # The test settings switch django-axes off for Django's client.login(); these tests need it.
    settings.AXES_ENABLED = True


def sign_in(client: Client, username: str = "owner", password: str = "pw", **extra: str) -> Any:
    return client.post("/login/", {"username": username, "password": password, **extra})


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def code_at(user: User, when: dt.datetime) -> str:
    return pyotp.TOTP(TotpDevice.objects.get(user=user).secret).at(when)


def turn_on(user: User, when: dt.datetime = START) -> list[str]:
    """Two-factor authentication for ``user``, confirmed at ``when``; returns the recovery codes."""
    with freeze_time(when):
        totp_device_begin(actor=Actor(user=user), user=user)
        return totp_device_confirm(actor=Actor(user=user), user=user, code=code_at(user, when))


def two_factor_state(user: User) -> tuple[bool, int, int]:
    return (
        TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists(),
        RecoveryCode.objects.filter(user=user, used_at__isnull=True).count(),
        ChangeLogEntry.objects.count(),
    )


# --- set-up ---------------------------------------------------------------------------------------


def test_set_up_shows_qr_code_and_key_then_confirm_shows_recovery_codes_once(
    client: Client, personas: Personas
) -> None:
    # given
    owner = personas.owner
    sign_in(client)
    assert "Set up two-factor authentication" in client.get("/account/security/").content.decode()
    # when the user starts the set-up
    started = client.post("/account/security/totp/", {"password": "pw"})
    # then the QR code and the key are shown, and nothing is on yet
    assert started.status_code == 302
    assert started["Location"] == "/account/security/totp/confirm/"
    device = TotpDevice.objects.get(user=owner)
    assert device.confirmed_at is None
    page = client.get("/account/security/totp/confirm/").content.decode()
    assert 'src="data:image/svg+xml;charset=utf-8,' in page
    assert " ".join(re.findall(".{4}", device.secret)) in page
    assert '<label for="id_code">Authentication code</label>' in page
    # when they type a wrong code, then the right one
    wrong = client.post("/account/security/totp/confirm/", {"code": "000000"})
    assert wrong.status_code == 400
    assert "This code is not valid." in wrong.content.decode()
    assert two_factor_state(owner) == (False, 0, 0)
    right = client.post(
        "/account/security/totp/confirm/", {"code": pyotp.TOTP(device.secret).now()}
    )
    # then two-factor authentication is on, and ten recovery codes are shown once
    assert right.status_code == 302
    assert right["Location"] == "/account/security/recovery-codes/"
    codes_page = client.get("/account/security/recovery-codes/").content.decode()
    shown = re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>", codes_page)
    assert len(set(shown)) == 10
    again = client.get("/account/security/recovery-codes/")
    assert again.status_code == 302
    assert again["Location"] == "/account/security/"
    assert two_factor_state(owner) == (True, 10, 1)
    entry = ChangeLogEntry.objects.get()
    assert (entry.user_id, entry.object_id, entry.object_repr) == (owner.pk, str(owner.pk), "owner")
    assert entry.before == {
        "two_factor": False,
        "recovery_codes_unused": 0,
        "recovery_codes_issued_at": None,
    }
    assert entry.after is not None
    assert (entry.after["two_factor"], entry.after["recovery_codes_unused"]) == (True, 10)
    # and the codes are stored as hashes only
    assert all(code.replace("-", "") not in h for code in shown for h in _hashes(owner))


def _hashes(user: User) -> list[str]:
    return list(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))


def test_set_up_needs_the_password(client: Client, personas: Personas) -> None:
    # given
    sign_in(client)
    # when
    response = client.post("/account/security/totp/", {"password": "wrong"})
    # then
    assert response.status_code == 400
    assert "This is not your password." in response.content.decode()
    assert TotpDevice.objects.count() == 0


def test_security_page_needs_sign_in(client: Client) -> None:
    response = client.get("/account/security/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/account/security/"


def test_security_link_in_the_user_menu(client: Client, personas: Personas) -> None:
    sign_in(client)
    page = client.get("/").content.decode()
    assert '<a href="/account/security/">Security</a>' in page


# --- signing in with a code -----------------------------------------------------------------------


def test_sign_in_asks_for_the_code_before_signing_in(client: Client, personas: Personas) -> None:
    # given
    turn_on(personas.owner)
    later = START + dt.timedelta(minutes=5)
    with freeze_time(later):
        # when the password is right
        password_step = sign_in(client)
        # then the user is not signed in yet but asked for the code
        assert password_step.status_code == 302
        assert password_step["Location"] == "/login/code/"
        assert signed_in_user_id(client) is None
        assert client.get("/").status_code == 302
        code_page = client.get("/login/code/").content.decode()
        assert '<label for="id_code">Authentication code</label>' in code_page
        assert ">Verify</button>" in code_page
        # when the code is right
        code_step = client.post("/login/code/", {"code": code_at(personas.owner, later)})
    # then
    assert code_step.status_code == 302
    assert code_step["Location"] == "/"
    assert signed_in_user_id(client) == str(personas.owner.pk)


def test_code_of_the_previous_time_step_is_accepted(client: Client, personas: Personas) -> None:
    # given
    turn_on(personas.owner)
    later = START + dt.timedelta(minutes=5)
    with freeze_time(later):
        sign_in(client)
        # when the phone is 30 seconds behind
        response = client.post(
            "/login/code/", {"code": code_at(personas.owner, later - dt.timedelta(seconds=30))}
        )
    # then
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(personas.owner.pk)


def test_wrong_code_is_refused(client: Client, personas: Personas) -> None:
    # given
    turn_on(personas.owner)
    later = START + dt.timedelta(minutes=5)
    with freeze_time(later):
        sign_in(client)
        # when the code is two minutes old
        old = code_at(personas.owner, later - dt.timedelta(minutes=2))
        response = client.post("/login/code/", {"code": old})
    # then
    assert response.status_code == 200
    assert WRONG_CODE in response.content.decode()
    assert signed_in_user_id(client) is None


def test_code_used_once_is_refused_the_second_time(personas: Personas) -> None:
    # given a sign-in with the current code
    turn_on(personas.owner)
    later = START + dt.timedelta(minutes=5)
    code = code_at(personas.owner, later)
    first = Client()
    with freeze_time(later):
        sign_in(first)
        assert first.post("/login/code/", {"code": code}).status_code == 302
        # when someone else types the same code within its time step
        second = Client()
        sign_in(second)
        response = second.post("/login/code/", {"code": code})
    # then
    assert response.status_code == 200
    assert WRONG_CODE in response.content.decode()
    assert signed_in_user_id(second) is None


def test_set_up_code_cannot_be_used_to_sign_in(client: Client, personas: Personas) -> None:
    # given the code typed to confirm the set-up
    turn_on(personas.owner)
    with freeze_time(START + dt.timedelta(seconds=10)):
        sign_in(client)
        # when it is typed again at sign-in
        response = client.post("/login/code/", {"code": code_at(personas.owner, START)})
    # then
    assert WRONG_CODE in response.content.decode()
    assert signed_in_user_id(client) is None


def test_recovery_code_signs_in_once_only(client: Client, personas: Personas) -> None:
    # given
    codes = turn_on(personas.owner)
    entries = ChangeLogEntry.objects.count()
    sign_in(client)
    # when a recovery code is typed (in upper case, without hyphens)
    first = client.post("/login/code/", {"code": codes[3].replace("-", "").upper()})
    # then it signs in, says how many are left and is used up
    assert first.status_code == 302
    assert signed_in_user_id(client) == str(personas.owner.pk)
    home = client.get("/").content.decode()
    assert "You signed in with a recovery code; 9 codes are left." in home
    assert RecoveryCode.objects.filter(user=personas.owner, used_at__isnull=False).count() == 1
    assert ChangeLogEntry.objects.count() == entries + 1
    # when it is typed again
    client.post("/logout/")
    sign_in(client)
    second = client.post("/login/code/", {"code": codes[3]})
    # then
    assert second.status_code == 200
    assert WRONG_CODE in second.content.decode()
    assert signed_in_user_id(client) is None


def test_code_step_without_password_step_goes_back_to_sign_in(
    client: Client, personas: Personas
) -> None:
    # given
    turn_on(personas.owner)
    # when
    response = client.post("/login/code/", {"code": "123456"})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert signed_in_user_id(client) is None


def test_code_step_expires_after_five_minutes(client: Client, personas: Personas) -> None:
    # given
    turn_on(personas.owner)
    password_time = START + dt.timedelta(minutes=5)
    with freeze_time(password_time):
        sign_in(client)
    # when the code comes six minutes later
    late = password_time + dt.timedelta(minutes=6)
    with freeze_time(late):
        response = client.post("/login/code/", {"code": code_at(personas.owner, late)})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert signed_in_user_id(client) is None


def test_next_survives_the_code_step_and_stays_on_this_site(
    client: Client, personas: Personas
) -> None:
    # given
    turn_on(personas.owner)
    later = START + dt.timedelta(minutes=5)
    with freeze_time(later):
        sign_in(client, next="/contacts/")
        response = client.post("/login/code/", {"code": code_at(personas.owner, later)})
    assert response["Location"] == "/contacts/"
    # and an outside next is dropped
    client.post("/logout/")
    with freeze_time(later + dt.timedelta(minutes=1)):
        sign_in(client, next="https://evil.example/")
        response = client.post(
            "/login/code/", {"code": code_at(personas.owner, later + dt.timedelta(minutes=1))}
        )
    assert response["Location"] == "/"


def test_five_wrong_codes_lock_the_account(client: Client, personas: Personas) -> None:
    # given
    turn_on(personas.owner)
    later = START + dt.timedelta(minutes=5)
    with freeze_time(later):
        sign_in(client)
        for _ in range(4):
            assert client.post("/login/code/", {"code": "000000"}).status_code == 200
        # when the fifth is wrong too
        fifth = client.post("/login/code/", {"code": "000000"})
        # then the account is locked, even for the right password
        assert fifth.status_code == 429
        assert "Too many failed sign-in attempts." in fifth.content.decode()
        again = sign_in(client)
    assert again.status_code == 429
    assert signed_in_user_id(client) is None


def test_five_wrong_codes_without_lock_out_go_back_to_the_password(
    client: Client, personas: Personas, settings: Any
) -> None:
    # given the lock-out switched off
    settings.AXES_ENABLED = False
    turn_on(personas.owner)
    later = START + dt.timedelta(minutes=5)
    with freeze_time(later):
        sign_in(client)
        for _ in range(4):
            client.post("/login/code/", {"code": "000000"})
        # when the fifth is wrong
        fifth = client.post("/login/code/", {"code": "000000"})
        # then the user starts again
        assert fifth.status_code == 302
        assert fifth["Location"] == "/login/"
        assert "Too many wrong codes. Sign in again." in client.get("/login/").content.decode()
        right = client.post("/login/code/", {"code": code_at(personas.owner, later)})
    assert right["Location"] == "/login/"
    assert signed_in_user_id(client) is None


# --- new recovery codes and turning off --------------------------------------------------------


def test_new_recovery_codes_replace_the_old_ones(client: Client, personas: Personas) -> None:
    # given
    old = turn_on(personas.owner)
    sign_in(client)
    client.post("/login/code/", {"code": old[0]})
    # when
    wrong = client.post("/account/security/recovery-codes/renew/", {"password": "nope"})
    assert wrong.status_code == 400
    assert two_factor_state(personas.owner)[1] == 9
    renewed = client.post("/account/security/recovery-codes/renew/", {"password": "pw"})
    # then
    assert renewed["Location"] == "/account/security/recovery-codes/"
    page = client.get("/account/security/recovery-codes/").content.decode()
    new = re.findall(r"<code>([a-z0-9-]{14})</code>", page)
    assert len(new) == 10
    assert two_factor_state(personas.owner)[:2] == (True, 10)
    client.post("/logout/")
    sign_in(client)
    assert WRONG_CODE in client.post("/login/code/", {"code": old[1]}).content.decode()
    assert client.post("/login/code/", {"code": new[0]}).status_code == 302


def test_turn_off_needs_the_password(client: Client, personas: Personas) -> None:
    # given
    codes = turn_on(personas.owner)
    sign_in(client)
    client.post("/login/code/", {"code": codes[0]})
    page = client.get("/account/security/").content.decode()
    assert "You have 9 unused recovery codes." in page
    before = two_factor_state(personas.owner)
    # when the password is wrong
    refused = client.post("/account/security/totp/off/", {"password": "wrong"})
    # then nothing changes
    assert refused.status_code == 400
    assert "This is not your password." in refused.content.decode()
    assert two_factor_state(personas.owner) == before
    # when it is right
    done = client.post("/account/security/totp/off/", {"password": "pw"})
    # then two-factor authentication is off and signing in needs the password only
    assert done.status_code == 302
    assert two_factor_state(personas.owner) == (False, 0, before[2] + 1)
    assert TotpDevice.objects.count() == 0
    client.post("/logout/")
    assert sign_in(client)["Location"] == "/"


def test_only_the_user_changes_their_two_factor_settings(personas: Personas) -> None:
    # given
    turn_on(personas.owner)
    before = two_factor_state(personas.owner)
    teammate = Actor(user=personas.teammate)
    # when / then a colleague can neither renew codes, start a set-up nor turn it off
    with pytest.raises(RecordPermissionDenied):
        recovery_codes_regenerate(actor=teammate, user=personas.owner)
    with pytest.raises(RecordPermissionDenied):
        totp_device_begin(actor=teammate, user=personas.owner)
    with pytest.raises(RecordPermissionDenied):
        totp_disable(actor=teammate, user=personas.owner)
    assert two_factor_state(personas.owner) == before
    # but an administrator may turn it off (for someone who lost their phone)
    totp_disable(actor=Actor(user=personas.admin), user=personas.owner)
    assert two_factor_state(personas.owner)[:2] == (False, 0)


def test_pending_sign_in_ends_when_the_password_changes(client: Client, personas: Personas) -> None:
    # given a pending sign-in
    turn_on(personas.owner)
    later = START + dt.timedelta(minutes=5)
    with freeze_time(later):
        sign_in(client)
        # when the password is changed meanwhile
        owner = User.objects.get(pk=personas.owner.pk)
        owner.set_password("another-passw0rd")
        owner.save()
        response = client.post("/login/code/", {"code": code_at(owner, later)})
    # then
    assert response["Location"] == "/login/"
    assert signed_in_user_id(client) is None


def test_confirm_without_set_up_is_refused(personas: Personas) -> None:
    with pytest.raises(Exception) as error:
        totp_device_confirm(actor=Actor(user=personas.owner), user=personas.owner, code="123456")
    assert error.value.message_dict == {"code": ["Start the set-up again."]}  # type: ignore[attr-defined]
    assert TotpDevice.objects.count() == 0


def test_recovery_codes_are_issued_at_one_time(personas: Personas) -> None:
    turn_on(personas.owner, when=START)
    times = set(RecoveryCode.objects.values_list("created_at", flat=True))
    assert times == {START}
    assert timezone.is_aware(START)


def test_admin_sign_in_refuses_users_with_two_factor(client: Client, personas: Personas) -> None:
    # given an administrator with two-factor authentication
    turn_on(personas.admin)
    # when they sign in on the admin site, which has no code step
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": "pw", "next": "/admin/"}
    )
    # then they are told to use the main sign-in page
    assert response.status_code == 200
    assert "Your account uses two-factor authentication" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_admin_sign_in_works_without_two_factor(client: Client, personas: Personas) -> None:
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": "pw", "next": "/admin/"}
    )
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(personas.admin.pk)


def test_guessing_the_password_on_the_security_page_ends_the_session(
    client: Client, personas: Personas
) -> None:
    # given a signed-in session with two-factor authentication on
    codes = turn_on(personas.owner)
    sign_in(client)
    client.post("/login/code/", {"code": codes[0]})
    before = two_factor_state(personas.owner)
    for _ in range(4):
        assert client.post("/account/security/totp/off/", {"password": "guess"}).status_code == 400
    # when the fifth guess is wrong too
    fifth = client.post("/account/security/totp/off/", {"password": "guess"})
    # then the session ends with the lock-out message, and nothing changed
    assert fifth.status_code == 429
    assert "Too many failed sign-in attempts." in fifth.content.decode()
    assert signed_in_user_id(client) is None
    assert two_factor_state(personas.owner) == before
