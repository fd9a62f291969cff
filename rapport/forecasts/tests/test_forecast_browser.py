"""The forecast page in a real browser (desktop and phone): the chart is drawn from the page's
data without script errors or CSP violations, and a manager adjusts a commit with the
keyboard-operable form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from conftest import Personas
from rapport.forecasts.models import ForecastAdjustment
from rapport.framework.actor import Actor
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_create
from rapport.framework.testing.factories import (
    AccountFactory,
    PipelineFactory,
    StageFactory,
    currency,
)
from tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_sees_the_chart_and_adjusts_a_commit(
    page: Any, live_server: Any, personas: Personas
) -> None:
    # given a commit deal of the owner's this quarter
    stage = StageFactory(pipeline=PipelineFactory(), probability=90)
    record_create(
        actor=Actor(user=personas.owner),
        record_type=get_record_type("opportunities"),
        data={
            "name": "Deal",
            "account": AccountFactory(owner=personas.owner),
            "pipeline": stage.pipeline,
            "stage": stage,
            "currency": currency("USD"),
            "amount": Decimal("1000"),
            "expected_close_date": dt.date(2026, 11, 20),
        },
    )
    # when the manager opens the forecast of 2026-Q4
    sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/forecasts/pipeline/?period=2026-Q4")
    # then the chart is drawn (Chart.js sized the canvas) and the table shows the figures
    page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector('canvas'))")
    owner_row = page.locator(f"#forecast-table tr[data-user='{personas.owner.pk}']")
    assert owner_row.locator("td[data-col='commit']").inner_text() == "1,000.00 USD"
    # when they adjust the owner's commit with the form
    page.get_by_label("Whose commit").select_option(f"user:{personas.owner.pk}")
    page.get_by_label("Commit (USD)").fill("750")
    page.get_by_label("Note").fill("Waiting for budget")
    page.get_by_role("button", name="Save adjustment").click()
    page.wait_for_load_state()
    # then the adjustment is shown next to the raw figure and in the history
    assert owner_row.locator("td[data-col='adjusted']").inner_text() == "750.00 USD"
    assert "Waiting for budget" in page.locator("#adjustment-history").inner_text()
    assert ForecastAdjustment.objects.get().amount == Decimal("750.00")
