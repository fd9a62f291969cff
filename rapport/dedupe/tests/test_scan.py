"""The batch duplicate scan, the review queue it fills and its API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from conftest import client_for
from rapport.accounts.models import Account
from rapport.contacts.models import Contact, ContactEmail, ContactPhone
from rapport.dedupe.choices import DuplicatePairStatus, DuplicateScanStatus
from rapport.dedupe.generate import generate_people
from rapport.dedupe.models import DuplicatePair, DuplicateScan
from rapport.dedupe.normalise import split_full_name
from rapport.dedupe.services import duplicate_scan_run
from rapport.dedupe.tasks import duplicate_scan_weekly
from rapport.framework.testing.factories import ContactEmailFactory, ContactFactory

pytestmark = pytest.mark.django_db


def load_generated_contacts(owner: Any, people: int, seed: int) -> set[tuple[int, int]]:
    """Write generated people as contacts of ``owner``; returns the true pairs as contact ids."""
    generated = generate_people(people, seed=seed)
    company_names = sorted({r.company for r in generated.records if r.company})
    accounts = Account.objects.bulk_create(
        Account(name=name, owner=owner, created_by=owner, updated_by=owner)
        for name in company_names
    )
    account_of = {a.name: a for a in accounts}
    contacts = []
    for record in generated.records:
        given, family = record.given_name, record.family_name
        if not (given or family) and record.name:
            given, family = split_full_name(record.name)
        contacts.append(
            Contact(
                owner=owner,
                given_name=given,
                family_name=family,
                display_name=f"{given} {family}".strip(),
                city=record.city,
                country=record.country,
                primary_account=account_of.get(record.company),
            )
        )
    created = Contact.objects.bulk_create(contacts)
    pk_of = {r.id: c.pk for r, c in zip(generated.records, created, strict=True)}
    ContactEmail.objects.bulk_create(
        ContactEmail(contact=c, email=e, is_primary=n == 0)
        for r, c in zip(generated.records, created, strict=True)
        for n, e in enumerate(r.emails)
    )
    ContactPhone.objects.bulk_create(
        ContactPhone(contact=c, number=p)
        for r, c in zip(generated.records, created, strict=True)
        for p in r.phones
    )
    return {tuple(sorted((pk_of[a], pk_of[b]))) for a, b in generated.true_pairs}  # type: ignore[misc]


def twins(owner: Any, email: str) -> tuple[Contact, Contact]:
    """Two contacts of ``owner`` that are plainly one person."""
    first = ContactFactory(owner=owner, given_name="Ada", family_name="Lovelace")
    second = ContactFactory(owner=owner, given_name="Ada", family_name="Lovelace")
    for contact in (first, second):
        ContactEmailFactory(contact=contact, email=email)
    return first, second


def test_scan_finds_the_planted_duplicates(personas: Any) -> None:
    # given ~300 generated contacts with known duplicates
    truth = load_generated_contacts(personas.owner, 240, seed=7)
    records = Contact.objects.count()
    assert 280 <= records <= 340
    # when
    scan = duplicate_scan_run(record_type="contacts")
    # then
    found = set(DuplicatePair.objects.values_list("left_id", "right_id"))
    hits = len(found & truth)
    precision, recall = hits / len(found), hits / len(truth)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.95, (precision, recall)
    assert scan.status == DuplicateScanStatus.DONE
    assert scan.record_count == records
    assert scan.pair_count == len(found)
    assert scan.candidate_count >= len(found)
    assert scan.finished_at is not None
    assert all(left < right for left, right in found)
    assert set(DuplicatePair.objects.values_list("status", flat=True)) == {"open"}


def test_rescan_keeps_dismissed_pairs_and_adds_no_rows(personas: Any) -> None:
    # given a scanned set with one pair dismissed
    load_generated_contacts(personas.owner, 60, seed=3)
    first = duplicate_scan_run(record_type="contacts")
    pairs_before = set(DuplicatePair.objects.values_list("left_id", "right_id", "status"))
    dismissed = DuplicatePair.objects.order_by("pk").first()
    assert dismissed is not None
    DuplicatePair.objects.filter(pk=dismissed.pk).update(status=DuplicatePairStatus.DISMISSED)
    # when
    second = duplicate_scan_run(record_type="contacts")
    # then
    dismissed.refresh_from_db()
    assert dismissed.status == DuplicatePairStatus.DISMISSED
    assert DuplicatePair.objects.count() == len(pairs_before) == second.pair_count
    assert {(a, b) for a, b, _ in pairs_before} == set(
        DuplicatePair.objects.values_list("left_id", "right_id")
    )
    assert DuplicatePair.objects.filter(status="open").count() == len(pairs_before) - 1
    assert DuplicatePair.objects.exclude(pk=dismissed.pk).filter(found_by=first).count() == 0


def test_command_and_weekly_task_scan(personas: Any) -> None:
    twins(personas.owner, "ada@example.com")
    call_command("duplicate_scan", "contacts")
    assert DuplicatePair.objects.filter(record_type="contacts").count() == 1
    duplicate_scan_weekly.call()
    assert DuplicateScan.objects.filter(status="done").count() == 3


def test_api_lists_only_pairs_whose_records_the_user_may_see(personas: Any) -> None:
    # given a pair of owner's contacts and a pair of other's contacts
    mine = twins(personas.owner, "ada@example.com")
    theirs = twins(personas.other, "grace@example.com")
    duplicate_scan_run(record_type="contacts")
    # when
    response = client_for(personas.owner).get(
        "/api/duplicate-pairs/", {"record_type": "contacts", "status": "open"}
    )
    # then
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["left"]["id"], r["right"]["id"]) for r in results] == [(mine[0].pk, mine[1].pk)]
    assert results[0]["left"]["title"] == "Ada Lovelace"
    assert "same email" in results[0]["reasons"]
    admin = client_for(personas.admin).get("/api/duplicate-pairs/", {"record_type": "contacts"})
    assert {r["left"]["id"] for r in admin.json()["results"]} == {mine[0].pk, theirs[0].pk}


def test_api_orders_best_score_first(personas: Any) -> None:
    twins(personas.owner, "ada@example.com")
    weaker = ContactFactory(owner=personas.owner, given_name="Grace", family_name="Hopper")
    ContactEmailFactory(contact=weaker, email="grace@example.com")
    other = ContactFactory(owner=personas.owner, given_name="Grace", family_name="Hoper")
    ContactEmailFactory(contact=other, email="grace@example.com")
    duplicate_scan_run(record_type="contacts")
    response = client_for(personas.owner).get("/api/duplicate-pairs/?record_type=contacts")
    scores = [r["score"] for r in response.json()["results"]]
    assert len(scores) == 2
    assert scores == sorted(scores, reverse=True)


def test_dismiss_marks_the_pair_reviewed(personas: Any) -> None:
    twins(personas.owner, "ada@example.com")
    duplicate_scan_run(record_type="contacts")
    pair = DuplicatePair.objects.get()
    response = client_for(personas.owner).post(f"/api/duplicate-pairs/{pair.pk}/dismiss/")
    assert response.status_code == 200
    assert response.json()["status"] == "dismissed"
    pair.refresh_from_db()
    assert pair.status == DuplicatePairStatus.DISMISSED
    assert pair.reviewed_by == personas.owner
    assert pair.reviewed_at is not None


def test_dismiss_of_an_invisible_pair_is_404_and_changes_nothing(personas: Any) -> None:
    # given a pair of one contact of owner's and one of other's
    mine = ContactFactory(owner=personas.owner, given_name="Ada", family_name="Lovelace")
    theirs = ContactFactory(owner=personas.other, given_name="Ada", family_name="Lovelace")
    for contact in (mine, theirs):
        ContactEmailFactory(contact=contact, email="ada@example.com")
    duplicate_scan_run(record_type="contacts")
    pair = DuplicatePair.objects.get()
    # when
    response = client_for(personas.owner).post(f"/api/duplicate-pairs/{pair.pk}/dismiss/")
    listed = client_for(personas.owner).get("/api/duplicate-pairs/?record_type=contacts")
    # then
    assert response.status_code == 404
    assert listed.json()["results"] == []
    pair.refresh_from_db()
    assert (pair.status, pair.reviewed_by, pair.reviewed_at) == ("open", None, None)


def test_admin_starts_a_scan_in_the_background(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    twins(personas.owner, "ada@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(personas.admin).post(
            "/api/duplicate-scans/", {"record_type": "contacts"}, format="json"
        )
    assert response.status_code == 201
    shown = client_for(personas.admin).get(f"/api/duplicate-scans/{response.json()['id']}/")
    assert shown.status_code == 200
    body = shown.json()
    assert (body["status"], body["record_count"], body["pair_count"]) == ("done", 2, 1)


def test_non_admin_cannot_start_a_scan(personas: Any) -> None:
    response = client_for(personas.owner).post(
        "/api/duplicate-scans/", {"record_type": "contacts"}, format="json"
    )
    assert response.status_code == 403
    assert DuplicateScan.objects.count() == 0
