"""The sales-automation screens pass axe-core's WCAG 2 A and AA rules at both viewports: lead
(scores, conversion), opportunity (predicted probability), quote (lines, approval, document),
order, the forecast pages, the lead-scoring model page and the customer's quote page."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Personas
from rapport.framework.testing.factories import LeadFactory
from rapport.orders.tests.factories import OrderLineFactory
from rapport.quotes.acceptance import quote_link_token
from rapport.quotes.tests.document_data import quote_with_lines
from tests.browser import VIEWPORTS, sign_in
from tests.test_browser_accessibility import AXE, RUN_AXE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_sales_screens_have_no_wcag_a_or_aa_violations(
    chromium: Any,
    live_server: Any,
    personas: Personas,
    viewport: str,
    settings: Any,
    tmp_path: Any,
) -> None:
    # given a lead, a sent quote of four lines on an opportunity, and an order
    settings.RAPPORT_COUNTERS_PATH = str(tmp_path / "counters.sqlite3")
    lead = LeadFactory(owner=personas.admin, company="Northwind", job_title="Head of IT")
    quote = quote_with_lines(personas.admin, lines=4)
    order = OrderLineFactory(order__owner=personas.admin).order
    context = chromium.new_context(bypass_csp=True, **VIEWPORTS[viewport])
    page = context.new_page()
    violations: dict[str, list[str]] = {}
    paths = (
        f"/leads/{lead.pk}/",
        f"/leads/{lead.pk}/convert/",
        f"/opportunities/{quote.opportunity_id}/",
        f"/quotes/{quote.pk}/",
        f"/orders/{order.pk}/",
        "/forecasts/pipeline/",
        "/forecasts/bookings/",
        "/forecasts/win-probability/",
        "/lead-scoring/",
    )
    try:
        public = f"/q/{quote_link_token(quote)}/"
        page.goto(live_server.url + public)
        page.add_script_tag(path=str(AXE))
        violations[public] = page.evaluate(RUN_AXE)
        sign_in(page, live_server.url, "admin")
        for path in paths:
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, path
            page.add_script_tag(path=str(AXE))
            violations[path] = page.evaluate(RUN_AXE)
    finally:
        context.close()
    # then
    assert {path: found for path, found in violations.items() if found} == {}
