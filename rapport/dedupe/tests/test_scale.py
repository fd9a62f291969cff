"""Matching at scale: capped blocks compared by window, the score ceiling that skips pairs,
scoring in worker processes, and the scan over a big block in the database."""

from __future__ import annotations

from itertools import product
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from rapport.accounts.models import Account
from rapport.contacts.models import Contact, ContactEmail, ContactPhone
from rapport.dedupe import matcher
from rapport.dedupe.blocking import DEFAULT_MAX_BLOCK, DEFAULT_WINDOW, Blocks, candidate_pairs
from rapport.dedupe.generate import generate_people
from rapport.dedupe.matcher import (
    DEFAULT_THRESHOLD,
    find_duplicates,
    match_people,
    normalise_all,
)
from rapport.dedupe.models import DuplicatePair, DuplicateScan
from rapport.dedupe.normalise import PersonRecord, normalise
from rapport.dedupe.scoring import pair_features, score_ceiling, score_pair
from rapport.dedupe.services import duplicate_scan_run
from rapport.dedupe.tests.test_scan import load_generated_contacts

FILLERS = 80


def big_block() -> list[PersonRecord]:
    """80 different people called Jo…an Smith at Acme in York (each with their own e-mail and
    phone), so that the name block "smth/jo" and the company block are far above the cap, plus
    Joaquin Smith of Acme in Leeds twice: once more as "Joaquim", with nothing but the city.
    The two share no e-mail, phone, company or second name key: only the capped name block
    brings them together."""
    consonants = "bcdfgklmnprstvz"
    givens = [f"Jo{a}{b}an" for a, b in product(consonants, "aeiou")][:FILLERS]
    records = [
        PersonRecord(
            id=str(n + 1),
            given_name=given,
            family_name="Smith",
            emails=(f"{given.lower()}@acme.example",),
            phones=(f"+4411349{n:05d}",),
            company="Acme Ltd",
            city="York",
            country="GB",
        )
        for n, given in enumerate(givens)
    ]
    records.append(
        PersonRecord(
            id="500",
            given_name="Joaquin",
            family_name="Smith",
            emails=("joaquin@acme.example",),
            phones=("+441134999999",),
            company="Acme Ltd",
            city="Leeds",
            country="GB",
        )
    )
    records.append(
        PersonRecord(
            id="700",
            given_name="Joaquim",
            family_name="Smith",
            city="Leeds",
            country="GB",
        )
    )
    return records


def test_capped_block_still_finds_the_duplicate_by_window() -> None:
    # given a block far larger than the cap
    records = big_block()
    # when
    result = find_duplicates(records, region="GB")
    # then only the planted pair is found, although the block was not compared all-to-all
    assert [(p.left_id, p.right_id) for p in result.pairs] == [("500", "700")]
    assert result.pairs[0].reasons == ("similar name (0.97)", "same city")
    assert result.blocking.largest_block == len(records) > DEFAULT_MAX_BLOCK
    assert result.blocking.capped_blocks == 2  # the "smth/jo" name key and "acme/j"
    n = len(records)
    assert result.blocking.candidate_pairs < n * (n - 1) // 2 // 2


def test_window_compares_only_near_neighbours_in_name_order() -> None:
    # given the big block, sorted by name as the window sees it
    people = [normalise(r, region="GB") for r in big_block()]
    blocks = Blocks(people)
    ordered = sorted(range(len(people)), key=lambda i: (people[i].given, i))
    first = ordered[0]
    # then a person is compared with the WINDOW people either side of it and no further
    assert {ordered[k] for k in range(1, DEFAULT_WINDOW + 1)} <= blocks.neighbourhood(first)[0]
    assert ordered[DEFAULT_WINDOW + 1] not in blocks.neighbourhood(first)[0]
    assert ordered[-1] not in blocks.neighbourhood(first)[0]


def test_neighbourhood_names_the_people_sharing_an_email_or_phone() -> None:
    people = [
        normalise(PersonRecord("1", "Ann", "Lee", emails=("a@x.org",)), region="US"),
        normalise(PersonRecord("2", "Bo", "Ray", emails=("A@x.org",)), region="US"),
        normalise(PersonRecord("3", "Ann", "Lee", phones=("212 555 0101",)), region="US"),
        normalise(PersonRecord("4", "Cy", "Day", phones=("+1 212-555-0101",)), region="US"),
    ]
    blocks = Blocks(people)
    assert blocks.neighbourhood(0) == ({0, 1, 2}, {0, 1})
    assert blocks.neighbourhood(2) == ({0, 2, 3}, {2, 3})
    assert blocks.neighbours(0) == {1, 2}


@pytest.mark.parametrize("threshold", [DEFAULT_THRESHOLD, 0.1])
def test_skipping_pairs_below_the_ceiling_loses_no_pair(threshold: float) -> None:
    # given every candidate pair of a generated set, scored one by one
    people = [normalise(r, region="US") for r in generate_people(1500, seed=21).records]
    pairs, stats = candidate_pairs(people)
    expected = set()
    for i, j in pairs:
        a, b = people[i], people[j]
        if int(b.id) < int(a.id):
            a, b = b, a
        scored = score_pair(a, b)
        if scored.score >= threshold:
            expected.add((a.id, b.id, scored.score, scored.reasons))
    # when
    found, found_stats = match_people(people, threshold=threshold, workers=1)
    # then
    assert {(p.left_id, p.right_id, p.score, p.reasons) for p in found} == expected
    assert found_stats == stats
    assert len(expected) > 300


def test_score_ceiling_bounds_every_candidate() -> None:
    people = [normalise(r, region="US") for r in generate_people(800, seed=4).records]
    pairs, _ = candidate_pairs(people)
    for i, j in pairs:
        a, b = people[i], people[j]
        features = pair_features(a, b)[2]
        ceiling = score_ceiling(
            features["email"], features["phone"], features["company"], features["city"]
        )
        assert score_pair(a, b).score <= ceiling + 1e-12
        assert score_ceiling(features["email"], features["phone"], None, None) >= ceiling
    assert score_ceiling(-1, -1, None, None) < DEFAULT_THRESHOLD
    assert score_ceiling(1, 1, 1, 1) > 0.99


def test_worker_processes_give_the_same_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    # given a set large enough to be split (the minimum lowered for the test)
    monkeypatch.setattr(matcher, "PARALLEL_MIN_PEOPLE", 100)
    records = generate_people(1200, seed=8).records
    assert matcher.worker_count(2, len(records)) == 2
    # when
    people = normalise_all(records, region="US", workers=2)
    parallel, parallel_stats = match_people(people, workers=2)
    serial, serial_stats = match_people([normalise(r, region="US") for r in records], workers=1)
    # then
    assert people == [normalise(r, region="US") for r in records]
    assert sorted(parallel, key=repr) == sorted(serial, key=repr)
    assert parallel_stats == serial_stats
    assert len(serial) > 250


def test_trusted_e164_skips_parsing_but_not_validation_of_other_numbers() -> None:
    record = PersonRecord("1", phones=("+14153821234", "(415) 382-1235", "+1 12"))
    trusted = normalise(record, region="US", trusted_e164=True)
    assert trusted == normalise(record, region="US")
    assert trusted.phones == {"+14153821234", "+14153821235"}
    assert trusted.phone_tails == {"53821234", "53821235"}


@pytest.mark.django_db
def test_scan_finds_the_duplicate_in_a_big_block_of_contacts(personas: Any) -> None:
    # given the big block as contacts of one account
    records = big_block()
    owner = personas.owner
    acme = Account.objects.create(name="Acme Ltd", owner=owner, created_by=owner, updated_by=owner)
    contacts = Contact.objects.bulk_create(
        Contact(
            owner=personas.owner,
            given_name=r.given_name,
            family_name=r.family_name,
            display_name=f"{r.given_name} {r.family_name}",
            city=r.city,
            country=r.country,
            primary_account=acme if r.company else None,
        )
        for r in records
    )
    pk_of = {r.id: c.pk for r, c in zip(records, contacts, strict=True)}
    ContactEmail.objects.bulk_create(
        ContactEmail(contact=c, email=e, is_primary=True)
        for r, c in zip(records, contacts, strict=True)
        for e in r.emails
    )
    ContactPhone.objects.bulk_create(
        ContactPhone(contact=c, number=p, e164=p, is_primary=True)
        for r, c in zip(records, contacts, strict=True)
        for p in r.phones
    )
    # when
    scan = duplicate_scan_run(record_type="contacts")
    # then
    assert list(DuplicatePair.objects.values_list("left_id", "right_id")) == [
        (pk_of["500"], pk_of["700"])
    ]
    assert scan.pair_count == 1
    assert scan.record_count == len(records)
    assert 0 < scan.candidate_count < len(records) * (len(records) - 1) // 2 // 2


@pytest.mark.django_db
def test_scan_command_refuses_zero_workers() -> None:
    with pytest.raises(CommandError, match="--workers must be 1 or more"):
        call_command("duplicate_scan", "contacts", "--workers", "0")
    assert DuplicateScan.objects.count() == 0


def scanned_pairs() -> set[tuple[int, int, float, tuple[str, ...]]]:
    rows = DuplicatePair.objects.values_list("left_id", "right_id", "score", "reasons")
    return {(a, b, score, tuple(reasons)) for a, b, score, reasons in rows}


@pytest.mark.django_db
def test_scan_in_worker_processes_finds_what_one_process_finds(
    personas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given generated contacts with known duplicates, scanned by one process
    truth = load_generated_contacts(personas.owner, 150, seed=12)
    one = duplicate_scan_run(record_type="contacts", workers=1)
    by_one = scanned_pairs()
    DuplicatePair.objects.all().delete()
    # when the same scan runs in two worker processes (the minimum lowered for the test)
    monkeypatch.setattr(matcher, "PARALLEL_MIN_PEOPLE", 10)
    assert matcher.worker_count(2, one.record_count) == 2
    two = duplicate_scan_run(record_type="contacts", workers=2)
    # then
    by_two = scanned_pairs()
    assert by_two == by_one
    assert (two.pair_count, two.candidate_count) == (one.pair_count, one.candidate_count)
    assert len({(a, b) for a, b, _, _ in by_two} & truth) >= 0.95 * len(truth)
