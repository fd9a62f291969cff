"""`rapport serve`: gunicorn on RAPPORT_BIND, and with --with-worker the task worker beside it."""

from __future__ import annotations

import os
import signal
import socket
import urllib.request
from pathlib import Path

import pytest

from rapport.core.management.commands.serve import serve_url
from rapport.core.tests.conftest import Site, stop, wait_for


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def http_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except OSError:
        return None


@pytest.mark.parametrize(
    ("bind", "url"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000/"),
        ("0.0.0.0:9000", "http://127.0.0.1:9000/"),
        ("[::1]:8080", "http://[::1]:8080/"),
        ("unix:/run/rapport.sock", "unix:/run/rapport.sock"),
    ],
)
def test_serve_url_is_what_a_browser_opens(bind: str, url: str) -> None:
    assert serve_url(bind) == url


def test_serve_with_worker_serves_pages_runs_tasks_and_stops_both(site: Site) -> None:
    # given `rapport serve --with-worker` on a free port taken from RAPPORT_BIND
    port = free_port()
    site.extra_env.update(RAPPORT_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1")
    server = site.start("serve", "--with-worker")
    try:
        # then the login page is served
        wait_for(
            lambda: http_status(f"http://127.0.0.1:{port}/admin/login/") == 200,
            timeout=30,
            what="gunicorn to answer",
        )
        # and a task enqueued by another process is run by the worker child
        (result_id,) = site.python(
            "from rapport.core.tests.sample_tasks import multiply\n"
            "out = [multiply.enqueue(6, 7).id]"
        )
        wait_for(
            lambda: (
                site.query(
                    "SELECT status, return_value FROM django_tasks_database_dbtaskresult "
                    "WHERE id = ?",
                    result_id.replace("-", ""),
                )
                == [("SUCCESSFUL", "42")]
            ),
            timeout=30,
            what="the worker to run the task",
        )
        children = children_of(server.pid)
        assert len(children) == 2  # gunicorn's arbiter and `rapport worker`

        # when the server is stopped
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=40)
    finally:
        output = stop(server)

    # then it exited cleanly, took its children with it and had said where to go
    assert server.returncode == 0, output
    assert not [pid for pid in children if alive(pid)]
    assert f"Open http://127.0.0.1:{port}/admin/ in a browser" in output
    assert http_status(f"http://127.0.0.1:{port}/admin/login/") is None


@pytest.mark.slow  # gunicorn retries the bind for about five seconds before it gives up
def test_serve_fails_when_the_address_is_taken(site: Site) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        site.extra_env.update(RAPPORT_BIND=f"127.0.0.1:{port}")
        server = site.start("serve")
        try:
            server.wait(timeout=60)
        finally:
            output = stop(server)
    assert server.returncode != 0, output
    assert "gunicorn exited with code" in output
