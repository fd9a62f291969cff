"""An import whose worker died mid-run (killed, out of memory, machine restart) is marked
failed once it has given no sign of life for a while, and the rows it wrote can be undone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from freezegun import freeze_time

from conftest import client_for
from rapport.core.schedule import schedule_autodiscover
from rapport.imports.models import ImportJob
from rapport.imports.rows import RowWriter
from rapport.imports.services import import_execute, import_start
from rapport.imports.tasks import imports_stalled_check
from rapport.imports.tests.test_imports import csv_bytes, upload
from rapport.leads.models import Lead

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Stands for the end of the worker process: nothing after it runs, no handler sees it."""


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def started_import(user: Any, rows: int) -> ImportJob:
    text = csv_bytes(
        [["Family name", "Company"], *[[f"Person {i}", f"Firm {i}"] for i in range(rows)]]
    )
    response = upload(user, text.encode(), record_type="leads")
    assert response.status_code == 201, response.content
    job = ImportJob.objects.get(pk=response.json()["id"])
    # Started, but the task waits for the commit that a test transaction never makes.
    return import_start(job=job)


def kill_worker_at_row(monkeypatch: Any, number: int) -> None:
    original = RowWriter.write

    def write(self: RowWriter, row: Any) -> Any:
        if row.number == number:
            raise WorkerKilled
        return original(self, row)

    monkeypatch.setattr(RowWriter, "write", write)


def test_a_dead_workers_import_is_failed_after_the_stall_time_then_undone(
    personas: Any, monkeypatch: Any, settings: Any
) -> None:
    settings.RAPPORT_IMPORT_STALL_MINUTES = 15
    job = started_import(personas.owner, rows=5)
    kill_worker_at_row(monkeypatch, 5)
    # Given a worker that ends while writing the fourth data row
    with pytest.raises(WorkerKilled):
        import_execute(job=job)
    job.refresh_from_db()
    assert job.status == "running"
    assert Lead.objects.count() == 3
    assert job.rows.count() == 3  # each written record has its undo row
    client = client_for(personas.owner)

    # When the user tries to undo at once, the import may still be running: refused
    refused = client.post(f"/api/imports/{job.pk}/undo/")
    assert refused.status_code == 400, refused.content
    assert Lead.objects.count() == 3

    # When the stall time has passed, the scheduled check fails it with a reason
    with freeze_time(timezone.now() + dt.timedelta(minutes=16)):
        assert imports_stalled_check.call() == 1
    job.refresh_from_db()
    assert job.status == "failed"
    assert "no worker has run it for 15 minutes" in job.error

    # Then the rows it wrote are undone
    undone = client.post(f"/api/imports/{job.pk}/undo/")
    assert undone.status_code == 200, undone.content
    assert (undone.json()["removed"], undone.json()["failed"]) == (3, {})
    assert Lead.objects.count() == 0


def test_undo_of_a_stalled_import_fails_it_first(
    personas: Any, monkeypatch: Any, settings: Any
) -> None:
    settings.RAPPORT_IMPORT_STALL_MINUTES = 15
    job = started_import(personas.owner, rows=3)
    kill_worker_at_row(monkeypatch, 3)
    with pytest.raises(WorkerKilled):
        import_execute(job=job)
    # When the user undoes it after the stall time, before the scheduled check ran
    with freeze_time(timezone.now() + dt.timedelta(minutes=20)):
        undone = client_for(personas.owner).post(f"/api/imports/{job.pk}/undo/")
    # Then it is undone
    assert undone.status_code == 200, undone.content
    assert undone.json()["removed"] == 1
    assert Lead.objects.count() == 0


def test_a_live_import_is_not_failed(personas: Any, settings: Any) -> None:
    settings.RAPPORT_IMPORT_STALL_MINUTES = 15
    job = started_import(personas.owner, rows=2)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
    with freeze_time(timezone.now() + dt.timedelta(minutes=14)):
        assert imports_stalled_check.call() == 0
    job.refresh_from_db()
    assert job.status == "running"


def test_the_check_is_scheduled() -> None:
    assert "imports.stalled_check" in schedule_autodiscover()
