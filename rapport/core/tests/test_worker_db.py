"""The database queue end to end: real `rapport` processes on one SQLite file."""

from __future__ import annotations

import signal
import subprocess

import pytest

from rapport.core.schedule import schedule_autodiscover
from rapport.core.tests.conftest import Site, stop, wait_for

# Every periodic job the apps register (by name), and their tasks (by path): a fresh
# installation runs each once, and each must succeed on an empty database.
CORE_JOBS = [job.name for job in schedule_autodiscover()]
CORE_TASKS = sorted(job.task.module_path for job in schedule_autodiscover())

ENQUEUE_SAMPLES = """
from rapport.core.tests.sample_tasks import explode, multiply
out = [multiply.enqueue(6, 7).id, explode.enqueue("boom").id]
"""

READ_RESULTS = """
from rapport.core.tests.sample_tasks import explode, multiply
product, failure = multiply.get_result({product!r}), explode.get_result({failure!r})
out = {{
    "product": [
        product.status,
        product.return_value if product.is_finished else None,
        len(product.worker_ids),
    ],
    "failure": [failure.status, [e.exception_class.__name__ for e in failure.errors]],
}}
"""


def finished_tasks(site: Site) -> list[tuple[str, str]]:
    return site.query(
        "SELECT task_path, status FROM django_tasks_database_dbtaskresult "
        "WHERE status IN ('SUCCESSFUL', 'FAILED') ORDER BY task_path"
    )


def test_db_worker_process_runs_tasks_enqueued_through_the_tasks_api(site: Site) -> None:
    # given two tasks in the database queue, enqueued by another process
    product_id, failure_id = site.python(ENQUEUE_SAMPLES)
    before = site.python(READ_RESULTS.format(product=product_id, failure=failure_id))
    assert before == {"product": ["READY", None, 0], "failure": ["READY", []]}

    # when the database worker drains the queue
    site.run("db_worker", "--batch", "--no-startup-delay", "--no-reload")

    # then the Tasks API reports the outcome of each
    after = site.python(READ_RESULTS.format(product=product_id, failure=failure_id))
    assert after == {"product": ["SUCCESSFUL", 42, 1], "failure": ["FAILED", ["ValueError"]]}


def test_worker_batch_enqueues_due_periodic_jobs_and_runs_them(site: Site) -> None:
    # when `rapport worker --batch` runs on an installation that never ran its periodic jobs
    site.run("worker", "--batch")

    # then each registered job was claimed for its current slot and executed once
    runs = site.query("SELECT job, task_result_id FROM core_scheduledrun ORDER BY job")
    assert [job for job, _ in runs] == CORE_JOBS
    assert finished_tasks(site) == [(path, "SUCCESSFUL") for path in CORE_TASKS]
    ids = site.query("SELECT id FROM django_tasks_database_dbtaskresult ORDER BY task_path")
    assert [row[0].replace("-", "") for row in ids] == [tid.replace("-", "") for _, tid in runs]


def test_concurrent_schedulers_enqueue_each_slot_exactly_once(site: Site) -> None:
    # when three schedulers look for due jobs at the same time
    processes = [site.start("scheduler", "--once") for _ in range(3)]
    outputs = [stop_after_exit(process) for process in processes]

    # then each job was enqueued by exactly one of them, and the queue holds one task per job
    claims = [line for output in outputs for line in output.splitlines() if "enqueued" in line]
    assert sorted(line.split()[1] for line in claims) == CORE_JOBS
    assert site.query("SELECT job, count(*) FROM core_scheduledrun GROUP BY job ORDER BY job") == [
        (job, 1) for job in CORE_JOBS
    ]
    assert site.query(
        "SELECT task_path, count(*) FROM django_tasks_database_dbtaskresult "
        "GROUP BY task_path ORDER BY task_path"
    ) == [(path, 1) for path in CORE_TASKS]


def stop_after_exit(process: subprocess.Popen[str]) -> str:
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    return output


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_worker_runs_scheduler_thread_and_stops_on_signal(site: Site, signum: int) -> None:
    # given a long-running worker with its scheduler thread
    worker = site.start("worker")
    try:
        # then the scheduler enqueues the periodic jobs and the worker runs them (a job due
        # every few minutes may run twice if the test spans the start of its next slot)
        wait_for(
            lambda: sorted({path for path, _status in finished_tasks(site)}) == CORE_TASKS,
            timeout=30,
            what="the periodic jobs to run",
        )
        assert {status for _path, status in finished_tasks(site)} == {"SUCCESSFUL"}, finished_tasks(
            site
        )
        # when it is asked to stop
        worker.send_signal(signum)
        worker.wait(timeout=15)
    finally:
        output = stop(worker)
    # then it exits cleanly
    assert worker.returncode == 0, output


def test_worker_without_scheduler_enqueues_no_periodic_jobs(site: Site) -> None:
    site.run("worker", "--batch", "--no-scheduler")

    assert site.query("SELECT count(*) FROM core_scheduledrun") == [(0,)]
    assert site.query("SELECT count(*) FROM django_tasks_database_dbtaskresult") == [(0,)]


def test_scheduler_loop_claims_slots_and_stops_on_sigterm(site: Site) -> None:
    scheduler = site.start("scheduler")
    try:
        wait_for(
            # (a job due every few minutes may claim its next slot too during the test)
            lambda: (
                site.query("SELECT DISTINCT job FROM core_scheduledrun ORDER BY job")
                == [(job,) for job in CORE_JOBS]
            ),
            timeout=30,
            what="the scheduler to claim the current slots",
        )
        scheduler.send_signal(signal.SIGTERM)
        scheduler.wait(timeout=15)
    finally:
        output = stop(scheduler)
    assert scheduler.returncode == 0, output
    # the scheduler only enqueues; nothing ran the tasks
    assert finished_tasks(site) == []
