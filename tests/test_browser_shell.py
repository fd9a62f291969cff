"""The app shell in a real browser: sign in, global search, language switch."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Personas
from rapport.contacts.models import Contact
from rapport.framework.actor import Actor
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_create
from tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_and_find_a_contact_through_global_search(
    page: Any, live_server: Any, personas: Personas
) -> None:
    # given
    record_create(
        actor=Actor(user=personas.owner),
        record_type=get_record_type("contacts"),
        data={"given_name": "Grace", "family_name": "Hopper"},
    )
    assert Contact.objects.count() == 1
    # when
    sign_in(page, live_server.url, "owner")
    page.keyboard.press("/")
    page.keyboard.type("Hopp")
    # then
    result = page.locator("#global-search-results a", has_text="Grace Hopper")
    result.wait_for()
    result.click()
    page.wait_for_url(f"{live_server.url}/contacts/*/")
    assert page.locator("h1").inner_text() == "Grace Hopper"


def test_switch_to_chinese(page: Any, live_server: Any, personas: Personas) -> None:
    sign_in(page, live_server.url, "owner")
    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("#global-search").get_attribute("placeholder") == "搜索（按 / 键）"  # noqa: RUF001
