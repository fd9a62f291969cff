"""Imports of CSV and XLSX files: reading, mapping, preview, writing, errors, undo, access."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import Workbook  # type: ignore[import-untyped]

from conftest import client_for
from rapport.accounts.models import Account
from rapport.contacts.models import Contact, ContactEmail
from rapport.core.models import ChangeLogEntry
from rapport.framework.choices import ActorKind, Channel
from rapport.framework.testing.factories import AccountFactory, ContactEmailFactory, LeadFactory
from rapport.imports.choices import MAX_CELL_BYTES
from rapport.imports.models import ImportJob
from rapport.leads.models import Lead

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(user: Any, content: bytes, name: str = "people.csv", **fields: Any) -> Any:
    fields.setdefault("record_type", "contacts")
    return client_for(user).post(
        "/api/imports/",
        {"file": SimpleUploadedFile(name, content), **fields},
        format="multipart",
    )


def run(user: Any, job_id: int, capture: Any) -> Any:
    with capture(execute=True):
        response = client_for(user).post(f"/api/imports/{job_id}/run/")
    assert response.status_code == 202, response.content
    return client_for(user).get(f"/api/imports/{job_id}/").json()


def csv_bytes(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue()


def field_errors(response: Any) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_preview_writes_nothing_then_run_imports_with_children(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Given a UTF-8 CSV with synonyms for its headers
    text = csv_bytes(
        [
            ["First Name", "Surname", "E-mail", "Mobile", "Job title"],
            ["Ada", "Lovelace", "ada@example.com", "+1 415 555 0100", "Countess"],
            ["Alan", "Turing", "alan@example.com", "", ""],
        ]
    )
    # When it is uploaded
    response = upload(personas.owner, text.encode())
    # Then the preview shows what was detected and nothing is written
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["encoding"], body["delimiter"], body["status"]) == ("utf-8", ",", "previewed")
    assert body["mapping"] == {
        "First Name": "given_name",
        "Surname": "family_name",
        "E-mail": "emails",
        "Mobile": "phones",
        "Job title": "job_title",
    }
    assert [(r["row"], r["status"], r["action"]) for r in body["preview"]] == [
        (2, "ok", "created"),
        (3, "ok", "created"),
    ]
    assert Contact.objects.count() == 0
    assert ChangeLogEntry.objects.count() == 0
    # When it runs
    job = run(personas.owner, body["id"], django_capture_on_commit_callbacks)
    # Then both contacts exist, with their emails and phones, written as an import
    assert (job["status"], job["created_count"], job["rejected_count"], job["progress"]) == (
        "done",
        2,
        0,
        100,
    )
    ada = Contact.objects.get(family_name="Lovelace")
    assert (ada.primary_email, ada.primary_phone, ada.job_title) == (
        "ada@example.com",
        "+14155550100",
        "Countess",
    )
    assert ada.owner == personas.owner
    entry = ChangeLogEntry.objects.get(object_id=ada.pk, action="create")
    assert (entry.actor_kind, entry.channel) == (ActorKind.IMPORT, Channel.IMPORT)


def test_gb18030_file_with_chinese_headers(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    text = csv_bytes(
        [["姓", "名", "邮箱", "手机"], ["王", "小明", "wang@example.cn", "13800138000"]]
    )
    response = upload(personas.owner, text.encode("gb18030"))
    assert response.status_code == 201, response.content
    assert response.json()["encoding"] == "gb18030"
    job = run(personas.owner, response.json()["id"], django_capture_on_commit_callbacks)
    assert job["created_count"] == 1
    contact = Contact.objects.get()
    assert (contact.display_name, contact.primary_email) == ("王小明", "wang@example.cn")


def test_latin1_file_with_semicolons(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    text = csv_bytes(
        [["Given name", "Family name", "City"], ["José", "Müller", "Zürich"]], delimiter=";"
    )
    response = upload(personas.owner, text.encode("latin-1"))
    assert response.status_code == 201, response.content
    assert (response.json()["encoding"], response.json()["delimiter"]) == ("latin-1", ";")
    run(personas.owner, response.json()["id"], django_capture_on_commit_callbacks)
    contact = Contact.objects.get()
    assert (contact.given_name, contact.family_name, contact.city) == ("José", "Müller", "Zürich")


def test_utf16_file_with_tabs(personas: Any, django_capture_on_commit_callbacks: Any) -> None:
    text = csv_bytes([["name", "phone"], ["Acme 株式会社", "+81 3 1234 5678"]], delimiter="\t")
    response = upload(personas.owner, text.encode("utf-16"), record_type="accounts")
    assert response.status_code == 201, response.content
    assert (response.json()["encoding"], response.json()["delimiter"]) == ("utf-16", "\t")
    run(personas.owner, response.json()["id"], django_capture_on_commit_callbacks)
    assert Account.objects.get().name == "Acme 株式会社"


def test_missing_header_row_is_refused(personas: Any) -> None:
    text = csv_bytes([["Ada", "Lovelace", "ada@example.com"], ["Alan", "Turing", "a@t.org"]])
    response = upload(personas.owner, text.encode())
    assert response.status_code == 400
    assert "the first row must name the columns" in field_errors(response)["mapping"]
    assert ImportJob.objects.count() == 0


def test_duplicate_headers_are_refused(personas: Any) -> None:
    text = csv_bytes([["Email", "Family name", "email"], ["a@b.org", "B", "c@d.org"]])
    response = upload(personas.owner, text.encode())
    assert response.status_code == 400
    assert field_errors(response)["file"] == "These column names appear more than once: email."


def test_unknown_columns_are_ignored_and_reported(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    text = csv_bytes([["Family name", "Shoe size", "Favourite colour"], ["Hopper", "38", "blue"]])
    response = upload(personas.owner, text.encode())
    assert response.json()["ignored_columns"] == ["Shoe size", "Favourite colour"]
    run(personas.owner, response.json()["id"], django_capture_on_commit_callbacks)
    assert Contact.objects.get().family_name == "Hopper"


def test_cell_over_one_megabyte_rejects_its_row(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    big = "x" * (MAX_CELL_BYTES + 1)
    text = csv_bytes([["Family name", "Description"], ["Big", big], ["Small", "fine"]])
    response = upload(personas.owner, text.encode())
    assert response.status_code == 201
    assert response.json()["preview"][0]["errors"] == {
        "Description": ["This cell is larger than 1 MB; the row was not imported."]
    }
    job = run(personas.owner, response.json()["id"], django_capture_on_commit_callbacks)
    assert (job["created_count"], job["rejected_count"]) == (1, 1)
    assert list(Contact.objects.values_list("family_name", flat=True)) == ["Small"]


def test_formula_looking_cells_are_kept_as_text(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    text = csv_bytes([["Family name", "Job title"], ['=HYPERLINK("x")', "+1-2"]])
    response = upload(personas.owner, text.encode())
    run(personas.owner, response.json()["id"], django_capture_on_commit_callbacks)
    contact = Contact.objects.get()
    assert (contact.family_name, contact.job_title) == ('=HYPERLINK("x")', "+1-2")


def test_empty_file_is_refused(personas: Any) -> None:
    for content in (b"", b"\xef\xbb\xbf", b"\r\n\r\n"):
        response = upload(personas.owner, content)
        assert response.status_code == 400
        assert field_errors(response)["file"] == "The file is empty."
    assert ImportJob.objects.count() == 0


def test_binary_file_named_csv_is_refused(personas: Any) -> None:
    response = upload(personas.owner, bytes(range(256)) * 4, name="photo.csv")
    assert response.status_code == 400
    assert "not a text file" in field_errors(response)["file"]
    assert ImportJob.objects.count() == 0


def test_row_breaking_a_rule_midway_is_rejected_and_others_imported(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Given a row whose two email columns repeat one address: the contact is saved before
    # its emails are checked, so the rule breaks in the middle of the write
    text = csv_bytes(
        [
            ["Family name", "Email", "Email 2"],
            ["First", "first@example.com", ""],
            ["Twice", "twice@example.com", "twice@example.com"],
            ["Last", "", "last@example.com"],
        ]
    )
    response = upload(personas.owner, text.encode())
    job = run(personas.owner, response.json()["id"], django_capture_on_commit_callbacks)
    assert (job["created_count"], job["rejected_count"]) == (2, 1)
    assert sorted(Contact.objects.values_list("family_name", flat=True)) == ["First", "Last"]
    assert not ContactEmail.objects.filter(email="twice@example.com").exists()
    # And the errors file names the row and its reason
    errors = client_for(personas.owner).get(f"/api/imports/{job['id']}/errors/")
    rows = list(csv.reader(io.StringIO(b"".join(errors.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["row", "Family name", "Email", "Email 2", "error"]
    assert rows[1][:4] == ["3", "Twice", "twice@example.com", "twice@example.com"]
    assert "listed twice" in rows[1][4]


def test_account_the_user_cannot_see_is_not_linked(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    AccountFactory(name="Secret Corp", owner=personas.other)
    mine = AccountFactory(name="Open Corp", owner=personas.owner)
    text = csv_bytes([["Family name", "Company"], ["Spy", "Secret Corp"], ["Friend", "open corp"]])
    response = upload(personas.owner, text.encode())
    warnings = response.json()["preview"][0]["warnings"]
    assert warnings == [
        "No account named “Secret Corp” that you can see: the contact was left without an account."
    ]
    run(personas.owner, response.json()["id"], django_capture_on_commit_callbacks)
    assert Contact.objects.get(family_name="Spy").primary_account is None
    assert Contact.objects.get(family_name="Friend").primary_account == mine


def test_opportunity_with_invisible_account_is_rejected(personas: Any) -> None:
    AccountFactory(name="Secret Corp", owner=personas.other)
    text = csv_bytes([["Name", "Account"], ["Big deal", "Secret Corp"]])
    response = upload(personas.owner, text.encode(), record_type="opportunities")
    row = response.json()["preview"][0]
    assert (row["status"], row["errors"]) == (
        "error",
        {"Account": ["No record “Secret Corp”, or you may not see it."]},
    )


def test_undo_removes_created_and_restores_updated(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Given an existing contact
    existing = ContactEmailFactory(
        email="grace@example.com", contact__owner=personas.owner, contact__job_title="Admiral"
    ).contact
    # When a file updates it and creates another
    text = csv_bytes(
        [
            ["Family name", "Email", "Phone", "Job title"],
            ["Hopper", "GRACE@example.com", "+1 415 555 0101", "Rear admiral"],
            ["Lamarr", "hedy@example.com", "", "Inventor"],
        ]
    )
    response = upload(personas.owner, text.encode(), duplicate_policy="update")
    job = run(personas.owner, response.json()["id"], django_capture_on_commit_callbacks)
    assert (job["created_count"], job["updated_count"]) == (1, 1)
    existing.refresh_from_db()
    assert (existing.job_title, existing.phones.count()) == ("Rear admiral", 1)
    # And is undone
    undo = client_for(personas.owner).post(f"/api/imports/{job['id']}/undo/")
    # Then the new contact is gone and the old one is as it was, both in the change log
    assert undo.status_code == 200, undo.content
    assert (undo.json()["removed"], undo.json()["restored"], undo.json()["failed"]) == (1, 1, {})
    assert undo.json()["job"]["status"] == "undone"
    assert list(Contact.objects.all()) == [existing]
    existing.refresh_from_db()
    assert (existing.job_title, existing.phones.count()) == ("Admiral", 0)
    assert list(existing.emails.values_list("email", flat=True)) == ["grace@example.com"]
    assert ChangeLogEntry.objects.filter(action="delete", actor_kind=ActorKind.IMPORT).count() == 1
    assert ChangeLogEntry.objects.filter(object_id=existing.pk, action="update").count() == 2
    # And a second undo is refused
    again = client_for(personas.owner).post(f"/api/imports/{job['id']}/undo/")
    assert again.status_code == 400


def test_duplicates_skipped_in_database_and_within_file(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    LeadFactory(email="known@example.com", owner=personas.owner)
    text = csv_bytes(
        [
            ["Family name", "Email", "Phone"],
            ["Known", "Known@Example.com", ""],
            ["New", "new@example.com", "+44 20 7946 0000"],
            ["Again", "", "+442079460000"],
        ]
    )
    response = upload(personas.owner, text.encode(), record_type="leads")
    job = run(personas.owner, response.json()["id"], django_capture_on_commit_callbacks)
    assert (job["created_count"], job["skipped_count"]) == (1, 2)
    assert Lead.objects.count() == 2


def test_xlsx_file_and_patched_mapping(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Company name", "Employees", "Remarks"])
    sheet.append(["Initech", 120, "=1+1"])
    sheet["C2"].data_type = "s"  # text that looks like a formula, not a formula
    sheet.append([None, None, None])
    out = io.BytesIO()
    workbook.save(out)
    response = upload(personas.owner, out.getvalue(), name="accounts.xlsx", record_type="accounts")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mapping"]["Remarks"] == ""
    patched = client_for(personas.owner).patch(
        f"/api/imports/{body['id']}/", {"mapping": {"Remarks": "description"}}, format="json"
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["ignored_columns"] == []
    job = run(personas.owner, body["id"], django_capture_on_commit_callbacks)
    assert job["total_count"] == 1
    account = Account.objects.get()
    assert (account.name, account.employee_count, account.description) == ("Initech", 120, "=1+1")


def test_quoted_multiline_fields(personas: Any, django_capture_on_commit_callbacks: Any) -> None:
    text = 'Family name,Description\r\nCurie,"line one\r\nline two, with comma"\r\nBohr,x\r\n'
    response = upload(personas.owner, text.encode())
    job = run(personas.owner, response.json()["id"], django_capture_on_commit_callbacks)
    assert job["created_count"] == 2
    assert Contact.objects.get(family_name="Curie").description == (
        "line one\r\nline two, with comma"
    )


def test_jobs_are_visible_to_their_owner_and_admins_only(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    text = csv_bytes([["Family name"], ["Hidden"]])
    job_id = upload(personas.owner, text.encode()).json()["id"]
    outsider = client_for(personas.other)
    for method, url in [
        ("get", f"/api/imports/{job_id}/"),
        ("patch", f"/api/imports/{job_id}/"),
        ("post", f"/api/imports/{job_id}/run/"),
        ("post", f"/api/imports/{job_id}/undo/"),
        ("get", f"/api/imports/{job_id}/errors/"),
    ]:
        assert getattr(outsider, method)(url).status_code == 404
    assert ImportJob.objects.get().status == "previewed"
    assert Contact.objects.count() == 0
    assert client_for(personas.admin).get(f"/api/imports/{job_id}/").status_code == 200
    # Running twice is refused
    run(personas.owner, job_id, django_capture_on_commit_callbacks)
    assert client_for(personas.owner).post(f"/api/imports/{job_id}/run/").status_code == 400
    assert Contact.objects.count() == 1


def test_command_imports_synchronously(personas: Any, tmp_path: Any) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(csv_bytes([["Last name", "Email"], ["Byron", "b@example.com"], ["", "x"]]))
    out = io.StringIO()
    call_command("import", str(path), "--type", "leads", "--user", "owner", stdout=out)
    assert (
        out.getvalue()
        .splitlines()[0]
        .endswith("2 rows, 1 created, 0 updated, 0 skipped, 1 rejected")
    )
    assert Lead.objects.get().owner == personas.owner


def test_undecodable_bytes_after_the_sample_fail_the_job_clearly(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rows = [["Family name"]] + [[f"Person {i:05d}"] for i in range(6000)]
    content = csv_bytes(rows).encode() + b"Bad \xff\xfe name\r\n"
    response = upload(personas.owner, content)
    assert response.json()["encoding"] == "utf-8"
    job = run(personas.owner, response.json()["id"], django_capture_on_commit_callbacks)
    assert job["status"] == "failed"
    assert job["error"].startswith("The file cannot be decoded as utf-8 after line ")
    assert Contact.objects.count() == 0


def test_tags_and_custom_fields_are_imported_and_undone(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Given tags, a custom field with a Chinese label, and an existing contact
    from rapport.core.models import CustomFieldDefinition, Tag

    Tag.objects.create(name="vip")
    Tag.objects.create(name="press")
    CustomFieldDefinition.objects.create(
        record_type="contacts",
        name="shoe_size",
        label="Shoe size",
        label_zh="鞋码",
        field_type="integer",
    )
    existing = ContactEmailFactory(email="grace@example.com", contact__owner=personas.owner).contact
    existing.tags.add(Tag.objects.get(name="press"))
    # When a file with a tags column and the custom field under its Chinese label is imported
    text = csv_bytes(
        [
            ["Family name", "Email", "标签", "鞋码"],
            ["Hopper", "grace@example.com", "vip", "38"],
            ["Lamarr", "hedy@example.com", "vip\uff0c press", "39"],
            ["Curie", "marie@example.com", "unknown-tag", "40"],
            ["Noether", "emmy@example.com", "", "big"],
        ]
    )
    response = upload(personas.owner, text.encode(), duplicate_policy="update")
    assert response.json()["mapping"] == {
        "Family name": "family_name",
        "Email": "emails",
        "标签": "tags",
        "鞋码": "cf.shoe_size",
    }
    job = run(personas.owner, response.json()["id"], django_capture_on_commit_callbacks)
    # Then tags are added to the existing ones, custom fields are set, bad values rejected
    assert (job["created_count"], job["updated_count"], job["rejected_count"]) == (1, 1, 2)
    existing.refresh_from_db()
    assert sorted(existing.tags.values_list("name", flat=True)) == ["press", "vip"]
    assert existing.custom_fields == {"shoe_size": 38}
    hedy = Contact.objects.get(family_name="Lamarr")
    assert sorted(hedy.tags.values_list("name", flat=True)) == ["press", "vip"]
    assert hedy.custom_fields == {"shoe_size": 39}
    assert not Contact.objects.filter(family_name__in=["Curie", "Noether"]).exists()
    # And undo puts the existing contact back as it was
    undo = client_for(personas.owner).post(f"/api/imports/{job['id']}/undo/")
    assert undo.status_code == 200, undo.content
    existing.refresh_from_db()
    assert list(existing.tags.values_list("name", flat=True)) == ["press"]
    assert existing.custom_fields == {}
    assert list(Contact.objects.all()) == [existing]
