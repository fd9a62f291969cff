"""The forecast pages in a real browser (desktop and phone): the charts draw, with no
JavaScript error or Content-Security-Policy violation (the ``page`` fixture fails on both)."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Personas
from rapport.demo.plan import DemoResult
from rapport.framework.actor import Actor
from rapport.predictions.services import win_model_train
from tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_CHART_DRAWN = (
    "(selector) => !!window.Chart && !!window.Chart.getChart(document.querySelector(selector))"
)


def test_bookings_chart_draws(
    page: Any, live_server: Any, history: DemoResult, personas: Personas
) -> None:
    sign_in(page, live_server.url, "owner")
    page.goto(f"{live_server.url}/forecasts/bookings/")
    page.wait_for_function(_CHART_DRAWN, arg="canvas[data-bookings-chart]")
    assert page.locator("#forecast-table tbody tr").count() == 12
    # the horizon form works from the keyboard
    page.get_by_label("Months ahead").select_option("6")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/forecasts/bookings/?horizon=6")
    page.wait_for_function(_CHART_DRAWN, arg="canvas[data-bookings-chart]")
    assert page.locator("#forecast-table tbody tr").count() == 6


def test_reliability_chart_draws(
    page: Any, live_server: Any, history: DemoResult, personas: Personas
) -> None:
    win_model_train(actor=Actor.system())
    sign_in(page, live_server.url, "owner")
    page.goto(f"{live_server.url}/forecasts/win-probability/")
    page.wait_for_function(_CHART_DRAWN, arg="canvas[data-reliability-chart]")
    assert page.locator("#reliability tbody tr").count() == 10
