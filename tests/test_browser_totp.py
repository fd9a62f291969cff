"""Two-factor authentication in a real browser: setting it up from the user menu (QR code image
under the strict CSP) and signing in with a code from the authenticator app."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest

from conftest import Personas
from rapport.framework.actor import Actor
from rapport.identity.models import TotpDevice
from rapport.identity.two_factor_services import totp_device_begin, totp_device_confirm
from tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def axes_on(settings: Any) -> None:
    # The live server runs in this process: the lock-out middleware is in the path, as in use.
    settings.AXES_ENABLED = True


def test_sign_in_with_a_code_from_the_authenticator_app(
    page: Any, live_server: Any, personas: Personas
) -> None:
    # given two-factor authentication confirmed in an earlier time step
    owner = personas.owner
    device = totp_device_begin(actor=Actor(user=owner), user=owner)
    totp_device_confirm(actor=Actor(user=owner), user=owner, code=pyotp.TOTP(device.secret).now())
    TotpDevice.objects.filter(pk=device.pk).update(last_used_step=0)
    # when the password is right
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username or email").fill("owner@example.com")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    # then the code is asked for
    page.wait_for_url(f"{live_server.url}/login/code/")
    page.get_by_label("Authentication code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    assert page.get_by_role("alert").inner_text() == "This code is wrong or has been used already."
    # when the app's code is typed
    page.get_by_label("Authentication code").fill(pyotp.TOTP(device.secret).now())
    page.get_by_role("button", name="Verify").click()
    # then the user is signed in
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator(".user-menu summary").inner_text() == "owner"


def test_set_up_from_the_user_menu(page: Any, live_server: Any, personas: Personas) -> None:
    # given
    sign_in(page, live_server.url, "owner")
    # when the user opens Security from the user menu and starts the set-up
    page.locator(".user-menu summary").click()
    page.get_by_role("link", name="Security").click()
    page.wait_for_url(f"{live_server.url}/account/security/")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Set up two-factor authentication").click()
    page.wait_for_url(f"{live_server.url}/account/security/totp/confirm/")
    # then the QR code shows (a data: image the CSP allows) with the key beside it
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0") is True
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    # when the app's code is typed
    page.get_by_label("Authentication code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()
    # then ten recovery codes are shown
    page.wait_for_url(f"{live_server.url}/account/security/recovery-codes/")
    assert page.locator(".recovery-codes li").count() == 10
    page.get_by_role("button", name="I have saved them").click()
    page.wait_for_url(f"{live_server.url}/account/security/")
    assert "You have 10 unused recovery codes." in page.locator("main").inner_text()
