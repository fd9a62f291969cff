"""The pipeline board in a real browser: drag a card to another stage on a desktop, use the
"Move to" control on a phone; the move persists, a refused move snaps back with its reason."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from conftest import Personas
from rapport.framework.testing.factories import OpportunityFactory, PipelineFactory, StageFactory
from rapport.opportunities.models import Opportunity, Stage
from tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def stages() -> tuple[Stage, Stage]:
    pipeline = PipelineFactory(name="Sales", is_default=True)
    return (
        StageFactory(pipeline=pipeline, name="Qualify", position=1, probability=20),
        StageFactory(pipeline=pipeline, name="Propose", position=2, probability=60),
    )


def column(page: Any, stage: Stage) -> Any:
    return page.locator(f'.board-cards[data-stage="{stage.pk}"]')


def test_move_a_card_to_another_stage(page: Any, live_server: Any, personas: Personas) -> None:
    # given
    qualify, propose = stages()
    deal = OpportunityFactory(
        owner=personas.owner,
        name="Acme renewal",
        stage=qualify,
        pipeline=qualify.pipeline,
        amount=Decimal("1000"),
        probability=20,
    )
    sign_in(page, live_server.url, "owner")
    page.goto(f"{live_server.url}/opportunities/board/")
    card = page.locator(f'.board-card[data-id="{deal.pk}"]')
    assert column(page, qualify).locator(".board-card").count() == 1
    # when: dragged on a desktop, moved with the "Move to" control on a phone
    if page.viewport_name == "desktop":
        card.drag_to(column(page, propose))
    else:
        board = page.locator("[data-board]")
        # the columns scroll sideways inside the board, the page itself does not
        assert board.evaluate("b => b.scrollWidth > b.clientWidth")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.locator(f"#move-{deal.pk}").select_option(label="Propose")
        card.get_by_role("button", name="Move").click()
    # then
    status = page.locator("#board-status")
    status.filter(has_text="“Acme renewal” moved to Propose.").wait_for()
    totals = page.locator(f'[data-totals="{propose.pk}"]')
    assert totals.locator('[data-total="weighted"]').inner_text() == "600.00 USD"
    page.reload()
    assert column(page, propose).locator(".board-card", has_text="Acme renewal").count() == 1
    assert column(page, qualify).locator(".board-card").count() == 0
    assert Opportunity.objects.get(pk=deal.pk).stage_id == propose.pk


def test_a_refused_move_snaps_back_and_says_why(
    page: Any, live_server: Any, personas: Personas
) -> None:
    # given a deal teammate may see (same team) but not change
    qualify, propose = stages()
    deal = OpportunityFactory(
        owner=personas.owner,
        team=personas.team,
        name="Acme renewal",
        stage=qualify,
        pipeline=qualify.pipeline,
    )
    sign_in(page, live_server.url, "teammate")
    page.goto(f"{live_server.url}/opportunities/board/")
    card = page.locator(f'.board-card[data-id="{deal.pk}"]')
    # when: dragged on a desktop, moved with the "Move to" control on a phone
    if page.viewport_name == "desktop":
        card.drag_to(column(page, propose))
    else:
        page.locator(f"#move-{deal.pk}").select_option(label="Propose")
        card.get_by_role("button", name="Move").click()
    # then the card is back in its column
    status = page.locator("#board-status.error")
    status.wait_for()
    assert status.inner_text() == (
        "“Acme renewal” was not moved: You do not have permission to do this."
    )
    assert column(page, qualify).locator(".board-card").count() == 1
    assert column(page, propose).locator(".board-card").count() == 0
    assert page.locator(f"#move-{deal.pk}").input_value() == str(qualify.pk)
    assert Opportunity.objects.get(pk=deal.pk).stage_id == qualify.pk
