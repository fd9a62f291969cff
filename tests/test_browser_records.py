"""Record forms and record pages in a real browser, at desktop and phone widths: create an
account, then a contact linked to it through the account picker inside a membership row."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import Personas
from rapport.accounts.models import Account
from rapport.activities.models import Activity
from rapport.contacts.models import Contact
from tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_an_account_then_a_contact_linked_to_it_through_the_picker(
    page: Any, live_server: Any, personas: Personas
) -> None:
    # given
    sign_in(page, live_server.url, "owner")
    # when: a new account
    page.goto(f"{live_server.url}/accounts/new/")
    page.locator("#f-name").fill("Analytical Engines")
    page.get_by_label("Industry").select_option("software")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(r"/accounts/\d+/$"))
    account = Account.objects.get()
    assert page.locator("h1").inner_text() == "Analytical Engines"
    # when: a new contact, linked to the account in a membership row
    page.goto(f"{live_server.url}/contacts/new/")
    page.get_by_label("Given name").fill("Ada")
    page.get_by_label("Family name").fill("Lovelace")
    page.get_by_role("button", name="Add account membership").click()
    picker = page.locator("#f-memberships-0-account")
    picker.wait_for()
    picker.fill("Analyt")
    option = page.locator(".picker-options [role=option]", has_text="Analytical Engines")
    option.click()
    assert page.locator("input[name=memberships-0-account]").input_value() == str(account.pk)
    page.get_by_label("Buying role").select_option("decision_maker")
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # one column fits
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(r"/contacts/\d+/$"))
    # then
    contact = Contact.objects.get()
    assert contact.display_name == "Ada Lovelace"
    membership = contact.memberships.get()
    assert (membership.account_id, membership.buying_role) == (account.pk, "decision_maker")
    assert page.locator("h1").inner_text() == "Ada Lovelace"
    assert page.locator("#section-memberships").inner_text().count("Analytical Engines") == 1
    # then: the account page lists the contact, readable on the page's width
    page.goto(f"{live_server.url}/accounts/{account.pk}/")
    link = page.locator(".record-related a", has_text="Ada Lovelace")
    link.wait_for()
    box = link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_quick_add_a_note_refreshes_the_timeline(
    page: Any, live_server: Any, personas: Personas
) -> None:
    # given
    sign_in(page, live_server.url, "owner")
    page.goto(f"{live_server.url}/accounts/new/")
    page.locator("#f-name").fill("Babbage Ltd")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(r"/accounts/\d+/$"))
    # when
    page.get_by_label("Note").check()
    page.get_by_label("Subject").fill("Met at the fair")
    page.get_by_role("button", name="Add", exact=True).click()
    # then
    page.locator("#timeline a", has_text="Met at the fair").wait_for()
    assert Activity.objects.get().subject == "Met at the fair"
    assert page.get_by_label("Subject").input_value() == ""
