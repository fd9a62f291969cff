"""The list screen in a real browser: build a filter, save it as a view, open the view again;
choose columns; edit a cell in place; select rows for a bulk action."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import Personas
from rapport.accounts.models import Account
from rapport.core.models import SavedView
from rapport.framework.testing.factories import AccountFactory
from tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def names(page: Any) -> list[str]:
    """The record names in the list, in order."""
    return [
        n.strip() for n in page.locator("#list-results tbody td:nth-child(2) a").all_inner_texts()
    ]


def settled(page: Any) -> None:
    """Wait until htmx has swapped, settled and wired up what it last loaded."""
    busy = page.locator(".htmx-added, .htmx-settling, .htmx-request, .htmx-swapping")
    expect(busy).to_have_count(0)


def test_filter_save_the_view_and_open_it_again(
    page: Any, live_server: Any, personas: Personas
) -> None:
    # given
    AccountFactory(owner=personas.owner, name="Berlin GmbH", billing_country="DE")
    AccountFactory(owner=personas.owner, name="Boston Inc", billing_country="US")
    sign_in(page, live_server.url, "owner")
    page.goto(f"{live_server.url}/accounts/?ordering=name")
    assert names(page) == ["Berlin GmbH", "Boston Inc"]
    # when: a filter row is built and applied
    page.locator("#filter-builder > summary").click()
    page.get_by_role("button", name="Add filter").click()
    page.locator("#filter-rows select[name=fb_field]").wait_for()
    settled(page)
    page.locator("#filter-rows select[name=fb_field]").select_option("billing_country")
    page.locator("#filter-rows select[name=billing_country]").wait_for()
    settled(page)
    page.locator("#filter-rows select[name=billing_country]").select_option("DE")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**billing_country=DE**")
    expect(page.locator("#list-results tbody tr")).to_have_count(1)
    # then
    assert names(page) == ["Berlin GmbH"]
    # when: it is saved as a view
    page.locator("#save-view > summary").click()
    page.get_by_label("View name").fill("German accounts")
    page.locator("#save-view").get_by_role("button", name="Save view").click()
    page.wait_for_url("**view=*")
    view = SavedView.objects.get()
    assert view.query == "ordering=name&billing_country=DE"
    assert names(page) == ["Berlin GmbH"]
    # when: the list is opened without filters, then the view is chosen from the menu
    page.goto(f"{live_server.url}/accounts/?view=none")
    assert names(page) == ["Berlin GmbH", "Boston Inc"] or sorted(names(page)) == [
        "Berlin GmbH",
        "Boston Inc",
    ]
    page.locator(".views-menu > summary").click()
    page.get_by_role("link", name="German accounts").click()
    page.wait_for_url(f"**view={view.pk}")
    # then the filter is applied again, and shown in the filter builder
    assert names(page) == ["Berlin GmbH"]
    assert page.locator(".views-menu > summary").inner_text() == "German accounts"
    assert page.locator("#filter-rows select[name=billing_country]").input_value() == "DE"


def test_columns_cells_and_selection(page: Any, live_server: Any, personas: Personas) -> None:
    # given
    account = AccountFactory(owner=personas.owner, name="Acme", employee_count=5)
    AccountFactory(owner=personas.owner, name="Zenith", employee_count=7)
    sign_in(page, live_server.url, "owner")
    page.goto(f"{live_server.url}/accounts/?ordering=name")
    # when: a column is added and moved to second place with the keyboard-operable buttons
    page.locator("#column-chooser > summary").click()
    page.get_by_role("checkbox", name="Employees", exact=True).check()
    first = page.locator("[data-column-list] li").first
    while first.get_attribute("data-column") != "employee_count":
        page.get_by_role("button", name="Move Employees up").click()
    page.get_by_role("button", name="Move Employees down").click()
    page.get_by_role("button", name="Apply columns").click()
    page.wait_for_url("**/accounts/?ordering=name&columns=name%2Cemployee_count%2C*")
    # then
    headers = page.locator("#list-results thead th").all_inner_texts()
    assert [h.strip() for h in headers[1:3]] == ["Name ▲", "Employees"]
    # when: a cell gets a bad value, then a good one
    cell = page.get_by_role("button", name="Edit Employees: 5")
    cell.click()
    page.locator(".cell-form input[name=value]").wait_for()
    settled(page)
    field = page.locator(".cell-form input[name=value]")
    field.fill("lots")
    field.press("Enter")
    page.locator(".cell-form .field-error").wait_for()
    settled(page)
    assert page.locator(".cell-form .field-error").inner_text() == "A valid integer is required."
    field = page.locator(".cell-form input[name=value]")
    field.fill("12")
    field.press("Enter")
    page.get_by_role("button", name="Edit Employees: 12").wait_for()
    account.refresh_from_db()
    assert account.employee_count == 12
    # when: editing is cancelled with Escape
    page.get_by_role("button", name="Edit Employees: 12").click()
    page.locator(".cell-form input[name=value]").wait_for()
    settled(page)
    page.locator(".cell-form input[name=value]").press("Escape")
    page.get_by_role("button", name="Edit Employees: 12").wait_for()
    assert page.locator(".cell-form").count() == 0
    # when: every row of the page is selected
    page.get_by_label("Select all on this page").check()
    # then
    assert page.locator("[data-bulk-count]").inner_text() == "2 selected"
    page.get_by_role("button", name="Delete…").click()
    page.wait_for_url("**/accounts/bulk/")
    assert page.locator("h1").inner_text() == "Delete 2 records?"
    assert Account.objects.count() == 2
