"""The import screens: upload, preview, mapping, run with progress, counts, rejected rows,
undo, mapping templates, and who may see a job."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import Personas
from rapport.contacts.models import Contact
from rapport.imports.choices import DuplicatePolicy, ImportStatus
from rapport.imports.models import ImportJob, ImportMappingTemplate
from rapport.imports.templates_services import (
    import_template_delete,
    import_template_mapping,
    import_template_save,
)

pytestmark = pytest.mark.django_db

PEOPLE = (
    b"Vorname,Family name,Email,Colour\n"
    b"Ada,Lovelace,ada@example.com,blue\n"
    b"Grace,Hopper,not-an-email,red\n"
)


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def signed_in(username: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": "pw"})
    assert response.status_code == 302
    return client


def upload(client: Client, content: bytes, name: str = "people.csv", **fields: str) -> Any:
    data = {"record_type": "contacts", "duplicate_policy": "skip", **fields}
    return client.post("/imports/new/", {**data, "file": SimpleUploadedFile(name, content)})


def new_job(client: Client, content: bytes = PEOPLE, name: str = "people.csv") -> ImportJob:
    response = upload(client, content, name)
    assert response.status_code == 302, response.content.decode()
    job = ImportJob.objects.order_by("-pk").first()
    assert job is not None
    assert response["Location"] == f"/imports/{job.pk}/"
    return job


def selected(html: str, index: int) -> str:
    """The value selected in the ``col-<index>`` select."""
    select = re.search(rf'<select id="col-{index}".*?</select>', html, re.S)
    assert select is not None
    found = re.search(r'<option value="([^"]*)" selected>', select.group(0))
    assert found is not None
    return found.group(1)


def count(html: str, name: str) -> int:
    found = re.search(rf'data-count="{name}">(\d+)<', html)
    assert found is not None, html
    return int(found.group(1))


def test_upload_preview_map_run_follow_download_and_undo(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in("owner")
    # given: a file whose first column has a name no field knows
    job = new_job(client)
    # when
    page = client.get(f"/imports/{job.pk}/").content.decode()
    # then: encoding, delimiter, the proposed mapping and each previewed row's outcome
    assert 'data-fact="encoding">utf-8<' in page
    assert 'data-fact="delimiter"><code>,</code><' in page
    assert (selected(page, 0), selected(page, 1), selected(page, 2), selected(page, 3)) == (
        "",
        "family_name",
        "emails",
        "",
    )
    assert re.search(r'data-row="3" class="import-row-error">.*?Rejected: ', page, re.S)
    assert "<td>Lovelace</td>" in page

    # when: the first column is mapped by hand and duplicates are to be updated
    response = client.post(
        f"/imports/{job.pk}/mapping/",
        {
            "col-0": "given_name",
            "col-1": "family_name",
            "col-2": "emails",
            "col-3": "",
            "duplicate_policy": "update",
        },
    )
    # then
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.mapping == {
        "Vorname": "given_name",
        "Family name": "family_name",
        "Email": "emails",
        "Colour": "",
    }
    assert job.duplicate_policy == DuplicatePolicy.UPDATE
    assert selected(client.get(f"/imports/{job.pk}/").content.decode(), 0) == "given_name"

    # when: started, its task not yet run
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(f"/imports/{job.pk}/run/")
    # then: the progress partial polls every second
    assert response.status_code == 302
    assert Contact.objects.count() == 0
    running = client.get(f"/imports/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in running
    assert 'data-status="running"' in running
    assert "<progress" in running

    # when: the background task runs
    for callback in callbacks:
        callback()
    done = client.get(f"/imports/{job.pk}/progress/").content.decode()
    # then: no more polling; the counts and the rejected rows
    assert "hx-trigger" not in done
    assert '<progress aria-labelledby="import-progress-label" value="1" max="1">' in done
    assert (count(done, "total"), count(done, "created"), count(done, "rejected")) == (2, 1, 1)
    assert list(Contact.objects.values_list("given_name", "family_name")) == [("Ada", "Lovelace")]
    assert f'href="/api/imports/{job.pk}/errors/"' in done
    errors = client.get(f"/api/imports/{job.pk}/errors/")
    assert errors.status_code == 200
    rejected = errors.getvalue().decode("utf-8-sig").splitlines()
    assert rejected[0].startswith("row,Vorname,Family name,Email,Colour,error")
    assert rejected[1].startswith("3,Grace,Hopper,not-an-email,red,")
    assert f'href="/imports/{job.pk}/undo/"' in done

    # when: undo is asked for, then confirmed
    confirm = client.get(f"/imports/{job.pk}/undo/")
    assert confirm.status_code == 200
    assert Contact.objects.count() == 1
    undone = client.post(f"/imports/{job.pk}/undo/").content.decode()
    # then
    assert (count(undone, "removed"), count(undone, "restored"), count(undone, "failed")) == (
        1,
        0,
        0,
    )
    assert Contact.objects.count() == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.UNDONE


def test_the_list_shows_the_users_own_jobs(personas: Personas) -> None:
    mine = new_job(signed_in("owner"))
    theirs_response = upload(signed_in("other"), PEOPLE, "theirs.csv")
    assert theirs_response.status_code == 302
    html = signed_in("owner").get("/imports/").content.decode()
    assert re.findall(r'data-job="(\d+)"', html) == [str(mine.pk)]
    assert "people.csv" in html
    assert "theirs.csv" not in html
    # the sidebar links the screen for users who are not staff
    assert 'href="/imports/" aria-current="page">Import</a>' in html


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "The file is empty."),
        (
            b"\x00\x01\x02binary\x00",
            "photo.csv",
            "This is not a text file (it contains NUL bytes): upload a CSV or XLSX file.",
        ),
        (b"Colour,Size\nblue,3\n", "odd.csv", "No column matches a field of contacts"),
        (
            b",,\nAda,Lovelace,x\n",
            "noheader.csv",
            "The first row must name the columns, and it is empty.",
        ),
    ],
)
def test_a_bad_file_is_refused_beside_the_file_field(
    personas: Personas, content: bytes, name: str, message: str
) -> None:
    # when
    response = upload(signed_in("owner"), content, name)
    # then
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(r'<small class="field-error" id="id_file-error" role="alert">([^<]*)<', html)
    assert error is not None, html
    assert error.group(1).startswith(message.replace("'", "&#x27;"))
    assert 'aria-invalid="true"' in html
    assert ImportJob.objects.count() == 0


def test_another_users_job_is_not_found_and_unchanged(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    # given
    job = new_job(signed_in("owner"))
    before = (job.mapping, job.status, job.duplicate_policy)
    other = signed_in("other")
    # when / then
    for url in ("", "progress/", "undo/"):
        assert other.get(f"/imports/{job.pk}/{url}").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert other.post(f"/imports/{job.pk}/mapping/", {"col-0": "given_name"}).status_code == 404
        assert other.post(f"/imports/{job.pk}/run/").status_code == 404
        assert other.post(f"/imports/{job.pk}/undo/").status_code == 404
        assert (
            other.post(f"/imports/{job.pk}/templates/save/", {"name": "Stolen"}).status_code == 404
        )
    job.refresh_from_db()
    assert (job.mapping, job.status, job.duplicate_policy) == before
    assert Contact.objects.count() == 0
    assert ImportMappingTemplate.objects.count() == 0
    # an administrator sees every job
    assert signed_in("admin").get(f"/imports/{job.pk}/").status_code == 200


def test_a_mapping_that_cannot_be_used_is_refused_with_its_message(personas: Personas) -> None:
    client = signed_in("owner")
    job = new_job(client)
    response = client.post(
        f"/imports/{job.pk}/mapping/", {"col-0": "family_name", "col-1": "family_name"}
    )
    assert response.status_code == 400
    assert "Columns “Vorname” and “Family name” both feed" in response.content.decode()
    job.refresh_from_db()
    assert job.mapping["Vorname"] == ""


def test_save_the_mapping_as_a_template_and_apply_it_to_the_next_file(personas: Personas) -> None:
    client = signed_in("owner")
    first = new_job(client)
    # when: the columns on screen are saved as a template
    response = client.post(
        f"/imports/{first.pk}/templates/save/",
        {
            "col-0": "given_name",
            "col-1": "family_name",
            "col-2": "emails",
            "col-3": "",
            "name": "  Trade fair  ",
        },
    )
    # then
    assert response.status_code == 302
    template = ImportMappingTemplate.objects.get()
    assert (template.name, template.record_type, template.owner) == (
        "Trade fair",
        "contacts",
        personas.owner,
    )
    assert template.mapping == {
        "Vorname": "given_name",
        "Family name": "family_name",
        "Email": "emails",
        "Colour": "",
    }
    first.refresh_from_db()
    assert first.mapping == template.mapping

    # given: the next file, columns in another order, one the template does not know
    second_response = upload(client, b"Email,Vorname,Phone\nx@example.com,Lin,123\n", "next.csv")
    second = ImportJob.objects.exclude(pk=first.pk).get()
    assert second_response["Location"] == f"/imports/{second.pk}/"
    page = client.get(f"/imports/{second.pk}/").content.decode()
    assert selected(page, 1) == ""
    assert f'<option value="{template.pk}">Trade fair</option>' in page
    # when
    response = client.post(f"/imports/{second.pk}/templates/apply/", {"template": template.pk})
    # then: the known headers are mapped, the unknown one keeps its proposal
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.mapping == {"Email": "emails", "Vorname": "given_name", "Phone": "phones"}


def test_another_users_template_cannot_be_applied_or_deleted(personas: Personas) -> None:
    template = import_template_save(
        user=personas.other,
        name="Theirs",
        record_type="contacts",
        mapping={"Vorname": "given_name"},
    )
    client = signed_in("owner")
    job = new_job(client)
    assert "Theirs" not in client.get(f"/imports/{job.pk}/").content.decode()
    applied = client.post(f"/imports/{job.pk}/templates/apply/", {"template": template.pk})
    deleted = client.post(f"/imports/{job.pk}/templates/delete/", {"template": template.pk})
    assert (applied.status_code, deleted.status_code) == (400, 400)
    job.refresh_from_db()
    assert job.mapping["Vorname"] == ""
    assert ImportMappingTemplate.objects.filter(pk=template.pk).exists()
    # the owner deletes their own
    own = import_template_save(
        user=personas.owner, name="Mine", record_type="contacts", mapping={"Vorname": "given_name"}
    )
    assert (
        client.post(f"/imports/{job.pk}/templates/delete/", {"template": own.pk}).status_code == 302
    )
    assert not ImportMappingTemplate.objects.filter(pk=own.pk).exists()


def test_template_services_check_their_input(personas: Personas) -> None:
    with pytest.raises(ValidationError) as blank:
        import_template_save(user=personas.owner, name=" ", record_type="contacts", mapping={})
    assert blank.value.message_dict == {"name": ["Give the template a name."]}
    with pytest.raises(ValidationError) as wrong_type:
        import_template_save(user=personas.owner, name="X", record_type="users", mapping={})
    assert list(wrong_type.value.message_dict) == ["record_type"]
    with pytest.raises(ValidationError) as unknown:
        import_template_save(
            user=personas.owner, name="X", record_type="contacts", mapping={"A": "shoe_size"}
        )
    assert unknown.value.message_dict == {
        "mapping": ["Not fields that can be imported: shoe_size."]
    }
    assert ImportMappingTemplate.objects.count() == 0
    # saving again under the same name replaces the mapping
    import_template_save(
        user=personas.owner, name="X", record_type="contacts", mapping={"A": "emails"}
    )
    saved = import_template_save(
        user=personas.owner, name="X", record_type="contacts", mapping={"B": "phones"}
    )
    assert list(ImportMappingTemplate.objects.values_list("mapping", flat=True)) == [
        {"B": "phones"}
    ]
    assert import_template_mapping(template=saved, headers=["A", "B", "C"]) == {"B": "phones"}
    import_template_delete(user=personas.admin, template=saved)
    assert ImportMappingTemplate.objects.count() == 0
