"""Merging two contacts in a real browser: from the duplicate review queue to the comparison,
the merge, and its undo."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import Personas
from rapport.contacts.models import Contact
from rapport.dedupe.models import DuplicatePair
from rapport.framework.actor import Actor
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_create
from rapport.framework.testing.factories import ContactEmailFactory, ContactFactory
from rapport.merges.models import MergeRecord
from tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_merge_two_contacts_from_the_queue_then_undo(
    page: Any, live_server: Any, personas: Personas
) -> None:
    # given two contacts of the owner that the duplicate scan paired
    survivor = ContactFactory(
        owner=personas.owner, given_name="Ada", family_name="Lovelace", job_title="Analyst"
    )
    other = ContactFactory(
        owner=personas.owner, given_name="Ada", family_name="Lovelace", job_title="Countess"
    )
    ContactEmailFactory(contact=survivor, email="ada@old.example")
    ContactEmailFactory(contact=other, email="ada@new.example")
    DuplicatePair.objects.create(
        record_type="contacts",
        left_id=survivor.pk,
        right_id=other.pk,
        score=0.97,
        reasons=["same name"],
    )
    sign_in(page, live_server.url, "owner")
    # when the owner opens the queue and compares the pair
    page.goto(f"{live_server.url}/duplicates/")
    page.get_by_role("button", name="Compare and merge").click()
    page.wait_for_url(f"{live_server.url}/merge/contacts/{survivor.pk}/{other.pk}/")
    # then the other's email is listed among what moves, and the job titles differ
    assert "ada@new.example" in page.locator(".merge-moves").inner_text()
    job_title = page.locator("fieldset.merge-row", has_text="Job title")
    assert job_title.get_by_label(re.compile("Analyst")).is_checked()
    # when they keep the other's job title and merge
    job_title.get_by_label(re.compile("Countess")).check()
    page.get_by_role("button", name="Merge", exact=True).click()
    # then they see the survivor with the other's job title and both emails
    page.wait_for_url(re.compile(rf"/contacts/{survivor.pk}/\?merged=\d+$"))
    assert page.locator("h1").inner_text() == "Ada Lovelace"
    assert "Countess" in page.locator(".record-fields").inner_text()
    assert "ada@new.example" in page.locator(".record-fields").inner_text()
    assert Contact.objects.filter(pk=other.pk).exists() is False
    # when they undo the merge
    page.get_by_role("button", name="Undo merge").click()
    page.wait_for_url(f"{live_server.url}/contacts/{survivor.pk}/")
    # then the other contact is back and the survivor has its own job title again
    assert page.locator(".messages").inner_text() == "The merge was undone."
    assert "Analyst" in page.locator(".record-fields").inner_text()
    assert MergeRecord.objects.get().undone_at is not None
    assert sorted(Contact.objects.values_list("pk", "job_title")) == [
        (survivor.pk, "Analyst"),
        (other.pk, "Countess"),
    ]


def test_merge_with_from_the_record_page_opens_the_comparison(
    page: Any, live_server: Any, personas: Personas
) -> None:
    # given two contacts of the owner
    # (created through the service, which indexes them for the picker's search)
    contacts = get_record_type("contacts")
    survivor, other = (
        record_create(
            actor=Actor(user=personas.owner),
            record_type=contacts,
            data={"given_name": "Grace", "family_name": family_name},
        )
        for family_name in ("Hopper", "Murray")
    )
    sign_in(page, live_server.url, "owner")
    page.goto(f"{live_server.url}/contacts/{survivor.pk}/")
    # when the owner opens "Merge with…", finds the other contact and compares
    page.locator(".merge-with summary").click()
    page.get_by_label("The contact to merge into this one").fill("Murray")
    page.wait_for_load_state("networkidle")
    page.locator(".merge-with [role=option]", has_text="Grace Murray").click()
    page.locator(".merge-with").get_by_role("button", name="Compare").click()
    # then the comparison of the two opens, with the family names to choose from
    page.wait_for_url(f"{live_server.url}/merge/contacts/{survivor.pk}/{other.pk}/")
    assert page.locator("fieldset.merge-row legend").all_inner_texts() == ["Family name"]
