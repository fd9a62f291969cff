"""The batch writer of contact imports gives the same outcome as the row-by-row writer:
records, children, change log, search index, import rows, error file, undo and access."""

from __future__ import annotations

import csv
import io
import random
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from rapport.accounts.models import Account
from rapport.contacts.models import AccountMembership, Contact, ContactEmail, ContactPhone
from rapport.core.models import ChangeLogEntry
from rapport.framework.actor import Actor
from rapport.framework.audit import record_snapshot
from rapport.framework.choices import ActorKind
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_create
from rapport.framework.text import phone_e164
from rapport.imports import fast, services
from rapport.imports.choices import DuplicatePolicy, RowAction
from rapport.imports.cleaning import email_valid, fast_country, fast_e164
from rapport.imports.models import ImportJob
from rapport.imports.rows import RowWriter
from rapport.imports.services import import_create, import_execute, import_undo
from rapport.search.ddl import ENTRY, PHONE

pytestmark = pytest.mark.django_db

HEADERS = ["First Name", "Surname", "E-mail", "E-mail 2", "Mobile", "Country", "City", "Company"]
ROWS = [
    ["ada", "LOVELACE", "Ada@Example.COM", "", "+1 415 555 0101", "UK", "London", ""],
    ["小明", "王", "wang@example.cn", "", "+86 187 5656 8900", "中国", "北京", ""],
    ["Bad", "Email", "not an email", "", "", "", "", ""],
    ["No", "", "nofamily@example.com", "", "", "", "", ""],
    ["Lost", "Country", "lost@example.com", "", "", "Atlantis", "", ""],
    # Duplicates of existing contacts: by email in another case, by phone in national form.
    ["Grace", "Hopper", "GRACE.HOPPER@example.com", "", "", "US", "Arlington", ""],
    ["Alan", "Turing", "", "", "(650) 555-0102", "", "Bletchley", ""],
    # Duplicates within the file: of row 2 by email, of row 3 by phone.
    ["Ada", "King", "ada@example.com", "", "+1 415 555 0199", "", "", ""],
    ["Xiaoming", "Wang", "", "", "+8618756568900", "", "", ""],
    # The same address as a contact only "other" may see: not a duplicate for "owner".
    ["Hidden", "Person", "hidden@example.com", "", "", "", "", ""],
    ["Twice", "Listed", "twice@example.com", "TWICE@example.com", "", "", "", ""],
    ["José", "García", "josé@exämple.com", "", "", "Spain", "", ""],
    ["Odd", "Phone", "odd@example.com", "", "call me", "", "", ""],
    ["Mixed", "Case", "grace@navy.mil", "", "", "", "", ""],
    ["With", "Account", "with.account@example.com", "", "", "", "", "Acme"],
    ["Second", "Email", "turing@example.com", "alan.turing@example.com", "", "", "", ""],
    ["", "", "", "", "", "", "", ""],
    ["x" * 101, "Long", "long@example.com", "", "", "", "", ""],
    ["Grace", "Again", "grace.hopper@EXAMPLE.com", "", "+1 650 555 0102", "", "", ""],
    # Spaces around values (the serializer trims them), a family name of spaces only, and
    # several faults in one row (reported in the serializer's order).
    ["  spaced ", " OUT  ", "spaced@example.com", "", "", " FR ", "  Paris ", ""],
    ["Blank", "   ", "blank@example.com", "", "", "", "", ""],
    ["Many", "", "many@", "also bad", "", "Atlantis", "", ""],
]


def csv_file(rows: list[list[str]]) -> SimpleUploadedFile:
    out = io.StringIO()
    csv.writer(out).writerows([HEADERS, *rows])
    return SimpleUploadedFile("people.csv", out.getvalue().encode())


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    settings.RAPPORT_DEFAULT_REGION = "US"
    return tmp_path


def existing(user: Any, given: str, family: str, emails: list[str], phones: list[str]) -> Any:
    return record_create(
        actor=Actor(user=user),
        record_type=get_record_type("contacts"),
        data={"given_name": given, "family_name": family},
        children={
            "emails": [{"email": e} for e in emails],
            "phones": [{"number": p} for p in phones],
        },
    )


@pytest.fixture
def world(personas: Any) -> dict[str, Any]:
    """Contacts already in the database: two the owner sees, one only "other" sees."""
    grace = existing(personas.owner, "Grace", "Hopper", ["Grace.Hopper@example.com"], [])
    alan = existing(personas.owner, "Alan", "Turing", ["turing@example.com"], ["+1 650 555 0102"])
    hidden = existing(personas.other, "Hidden", "Person", ["hidden@example.com"], [])
    Account.objects.create(name="Acme", owner=personas.owner)
    return {"grace": grace, "alan": alan, "hidden": hidden}


def new_job(user: Any, rows: list[list[str]], policy: DuplicatePolicy) -> ImportJob:
    return import_create(
        user=user,
        record_type=get_record_type("contacts"),
        upload=csv_file(rows),
        name="people.csv",
        duplicate_policy=policy,
    )


def run_import(user: Any, rows: list[list[str]], policy: DuplicatePolicy) -> ImportJob:
    return import_execute(job=new_job(user, rows, policy))


def _label(pk: Any, created: dict[int, str], before: set[int]) -> str:
    if pk is None:
        return "-"
    if int(pk) in before:
        return f"existing:{pk}"
    return created.get(int(pk), f"unknown:{pk}")


def _scrub(value: Any, labels: Callable[[Any], str], key: str = "") -> Any:
    """Ids and stamps that differ between two runs replaced by stable labels."""
    if isinstance(value, dict):
        return {k: _scrub(v, labels, k) for k, v in value.items() if k not in ("created_at",)}
    if isinstance(value, list):
        return [_scrub(v, labels, key) for v in value]
    if key == "id":
        return labels(value)
    return value


def outcome(job: ImportJob, contacts_before: set[int]) -> dict[str, Any]:
    """Everything an import wrote, with ids replaced by what they stand for."""
    rows = list(job.rows.order_by("row_number"))
    created = {
        int(r.record_id): f"row:{r.row_number}"
        for r in rows
        if r.action == RowAction.CREATED and r.record_id is not None
    }

    def labels(pk: Any) -> str:
        return _label(pk, created, contacts_before)

    touched = sorted(
        {int(r.record_id) for r in rows if r.record_id is not None and r.action != "skipped"}
    )
    records = {}
    for contact in Contact.objects.filter(pk__in=touched):
        snap = record_snapshot(contact, get_record_type("contacts"))
        snap.pop("created_at")
        snap["id"] = labels(contact.pk)
        records[labels(contact.pk)] = snap
    log = sorted(
        (
            labels(int(e.object_id)),
            e.action,
            e.actor_kind,
            e.channel,
            e.user_id,
            e.object_repr,
            repr(_scrub(e.before, labels)),
            repr(_scrub(e.after, labels)),
        )
        for e in ChangeLogEntry.objects.filter(
            object_id__in=[str(pk) for pk in touched], actor_kind=ActorKind.IMPORT
        )
    )
    with connection.cursor() as cur:
        marks = ", ".join(["%s"] * len(touched)) or "NULL"
        cur.execute(
            f"SELECT record_id, title, subtitle, key, text FROM {ENTRY} "
            f"WHERE record_type = 'contacts' AND record_id IN ({marks})",
            touched,
        )
        entries = sorted((labels(r[0]), *r[1:]) for r in cur.fetchall())
        cur.execute(
            f"SELECT record_id, digits_rev FROM {PHONE} "
            f"WHERE record_type = 'contacts' AND record_id IN ({marks})",
            touched,
        )
        phones = sorted((labels(r[0]), r[1]) for r in cur.fetchall())
    job.refresh_from_db()
    errors = job.error_file.open("rb").read().decode("utf-8-sig") if job.error_file else ""
    return {
        "rows": [
            (
                r.row_number,
                r.action,
                labels(r.record_id),
                r.before,
                r.error,
                # ids differ between the two runs on PostgreSQL (sequences are not rolled back)
                [re.sub(r"#(\d+)", lambda m: "#" + labels(m[1]), w) for w in r.warnings],
            )
            for r in rows
        ],
        "counts": (job.created_count, job.updated_count, job.skipped_count, job.rejected_count),
        "records": records,
        "log": log,
        "entries": entries,
        "phones": phones,
        "errors": errors,
    }


class _Rollback(Exception):
    pass


def both_ways(
    user: Any, rows: list[list[str]], policy: DuplicatePolicy, monkeypatch: Any
) -> tuple[dict[str, Any], dict[str, Any], int]:
    """The import run row by row (then rolled back) and with the batch writer; also how many
    rows the batch writer handed to RowWriter."""
    before = set(Contact.objects.values_list("pk", flat=True))
    slow: dict[str, Any] = {}
    try:
        with transaction.atomic(), monkeypatch.context() as patch:
            patch.setattr(services, "fast_import_for", lambda writer: None)
            slow = outcome(run_import(user, rows, policy), before)
            raise _Rollback
    except _Rollback:
        pass
    handed = 0
    original = RowWriter.write

    def counting(self: RowWriter, row: Any) -> Any:
        nonlocal handed
        handed += 1
        return original(self, row)

    job = new_job(user, rows, policy)
    with monkeypatch.context() as patch:
        patch.setattr(RowWriter, "write", counting)
        patch.setattr(services, "BATCH_ROWS", 4)
        quick = outcome(import_execute(job=job), before)
    return slow, quick, handed


@pytest.mark.parametrize("policy", list(DuplicatePolicy))
def test_batch_writer_matches_row_writer(
    personas: Any, world: dict[str, Any], policy: DuplicatePolicy, monkeypatch: Any
) -> None:
    # Given a file with clean rows, rejected rows, duplicates in the file and in the database
    # When it is imported by the owner row by row, and again with the batch writer
    slow, quick, handed = both_ways(personas.owner, ROWS, policy, monkeypatch)
    # Then everything written is the same, row for row
    assert quick["rows"] == slow["rows"]
    assert quick["counts"] == slow["counts"]
    assert quick["records"] == slow["records"]
    assert quick["log"] == slow["log"]
    assert quick["entries"] == slow["entries"]
    assert quick["phones"] == slow["phones"]
    assert quick["errors"] == slow["errors"]
    # And only the rows the batch writer cannot vouch for went row by row
    assert 0 < handed < len(ROWS) - 1


def test_skip_update_and_create_outcomes(
    personas: Any, world: dict[str, Any], monkeypatch: Any
) -> None:
    # Given the file, imported with the batch writer under each policy
    def actions(policy: DuplicatePolicy) -> list[tuple[int, str, Any]]:
        _slow, quick, _handed = both_ways(personas.owner, ROWS, policy, monkeypatch)
        return [(n, a, r) for n, a, r, *_rest in quick["rows"]]

    grace, alan = world["grace"].pk, world["alan"].pk
    with transaction.atomic():
        skipped = actions(DuplicatePolicy.SKIP)
        transaction.set_rollback(True)
    # Then duplicates of visible contacts (any case, national phone form) are skipped, the
    # hidden contact's address is not matched, bad rows are rejected with the same numbers
    assert [r for r in skipped if r[1] != RowAction.CREATED] == [
        (4, "rejected", "-"),
        (5, "rejected", "-"),
        (6, "rejected", "-"),
        (7, "skipped", f"existing:{grace}"),
        (8, "skipped", f"existing:{alan}"),
        (9, "skipped", "row:2"),
        (10, "skipped", "row:3"),
        (12, "rejected", "-"),
        (13, "rejected", "-"),  # Django's validator refuses a non-ASCII local part
        (17, "skipped", f"existing:{alan}"),
        (19, "rejected", "-"),
        (20, "skipped", f"existing:{grace}"),
        (22, "rejected", "-"),
        (23, "rejected", "-"),
    ]
    assert [r for r in skipped if r[1] == RowAction.CREATED] == [
        (n, "created", f"row:{n}") for n in (2, 3, 11, 14, 15, 16, 21)
    ]


def test_update_merges_children_and_keeps_before(
    personas: Any, world: dict[str, Any], monkeypatch: Any
) -> None:
    # Given Alan, who has one email and one phone
    alan = world["alan"]
    new_phone = "+44 20 7946 0018"
    rows = [
        ["Alan", "Turing", "alan.turing@example.com", "Turing@example.com", new_phone, "UK", "", ""]
    ]
    rows.append(["Alan", "TURING", "turing@example.com", "", "", "", "Cambridge", ""])
    # When a file updates him twice, with the batch writer
    job = new_job(personas.owner, rows, DuplicatePolicy.UPDATE)
    handed: list[int] = []
    original = RowWriter.write
    monkeypatch.setattr(
        RowWriter, "write", lambda self, row: handed.append(row.number) or original(self, row)
    )
    job = import_execute(job=job)
    # (both rows decided by the batch writer itself)
    assert handed == []
    # Then the new address and phone are added after the old ones, the primaries stay
    alan.refresh_from_db()
    assert list(
        ContactEmail.objects.filter(contact=alan).order_by("pk").values_list("email", "is_primary")
    ) == [("turing@example.com", True), ("alan.turing@example.com", False)]
    assert list(
        ContactPhone.objects.filter(contact=alan).order_by("pk").values_list("e164", "is_primary")
    ) == [("+16505550102", True), ("+442079460018", False)]
    assert (alan.country, alan.city, alan.primary_email, alan.primary_phone) == (
        "GB",
        "Cambridge",
        "turing@example.com",
        "+16505550102",
    )
    # And each row kept what it overwrote, for undo; the log has one entry per row
    first, second = job.rows.order_by("row_number")
    assert first.before == {
        "given_name": "Alan",
        "family_name": "Turing",
        "country": "",
        "emails": [{"email": "turing@example.com", "label": "work", "is_primary": True}],
        "phones": [
            {
                "number": "+1 650 555 0102",
                "e164": "+16505550102",
                "label": "work",
                "is_primary": True,
            }
        ],
    }
    assert second.before == {
        "given_name": "Alan",
        "family_name": "Turing",
        "city": "",
        "emails": [
            {"email": "turing@example.com", "label": "work", "is_primary": True},
            {"email": "alan.turing@example.com", "label": "work", "is_primary": False},
        ],
    }
    entries = ChangeLogEntry.objects.filter(
        object_id=str(alan.pk), actor_kind=ActorKind.IMPORT
    ).order_by("id")
    assert [sorted(e.after) for e in entries] == [
        ["country", "emails", "phones"],
        ["city"],
    ]
    assert entries.last().after == {"city": "Cambridge"}  # type: ignore[union-attr]


def test_created_records_match_what_the_services_store(personas: Any, world: Any) -> None:
    # Given clean rows imported with the batch writer
    job = run_import(personas.owner, ROWS[:2], DuplicatePolicy.SKIP)
    rows = list(job.rows.order_by("row_number"))
    assert [r.action for r in rows] == ["created", "created"]
    record_type = get_record_type("contacts")
    for row in rows:
        contact = Contact.objects.get(pk=row.record_id)
        # Then the change log holds exactly the record as the database has it
        entry = ChangeLogEntry.objects.get(object_id=str(contact.pk))
        assert entry.action == "create"
        assert entry.before is None
        assert entry.after == record_snapshot(contact, record_type)
        assert (entry.actor_kind, entry.user_id) == (ActorKind.IMPORT, personas.owner.pk)
    ada = Contact.objects.get(pk=rows[0].record_id)
    wang = Contact.objects.get(pk=rows[1].record_id)
    # And names, emails, phones and countries are cleaned as on every way in
    assert (ada.given_name, ada.family_name, ada.display_name, ada.country) == (
        "Ada",
        "Lovelace",
        "Ada Lovelace",
        "GB",
    )
    assert (ada.primary_email, ada.primary_phone, ada.owner_id) == (
        "Ada@example.com",
        "+14155550101",
        personas.owner.pk,
    )
    assert (wang.display_name, wang.country, wang.primary_phone) == (
        "王小明",
        "CN",
        "+8618756568900",
    )
    assert list(ContactPhone.objects.filter(contact=wang).values_list("number", "e164")) == [
        ("+86 187 5656 8900", "+8618756568900")
    ]
    assert AccountMembership.objects.filter(contact__in=[ada, wang]).count() == 0


def test_undo_after_a_batch_import(personas: Any, world: dict[str, Any]) -> None:
    # Given an import that created contacts and updated Grace and Alan
    record_type = get_record_type("contacts")
    grace, alan = world["grace"], world["alan"]
    before = {c.pk: record_snapshot(c, record_type) for c in (grace, alan)}
    count = Contact.objects.count()
    job = run_import(personas.owner, ROWS, DuplicatePolicy.UPDATE)
    assert job.created_count > 0 and job.updated_count > 0
    # When it is undone
    result = import_undo(job=job, user=personas.owner)
    # Then the created contacts are gone and the updated ones are as they were
    assert result.failed == {}
    assert (result.removed, result.restored) == (job.created_count, job.updated_count)
    assert Contact.objects.count() == count
    for contact in (grace, alan):
        contact.refresh_from_db()
        now = record_snapshot(contact, record_type)
        assert {k: v for k, v in now.items() if k != "updated_at"} == before[contact.pk]


def test_duplicates_the_user_cannot_see_are_not_matched(
    personas: Any, world: dict[str, Any]
) -> None:
    # Given a contact only "other" may see
    hidden = world["hidden"]
    # When the owner imports a row with its address, asking to update duplicates
    rows = [["Hidden", "Person", "HIDDEN@example.com", "", "", "", "Paris", ""]]
    job = run_import(personas.owner, rows, DuplicatePolicy.UPDATE)
    # Then a new contact is created and the hidden one is unchanged
    (row,) = job.rows.all()
    assert row.action == "created" and row.record_id != hidden.pk
    hidden.refresh_from_db()
    assert hidden.city == ""
    assert Contact.objects.get(pk=row.record_id).owner_id == personas.owner.pk


def _inserts(queries: list[str], table: str) -> list[str]:
    """The statements that inserted into ``table``: an executemany (logged once, as "<n>
    times: INSERT ...") or, on PostgreSQL, a COPY."""
    return [q for q in queries if f'INSERT INTO "{table}" ' in q or f'COPY "{table}" ' in q]


def test_a_large_file_is_written_in_batches(personas: Any, monkeypatch: Any) -> None:
    # Given 25 rows, the 21st repeating the 1st, and batches of 10
    monkeypatch.setattr(services, "BATCH_ROWS", 10)
    rows = [
        ["Person", f"Number{i}", f"p{i}@example.com", "", f"+1 415 555 {i:04d}", "", "", ""]
        for i in range(25)
    ]
    rows[20] = ["Person", "Again", "P0@example.com", "", "", "", "", ""]
    job = new_job(personas.owner, rows, DuplicatePolicy.SKIP)
    # When it is imported
    with CaptureQueriesContext(connection) as ctx:
        job = import_execute(job=job)
    queries = [q["sql"] for q in ctx.captured_queries]
    # Then every row is written, the repeat is skipped as a duplicate of the first
    assert (job.created_count, job.skipped_count, job.rejected_count) == (24, 1, 0)
    first = job.rows.get(row_number=2).record_id
    assert job.rows.get(row_number=22).record_id == first
    # And contacts are inserted a batch at a time, not a row at a time
    # (an executemany is logged once, as "<n> times: INSERT ...")
    assert len(_inserts(queries, "contacts_contact")) == 3


# --- the fast cleaning rules give the same answers as the ordinary ones -------------------


def _phones(seed: int, count: int) -> list[str]:
    r = random.Random(seed)
    codes = ["1", "44", "86", "49", "33", "61", "7", "39", "852", "886", "971", "1268"]
    out = []
    for _ in range(count):
        digits = "".join(r.choice("0123456789") for _ in range(r.randint(1, 15)))
        kind = r.random()
        if kind < 0.45:
            digits = r.choice(codes) + digits
        text = ""
        for d in digits:
            if r.random() < 0.25:
                text += r.choice([" ", "-", ".", "(", ")", "  "])
            text += d
        if kind < 0.5:
            text = "+" + text
        elif kind < 0.56:
            text = r.choice(["00", "011", "0", "1"]) + text
        if r.random() < 0.05:
            text += r.choice([" x12", " ext. 5", "#", "abc", "+1"])
        if r.random() < 0.05:
            text = f"  {text} "
        out.append(text)
    return out


@pytest.mark.parametrize("region", ["US", "CN", "GB", "DE"])
def test_fast_phone_cleaning_equals_phonenumbers(region: str) -> None:
    # Given generated numbers, valid and not, in many writings
    numbers = [
        *_phones(7, 20_000),
        "+1 415 555 0101",
        "(415) 555-0101",
        "415.555.0101",
        "+86 187 5656 8900",
        "010 6552 9988",
        "+44 (0)20 7946 0018",
        "+39 06 1234 5678",
        "+1 800 FLOWERS",
        "1 415 555 0101",
        "011 44 20 7946 0018",
        "+999 1234567",
        "+0 1234567",
        "12",
        "",
    ]
    # Then the fast path agrees with phone_e164 on every one
    assert [fast_e164(n, region) for n in numbers] == [phone_e164(n, region) for n in numbers]


def test_fast_email_check_equals_django() -> None:
    # Given addresses, valid and not
    r = random.Random(3)
    alphabet = "abcXYZ09._%+-@ \"'!#é"
    emails = ["".join(r.choice(alphabet) for _ in range(r.randint(1, 20))) for _ in range(20_000)]
    emails += [
        "ada@example.com",
        "Ada.Lovelace+crm@Sub.Example.CO.UK",
        "a..b@example.com",
        ".a@example.com",
        "a@-example.com",
        "a@example-.com",
        "a@example.c",
        "a@example.123",
        "a@localhost",
        '"quoted name"@example.com',
        "josé@exämple.com",
        "a@" + "b" * 64 + ".com",
        "a" * 250 + "@example.com",
    ]
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    def django_ok(email: str) -> bool:
        try:
            validate_email(email)
        except ValidationError:
            return False
        return len(email) <= 254

    # Then the fast check agrees with Django's validator on every one
    assert [email_valid(e) for e in emails] == [django_ok(e) for e in emails]
    # And the strict expression only accepts what the validator accepts
    assert all(django_ok(e) for e in emails if fast.email_simple(e))


def test_fast_country_is_country_code() -> None:
    from rapport.framework.text import country_code

    for text in ["UK", "中国", "Germany", "de", "DEU", "Atlantis", "usa", "The Netherlands"]:
        assert fast_country(text) == country_code(text)
        assert fast_country(text) == country_code(text)


def test_a_batch_refused_by_the_permission_check_is_redone_row_by_row(
    personas: Any, monkeypatch: Any
) -> None:
    # Given a batch writer whose check after writing finds the new contacts not allowed
    real = fast.restricted

    def refusing(model: Any, user: Any, action: str = "view") -> Any:
        return model.objects.none() if action == "add" else real(model, user, action)

    monkeypatch.setattr(fast, "restricted", refusing)
    rows = [
        ["Ada", "Lovelace", "ada@example.com", "", "", "", "", ""],
        ["Alan", "Turing", "alan@example.com", "", "", "", "", ""],
        ["Ada", "Again", "ADA@example.com", "", "", "", "", ""],
    ]
    job = new_job(personas.owner, rows, DuplicatePolicy.SKIP)
    count = Contact.objects.count()
    handed: list[int] = []
    original = RowWriter.write
    monkeypatch.setattr(
        RowWriter, "write", lambda self, row: handed.append(row.number) or original(self, row)
    )
    # When the file is imported
    job = import_execute(job=job)
    # Then the written rows were rolled back and went through RowWriter (whose services
    # decide for themselves), each written once; the repeat still finds the first one
    assert handed == [2, 3]
    assert [(r.row_number, r.action) for r in job.rows.order_by("row_number")] == [
        (2, "created"),
        (3, "created"),
        (4, "skipped"),
    ]
    assert Contact.objects.count() == count + 2
    assert ChangeLogEntry.objects.filter(actor_kind=ActorKind.IMPORT).count() == 2
    assert job.rows.get(row_number=4).record_id == job.rows.get(row_number=2).record_id


def test_a_row_repeating_one_of_its_batch_updates_it_before_anything_is_written(
    personas: Any, monkeypatch: Any
) -> None:
    # Given rows that repeat rows earlier in their own batch (by email, then by phone)
    rows = [
        ["Ada", "Lovelace", "ada@example.com", "", "", "", "", ""],
        ["Ada", "Lovelace", "ADA@example.com", "", "+1 415 555 0101", "", "London", ""],
        ["Alan", "Turing", "alan@example.com", "", "+1 650 555 0102", "", "", ""],
        ["Alan", "Mathison", "", "", "(650) 555-0102", "UK", "Wilmslow", ""],
    ]
    # When they are imported with the policy "update", row by row and by the batch writer
    slow, quick, handed = both_ways(personas.owner, rows, DuplicatePolicy.UPDATE, monkeypatch)
    # Then the outcome is the same: two contacts created, each updated by its repeat, with
    # the change log of both steps
    for key in ("rows", "counts", "records", "log", "entries", "phones", "errors"):
        assert quick[key] == slow[key], key
    assert quick["counts"] == (2, 2, 0, 0)
    assert handed == 0
    assert quick["records"]["row:2"]["city"] == "London"
    assert [e["email"] for e in quick["records"]["row:2"]["emails"]] == ["ada@example.com"]
    assert quick["records"]["row:4"]["family_name"] == "Mathison"
    assert [(label, action) for label, action, *_rest in quick["log"]] == [
        ("row:2", "create"),
        ("row:2", "update"),
        ("row:4", "create"),
        ("row:4", "update"),
    ]


def test_a_batch_is_written_with_one_insert_per_table(personas: Any) -> None:
    # Given ten rows, three of them repeating earlier ones, imported with the policy "update"
    rows = [
        ["Person", f"Number{i}", f"p{i}@example.com", "", f"+1 415 555 {i:04d}", "", "", ""]
        for i in range(7)
    ]
    rows += [["Person", "Again", f"P{i}@example.com", "", "", "", "Paris", ""] for i in range(3)]
    job = new_job(personas.owner, rows, DuplicatePolicy.UPDATE)
    # When it is imported
    with CaptureQueriesContext(connection) as ctx:
        job = import_execute(job=job)
    queries = [q["sql"] for q in ctx.captured_queries]
    # Then the repeats updated the contacts of their batch in memory: each table got one
    # insert, and nothing was written between them
    assert (job.created_count, job.updated_count) == (7, 3)
    for table in ("contacts_contact", "contacts_contactemail", "contacts_contactphone"):
        assert len(_inserts(queries, table)) == 1, table
    assert not [q for q in queries if q.startswith('UPDATE "contacts_contact" ')]
    assert Contact.objects.filter(family_name="Again", city="Paris").count() == 3
