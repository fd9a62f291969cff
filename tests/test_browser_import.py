"""Importing a CSV file in a real browser: upload, preview, start, follow the progress bar to
the end, at the desktop and phone viewports."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import Personas
from rapport.contacts.models import Contact
from rapport.framework.registry import get_record_type
from rapport.imports.choices import ImportStatus
from rapport.imports.models import ImportJob
from rapport.imports.services import import_create, import_execute, import_start
from tests.browser import VIEWPORTS, sign_in
from tests.test_browser_accessibility import AXE, RUN_AXE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = (
    b"Given name,Family name,Email\nAda,Lovelace,ada@example.com\nGrace,Hopper,grace@example.com\n"
)


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload_people(page: Any, base_url: str) -> None:
    if page.viewport_name == "desktop":
        page.get_by_role("link", name="Import", exact=True).click()
    else:
        page.goto(f"{base_url}/imports/")
    page.get_by_role("button", name="New import").click()
    page.get_by_label("Record type").select_option("contacts")
    page.get_by_label("File (CSV or XLSX)").set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": PEOPLE}]
    )
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url(f"{base_url}/imports/*/")


def test_upload_preview_start_and_see_it_done(
    page: Any, live_server: Any, personas: Personas
) -> None:
    # given
    sign_in(page, live_server.url, "owner")
    # when
    upload_people(page, live_server.url)
    # then: the preview with the proposed mapping
    assert page.locator("#col-0").input_value() == "given_name"
    assert page.locator("#col-2").input_value() == "emails"
    assert page.locator(".import-preview tbody tr").count() == 2
    # when: started (the test settings run tasks at once)
    page.get_by_role("button", name="Start import").click()
    # then
    progress = page.locator("#import-progress[data-status='done']")
    progress.wait_for()
    bar = progress.locator("progress")
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("1", "1")
    assert progress.locator("[data-count='created']").inner_text() == "2"
    assert sorted(Contact.objects.values_list("family_name", flat=True)) == ["Hopper", "Lovelace"]


def test_the_progress_bar_follows_a_job_running_in_the_background(
    page: Any, live_server: Any, personas: Personas, settings: Any
) -> None:
    # given: tasks are queued, not run, as with a real worker
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    sign_in(page, live_server.url, "owner")
    upload_people(page, live_server.url)
    page.get_by_role("button", name="Start import").click()
    page.locator("#import-progress[data-status='running']").wait_for()
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.RUNNING
    assert Contact.objects.count() == 0
    # when: the worker runs the job
    import_execute(job=job)
    # then: the polled partial reaches the end by itself and stops polling
    done = page.locator("#import-progress[data-status='done']")
    done.wait_for(timeout=5_000)
    assert done.get_attribute("hx-trigger") is None
    assert done.locator("[data-count='created']").inner_text() == "2"


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_import_and_data_quality_screens_have_no_wcag_a_or_aa_violations(
    chromium: Any, live_server: Any, personas: Personas, viewport: str
) -> None:
    # given: a previewed job with a rejected row, and a finished one
    previewed = import_create(
        user=personas.owner,
        record_type=get_record_type("contacts"),
        upload=SimpleUploadedFile("bad.csv", PEOPLE + b"Lin,,not-an-email\n"),
        name="bad.csv",
    )
    finished = import_create(
        user=personas.owner,
        record_type=get_record_type("contacts"),
        upload=SimpleUploadedFile("people.csv", PEOPLE),
        name="people.csv",
    )
    import_start(job=finished)
    context = chromium.new_context(bypass_csp=True, **VIEWPORTS[viewport])
    page = context.new_page()
    violations: dict[str, list[str]] = {}
    try:
        sign_in(page, live_server.url, "owner")
        for path in (
            "/imports/",
            "/imports/new/",
            f"/imports/{previewed.pk}/",
            f"/imports/{finished.pk}/",
            f"/imports/{finished.pk}/undo/",
            "/data-quality/",
            "/data-quality/contacts/",
        ):
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, path
            page.add_script_tag(path=str(AXE))
            violations[path] = page.evaluate(RUN_AXE)
    finally:
        context.close()
    # then
    assert {path: found for path, found in violations.items() if found} == {}
