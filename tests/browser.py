"""Fixtures of the browser tests: Debian's chromium driven by Playwright (no browser download),
against the live test server, at a desktop and a phone viewport.

Usage: a test takes ``page`` (parametrised over both viewports) and ``live_server``; ``sign_in``
signs a page in through the real sign-in form.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls a test makes while
# a page is open are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("RAPPORT_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1366, "height": 850}},
    "phone": {
        "viewport": {"width": 375, "height": 740},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, chromium: Any) -> Iterator[Any]:
    """A fresh page (own cookies) at the parametrised viewport; ``page.viewport_name`` says which.
    Any JavaScript error or CSP violation on the page fails the test."""
    context = chromium.new_context(locale="en-US", **VIEWPORTS[request.param])
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.viewport_name = request.param
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    yield page
    context.close()
    assert errors == [], errors


def sign_in(page: Any, base_url: str, username: str, password: str = "pw") -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")
