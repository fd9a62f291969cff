"""The Redis backend end to end: a real redis-server and a real RQ worker process."""

from __future__ import annotations

from pathlib import Path

import pytest
from django_tasks import TaskResultStatus
from pytest_django.fixtures import Settings

from rapport.core.tests.conftest import Site
from rapport.core.tests.sample_tasks import explode, multiply
from tests.redis_server import RedisServer

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_queue(settings: Settings, redis_server: RedisServer) -> RedisServer:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": redis_server.url}}
    return redis_server


def test_rq_worker_process_runs_tasks_enqueued_through_the_tasks_api(
    redis_queue: RedisServer, tmp_path: Path
) -> None:
    # given two tasks enqueued on Redis by this process
    product = multiply.enqueue(6, 7)
    failure = explode.enqueue("boom")
    assert product.status == TaskResultStatus.READY
    assert multiply.get_result(product.id).status == TaskResultStatus.READY

    # when `rapport worker` runs against Redis until the queue is empty
    site = Site(tmp_path, extra_env={"TASK_BACKEND": "redis", "REDIS_URL": redis_queue.url})
    site.run("worker", "--batch", "--no-scheduler")

    # then the Tasks API reads each outcome back from Redis
    product.refresh()
    failure.refresh()
    assert product.status == TaskResultStatus.SUCCESSFUL
    assert product.return_value == 42
    assert len(product.worker_ids) == 1
    assert failure.status == TaskResultStatus.FAILED
    assert [error.exception_class for error in failure.errors] == [ValueError]
    assert "boom" in failure.errors[0].traceback
