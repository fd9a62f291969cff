"""The main screens pass axe-core's WCAG 2 A and AA rules (labels, names, colour contrast, ...)
in chromium at both viewports. axe-core comes from the npm registry with the other front-end
packages; the test injects it, so its context bypasses the CSP for that script only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import Personas
from rapport.framework.testing.factories import (
    AccountFactory,
    ContactFactory,
    OpportunityFactory,
)
from tests.browser import VIEWPORTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]}});
  return result.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.length} at ` +
    v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
}"""


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_main_screens_have_no_wcag_a_or_aa_violations(
    chromium: Any, live_server: Any, personas: Personas, viewport: str
) -> None:
    # given a little data, so that lists, record pages and the board are not empty
    account = AccountFactory(owner=personas.admin, name="Acme")
    contact = ContactFactory(owner=personas.admin, given_name="Ada", family_name="Lovelace")
    OpportunityFactory(owner=personas.admin, account=account, name="Renewal")
    context = chromium.new_context(bypass_csp=True, **VIEWPORTS[viewport])
    page = context.new_page()
    violations: dict[str, list[str]] = {}
    try:
        page.goto(f"{live_server.url}/login/")
        page.add_script_tag(path=str(AXE))
        violations["/login/"] = page.evaluate(RUN_AXE)
        sign_in(page, live_server.url, "admin")
        for path in (
            "/",
            "/my-day/",
            "/contacts/",
            "/contacts/new/",
            f"/contacts/{contact.pk}/",
            f"/accounts/{account.pk}/",
            "/opportunities/board/",
            "/settings/",
            "/settings/users/",
        ):
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, path
            page.add_script_tag(path=str(AXE))
            violations[path] = page.evaluate(RUN_AXE)
    finally:
        context.close()
    # then
    assert {path: found for path, found in violations.items() if found} == {}
