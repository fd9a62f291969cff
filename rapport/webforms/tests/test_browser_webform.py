"""Web forms in a real browser: the embed snippet's iframe, and the hosted page in Chinese."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Personas
from rapport.leads.models import Lead
from rapport.webforms.models import WebFormSubmission
from rapport.webforms.tests.factories import CONSENTS, THANK_YOU, webform
from tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_snippet_embeds_the_form_and_a_submission_makes_a_lead(
    page: Any, live_server: Any, personas: Personas, settings: Any
) -> None:
    # given a form, and no minimum time to fill it in (the test types faster than a person)
    settings.RAPPORT_WEBFORM_MIN_SECONDS = 0
    form = webform(lead_owner=personas.owner)
    # when the administrator opens its embed page, whose preview uses the snippet
    sign_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/web-forms/{form.pk}/embed/")
    frame_element = page.locator(".webform-preview iframe")
    frame_element.scroll_into_view_if_needed()
    assert frame_element.get_attribute("title") == form.name
    frame = page.frame_locator(".webform-preview iframe")
    # then the form shows in the iframe, and can be filled in and sent from there
    frame.get_by_label("Last name").fill("hopper")
    frame.get_by_label("Email").fill("grace@example.com")
    frame.get_by_label(CONSENTS[0]["wording"]["en"]).check()
    frame.get_by_role("button", name="Send").click()
    frame.get_by_text(THANK_YOU["en"]).wait_for()
    lead = Lead.objects.get()
    assert (lead.family_name, lead.email, lead.owner) == (
        "Hopper",
        "grace@example.com",
        personas.owner,
    )
    submission = WebFormSubmission.objects.get()
    assert submission.referrer.endswith(f"/web-forms/{form.pk}/embed/")


def test_the_hosted_page_in_chinese_shows_errors_beside_the_fields(
    page: Any, live_server: Any, personas: Personas, settings: Any
) -> None:
    # given a form opened in Chinese (and no minimum time to fill it in)
    settings.RAPPORT_WEBFORM_MIN_SECONDS = 0
    form = webform()
    page.goto(f"{live_server.url}/f/{form.slug}/?lang=zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    # when it is sent with a bad email and no family name
    page.get_by_label("电子邮件").fill("grace@")
    page.locator("form.webform button[type=submit]").click()
    page.wait_for_load_state()
    # then the messages are beside the fields and nothing is saved
    assert page.locator("#wf-email").get_attribute("aria-invalid") == "true"
    assert page.locator("#wf-family_name-err").is_visible()
    assert page.locator("#wf-email").input_value() == "grace@"
    assert (Lead.objects.count(), WebFormSubmission.objects.count()) == (0, 0)
