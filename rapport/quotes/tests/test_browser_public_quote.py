"""The customer's quote page in a real browser, at desktop and phone width: readable without
sideways scrolling of the page, and accepting works with the keyboard."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Personas
from rapport.orders.models import Order
from rapport.quotes.acceptance import quote_link_token
from rapport.quotes.choices import QuoteStatus
from rapport.quotes.tests.document_data import quote_with_lines

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_accepts_a_quote_on_the_page(
    page: Any, live_server: Any, personas: Personas, settings: Any, tmp_path: Any
) -> None:
    # given a sent quote of eight lines and its link
    settings.RAPPORT_COUNTERS_PATH = str(tmp_path / "counters.sqlite3")
    quote = quote_with_lines(personas.owner, lines=8)
    page.goto(f"{live_server.url}/q/{quote_link_token(quote)}/")

    # then the page fits the screen: only the lines table may scroll sideways
    assert page.locator("h1").inner_text() == f"Quote {quote.number}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]
    accept = page.get_by_role("button", name="Accept")
    accept.scroll_into_view_if_needed()
    assert accept.is_visible()

    # when the customer types their name and presses Enter in the field
    page.get_by_label("Your full name").fill("Jane Doe")
    page.get_by_label("Your full name").press("Enter")

    # then the thank-you page shows and the quote is accepted with its order
    page.get_by_text("Thank you: you accepted the quote.").wait_for()
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED
    assert Order.objects.filter(quote=quote).count() == 1
