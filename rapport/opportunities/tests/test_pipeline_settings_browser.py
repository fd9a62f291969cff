"""The settings screens in a real browser: no CSP violations, labelled fields, and stages
reordered with the keyboard alone."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import Personas
from rapport.framework.testing.factories import PipelineFactory, StageFactory
from rapport.identity.models import User
from rapport.opportunities.models import Stage
from tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_stage_moves_up_with_the_keyboard(
    page: Any, live_server: Any, personas: Personas
) -> None:
    # given a pipeline with two stages
    pipeline = PipelineFactory(name="New business")
    StageFactory(pipeline=pipeline, name="Qualify", position=0)
    StageFactory(pipeline=pipeline, name="Propose", position=1)
    sign_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/settings/pipelines/{pipeline.pk}/")
    # when the administrator focuses "move Propose up" and presses Enter
    page.get_by_role("button", name="Move Propose up").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/settings/pipelines/{pipeline.pk}/#stage-*")
    # then the stages are in the new order, on the page and in the database
    names = page.locator(".stage-table tbody th a").all_inner_texts()
    assert names == ["Propose", "Qualify"]
    assert list(
        Stage.objects.filter(pipeline=pipeline).order_by("position").values_list("name", flat=True)
    ) == ["Propose", "Qualify"]


def test_an_administrator_creates_a_user_through_the_labelled_form(
    page: Any, live_server: Any, personas: Personas
) -> None:
    # given
    sign_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/settings/")
    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_role("button", name="New user").click()
    # when every field is reached through its label
    page.get_by_label("Username").fill("grace")
    page.get_by_label("Email address").fill("grace@example.com")
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Teams").select_option(label="East")
    page.get_by_label(re.compile(r"^Password\W*$")).fill("correct-horse-battery-9")
    page.get_by_label("Password again").fill("correct-horse-battery-9")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/settings/users/")
    # then
    assert page.get_by_role("link", name="grace").is_visible()
    user = User.objects.get(username="grace")
    assert list(user.teams.values_list("name", flat=True)) == ["East"]
