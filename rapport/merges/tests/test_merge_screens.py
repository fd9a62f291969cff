"""The merge screens: comparison, merge with the user's choices, undo, refusals, and the
duplicate review queue."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import Personas
from rapport.contacts.models import Contact
from rapport.core.models import ChangeLogEntry
from rapport.dedupe.choices import DuplicatePairStatus
from rapport.dedupe.models import DuplicatePair, DuplicateScan
from rapport.framework.testing.factories import (
    AccountFactory,
    ContactEmailFactory,
    ContactFactory,
    LeadFactory,
)
from rapport.identity.models import SharingDefault
from rapport.leads.models import Lead
from rapport.merges.models import MergeRecord

pytestmark = pytest.mark.django_db


def _client(username: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": "pw"})
    assert response.status_code == 302
    return client


def _contacts() -> list[tuple[Any, ...]]:
    return list(
        Contact.objects.order_by("pk").values_list("pk", "given_name", "job_title", "display_name")
    )


@pytest.fixture
def two(personas: Personas) -> tuple[Contact, Contact]:
    survivor = ContactFactory(
        owner=personas.owner, given_name="Ada", family_name="Lovelace", job_title=""
    )
    other = ContactFactory(
        owner=personas.owner, given_name="Ada", family_name="Lovelace", job_title="Countess"
    )
    ContactEmailFactory(contact=survivor, email="ada@old.example")
    ContactEmailFactory(contact=other, email="ada@new.example")
    return survivor, other


def test_compare_shows_differing_fields_with_a_choice_and_equal_ones_once(
    personas: Personas, two: tuple[Contact, Contact]
) -> None:
    # given two contacts differing only in job title (empty on the survivor)
    survivor, other = two
    # when the owner opens the comparison
    response = _client("owner").get(f"/merge/contacts/{survivor.pk}/{other.pk}/")
    # then the job title is a choice defaulting to the other's value (the survivor's is empty)
    assert response.status_code == 200
    differing = {row.name: row for row in response.context["differing"]}
    assert list(differing) == ["job_title"]
    assert (differing["job_title"].survivor_text, differing["job_title"].other_text) == (
        "",
        "Countess",
    )
    assert differing["job_title"].keep == "other"
    same = [row.name for row in response.context["same"]]
    assert "given_name" in same and "family_name" in same
    body = response.content.decode()
    assert 'name="keep:job_title" value="other" checked' in body
    assert f'href="/merge/contacts/{other.pk}/{survivor.pk}/"' in body
    # and the other's email is listed among what moves
    assert any("ada@new.example" in child.rows[0] for child in response.context["other_children"])


def test_merge_applies_the_chosen_values_and_offers_undo(
    personas: Personas, two: tuple[Contact, Contact]
) -> None:
    # given two contacts with different given names
    survivor, other = two
    Contact.objects.filter(pk=other.pk).update(given_name="Augusta")
    client = _client("owner")
    # when the owner keeps the other's given name and the survivor's (empty) job title
    response = client.post(
        f"/merge/contacts/{survivor.pk}/{other.pk}/",
        {"keep:given_name": "other", "keep:job_title": "survivor"},
    )
    # then the other is gone, the survivor has the chosen values and both emails
    merge = MergeRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{survivor.pk}/?merged={merge.pk}"
    assert _contacts() == [(survivor.pk, "Augusta", "", "Augusta Lovelace")]
    assert sorted(survivor.emails.values_list("email", flat=True)) == [
        "ada@new.example",
        "ada@old.example",
    ]
    assert merge.actor == personas.owner
    # and the record page offers to undo it
    page = client.get(response["Location"])
    assert f'action="/merge/undo/{merge.pk}/"' in page.content.decode()
    assert "Undo merge" in page.content.decode()


def test_undo_brings_the_other_record_back(personas: Personas, two: tuple[Contact, Contact]):
    # given a merge made through the screen
    survivor, other = two
    before = _contacts()
    client = _client("owner")
    client.post(f"/merge/contacts/{survivor.pk}/{other.pk}/", {"keep:job_title": "other"})
    merge = MergeRecord.objects.get()
    assert Contact.objects.filter(pk=other.pk).exists() is False
    # when the owner undoes it
    response = client.post(f"/merge/undo/{merge.pk}/")
    # then both records are back as they were, and the undo is no longer offered
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{survivor.pk}/"
    assert _contacts() == before
    merge.refresh_from_db()
    assert merge.undone_at is not None
    page = client.get(f"/contacts/{survivor.pk}/?merged={merge.pk}")
    assert "Undo merge" not in page.content.decode()


def test_someone_else_cannot_undo_a_merge(personas: Personas, two: tuple[Contact, Contact]):
    # given the owner's merge
    survivor, other = two
    _client("owner").post(f"/merge/contacts/{survivor.pk}/{other.pk}/", {})
    merge = MergeRecord.objects.get()
    # when another user posts its undo
    response = _client("other").post(f"/merge/undo/{merge.pk}/")
    # then it is not found and nothing changed
    assert response.status_code == 404
    merge.refresh_from_db()
    assert merge.undone_at is None
    assert Contact.objects.filter(pk=other.pk).exists() is False


def test_merge_of_a_record_the_user_may_not_see_is_not_found(personas: Personas) -> None:
    # given one contact of the owner and one of a user outside the team
    mine = ContactFactory(owner=personas.owner)
    theirs = ContactFactory(owner=personas.other)
    before = _contacts()
    client = _client("owner")
    # when the owner opens or posts their merge, either way round
    answers = [
        client.get(f"/merge/contacts/{mine.pk}/{theirs.pk}/").status_code,
        client.post(f"/merge/contacts/{mine.pk}/{theirs.pk}/", {}).status_code,
        client.post(f"/merge/contacts/{theirs.pk}/{mine.pk}/", {}).status_code,
        client.get(f"/merge/contacts/{mine.pk}/999999/").status_code,
    ]
    # then every answer is "not found" and nothing changed
    assert answers == [404, 404, 404, 404]
    assert _contacts() == before
    assert MergeRecord.objects.count() == 0


def test_merge_without_delete_permission_is_refused_and_changes_nothing(
    personas: Personas, two: tuple[Contact, Contact]
) -> None:
    # given teammates may change, not delete, each other's contacts
    survivor, other = two
    Contact.objects.update(team=personas.team)
    SharingDefault.objects.create(
        record_type="contacts", org_access="private", team_access="read_write"
    )
    before = _contacts()
    client = _client("teammate")
    # when the teammate opens the comparison and posts the merge
    shown = client.get(f"/merge/contacts/{survivor.pk}/{other.pk}/")
    posted = client.post(f"/merge/contacts/{survivor.pk}/{other.pk}/", {"keep:job_title": "other"})
    # then both are refused with a clear message and nothing changed
    refusal = "You may merge only into a record you may change, and only one you may delete."
    assert (shown.status_code, posted.status_code) == (403, 403)
    assert refusal in posted.content.decode()
    assert '<button type="submit">Merge</button>' not in shown.content.decode()
    assert _contacts() == before
    assert MergeRecord.objects.count() == 0
    assert ChangeLogEntry.objects.count() == 0


def test_an_unknown_keep_value_is_named_and_changes_nothing(
    personas: Personas, two: tuple[Contact, Contact]
) -> None:
    # given two contacts
    survivor, other = two
    before = _contacts()
    # when the posted choice for the job title is neither side
    response = _client("owner").post(
        f"/merge/contacts/{survivor.pk}/{other.pk}/", {"keep:job_title": "both"}
    )
    # then the field is named in the error and nothing changed
    assert response.status_code == 400
    rows = {row.name: row for row in response.context["differing"]}
    assert rows["job_title"].error == "Choose “survivor” or “other”."
    assert _contacts() == before
    assert MergeRecord.objects.count() == 0


def test_merging_a_record_with_itself_is_refused(personas: Personas) -> None:
    contact = ContactFactory(owner=personas.owner)
    response = _client("owner").post(f"/merge/contacts/{contact.pk}/{contact.pk}/", {})
    assert response.status_code == 400
    assert "A record cannot be merged with itself." in response.content.decode()
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_types_that_cannot_be_merged_have_no_merge_screen(personas: Personas) -> None:
    response = _client("owner").get("/merge/opportunities/1/2/")
    assert response.status_code == 404


def test_record_page_offers_merge_only_for_mergeable_types(
    personas: Personas, two: tuple[Contact, Contact]
) -> None:
    # given a contact (mergeable) and the merge picker's answer
    survivor, other = two
    client = _client("owner")
    # when the owner opens its page and chooses the other record
    page = client.get(f"/contacts/{survivor.pk}/")
    chosen = client.get(f"/merge/contacts/{survivor.pk}/", {"other": other.pk})
    # then the page has the picker and the choice leads to the comparison
    assert "Merge with…" in page.content.decode()
    assert chosen.status_code == 302
    assert chosen["Location"] == f"/merge/contacts/{survivor.pk}/{other.pk}/"


# The duplicate review queue.


def _pair(a: Contact, b: Contact, score: float = 0.9, **extra: Any) -> DuplicatePair:
    left, right = sorted((a.pk, b.pk))
    return DuplicatePair.objects.create(
        record_type="contacts", left_id=left, right_id=right, score=score, **extra
    )


def test_queue_lists_only_open_pairs_the_user_may_see_both_sides_of(personas: Personas) -> None:
    # given pairs: both mine, one of mine with a stranger's, a dismissed one of mine
    a, b, c, d = (ContactFactory(owner=personas.owner) for _ in range(4))
    stranger = ContactFactory(owner=personas.other)
    visible = _pair(a, b, 0.8, reasons=["same email"])
    _pair(a, stranger, 0.95)
    _pair(c, d, 0.99, status=DuplicatePairStatus.DISMISSED)
    # when the owner opens the queue
    response = _client("owner").get("/duplicates/")
    # then only the visible open pair is listed, with its reasons and a compare link
    assert response.status_code == 200
    assert [row.pair.pk for row in response.context["rows"]] == [visible.pk]
    body = response.content.decode()
    assert "same email" in body
    assert f'href="/merge/contacts/{visible.left_id}/{visible.right_id}/"' in body
    assert "Scan for duplicates now" not in body


def test_queue_is_paged(personas: Personas) -> None:
    # given 51 open pairs, more than one page holds
    contacts = [ContactFactory(owner=personas.owner) for _ in range(102)]
    for first, second in zip(contacts[::2], contacts[1::2], strict=True):
        _pair(first, second)
    client = _client("owner")
    # when the owner opens both pages
    first_page = client.get("/duplicates/")
    second_page = client.get("/duplicates/", {"page": 2})
    # then the first holds 50 pairs, the second the last one
    assert len(first_page.context["rows"]) == 50
    assert (second_page.context["page"].number, len(second_page.context["rows"])) == (2, 1)
    assert 'href="?record_type=contacts&amp;page=2"' in first_page.content.decode()


def test_not_duplicates_dismisses_the_pair(personas: Personas) -> None:
    # given an open pair of the owner's contacts
    pair = _pair(ContactFactory(owner=personas.owner), ContactFactory(owner=personas.owner))
    # when the owner says they are not duplicates
    response = _client("owner").post(f"/duplicates/{pair.pk}/dismiss/")
    # then the pair is dismissed by the owner and leaves the queue
    assert response.status_code == 302
    pair.refresh_from_db()
    assert (pair.status, pair.reviewed_by) == (DuplicatePairStatus.DISMISSED, personas.owner)


def test_dismissing_a_pair_with_an_invisible_side_is_not_found(personas: Personas) -> None:
    pair = _pair(ContactFactory(owner=personas.owner), ContactFactory(owner=personas.other))
    response = _client("owner").post(f"/duplicates/{pair.pk}/dismiss/")
    assert response.status_code == 404
    pair.refresh_from_db()
    assert pair.status == DuplicatePairStatus.OPEN


def test_merging_from_the_queue_closes_the_pair(personas: Personas) -> None:
    a, b = ContactFactory(owner=personas.owner), ContactFactory(owner=personas.owner)
    pair = _pair(a, b)
    _client("owner").post(f"/merge/contacts/{pair.left_id}/{pair.right_id}/", {})
    pair.refresh_from_db()
    assert pair.status == DuplicatePairStatus.MERGED


def test_admin_starts_a_scan_and_sees_its_status(personas: Personas) -> None:
    # given an administrator (the scan task is queued on commit, never reached in a test)
    client = _client("admin")
    # when they start a scan of leads
    response = client.post("/duplicates/scan/", {"record_type": "leads"})
    # then a scan of leads exists, started by them, and the queue shows its status
    scan = DuplicateScan.objects.get()
    assert (scan.record_type, scan.started_by, scan.status) == ("leads", personas.admin, "running")
    assert response["Location"] == "/duplicates/?record_type=leads"
    page = client.get(response["Location"])
    assert page.context["last_scan"] == scan
    assert "Scan for duplicates now" in page.content.decode()


def test_non_admin_cannot_start_a_scan(personas: Personas) -> None:
    response = _client("owner").post("/duplicates/scan/", {"record_type": "contacts"})
    assert response.status_code == 403
    assert DuplicateScan.objects.count() == 0


def test_queue_is_in_the_sales_navigation(personas: Personas) -> None:
    page = _client("owner").get("/duplicates/")
    assert 'href="/duplicates/"' in page.content.decode()


def test_accounts_compare_and_merge_keeping_the_other_website(personas: Personas) -> None:
    # given two accounts of the owner, the other with a website and a parent
    parent = AccountFactory(owner=personas.owner, name="Holding")
    survivor = AccountFactory(owner=personas.owner, name="Acme", website="")
    other = AccountFactory(
        owner=personas.owner, name="ACME Inc", website="https://acme.example", parent=parent
    )
    client = _client("owner")
    # when the owner compares them
    page = client.get(f"/merge/accounts/{survivor.pk}/{other.pk}/")
    # then the parent is shown by name and the empty website defaults to the other's
    rows = {row.name: row for row in page.context["differing"]}
    assert (rows["parent"].survivor_text, rows["parent"].other_text) == ("", "Holding")
    assert (rows["website"].keep, rows["name"].keep) == ("other", "survivor")
    # when they merge with the defaults shown
    client.post(
        f"/merge/accounts/{survivor.pk}/{other.pk}/",
        {f"keep:{name}": row.keep for name, row in rows.items()},
    )
    # then the survivor has its name, the other's website and parent
    survivor.refresh_from_db()
    assert (survivor.name, survivor.website, survivor.parent_id) == (
        "Acme",
        "https://acme.example",
        parent.pk,
    )


def test_leads_queue_tab_lists_lead_pairs(personas: Personas) -> None:
    a, b = LeadFactory(owner=personas.owner), LeadFactory(owner=personas.owner)
    left, right = sorted((a.pk, b.pk))
    pair = DuplicatePair.objects.create(
        record_type="leads", left_id=left, right_id=right, score=0.85
    )
    client = _client("owner")
    leads = client.get("/duplicates/", {"record_type": "leads"})
    contacts = client.get("/duplicates/")
    assert [row.pair.pk for row in leads.context["rows"]] == [pair.pk]
    assert contacts.context["rows"] == []
    assert f'href="/merge/leads/{left}/{right}/"' in leads.content.decode()


def test_leads_merge_keeping_the_other_email(personas: Personas) -> None:
    # given two leads of the owner with different emails
    survivor = LeadFactory(owner=personas.owner, email="grace@old.example")
    other = LeadFactory(owner=personas.owner, email="grace@new.example")
    # when the owner keeps the other's email
    response = _client("owner").post(
        f"/merge/leads/{survivor.pk}/{other.pk}/", {"keep:email": "other"}
    )
    # then the surviving lead has it and the other lead is gone
    assert response.status_code == 302
    assert list(Lead.objects.values_list("pk", "email")) == [(survivor.pk, "grace@new.example")]
