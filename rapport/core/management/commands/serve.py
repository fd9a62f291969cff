"""``rapport serve``: the web server (gunicorn), optionally with the task worker beside it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

# Seconds a request may take before gunicorn restarts its worker; exports and reports stream.
REQUEST_TIMEOUT = 60
# Seconds children get to finish in-flight requests and the running task after a stop request.
GRACE = 30
# A worker that dies sooner than this after starting is not restarted (it would crash-loop).
WORKER_MIN_UPTIME = 10.0


def serve_url(bind: str) -> str:
    """The address to open in a browser for gunicorn's ``--bind`` value."""
    if bind.startswith(("unix:", "fd://")):
        return bind
    host, _, port = bind.rpartition(":")
    host = host.strip("[]")
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port or '8000'}/"


def gunicorn_argv(*, bind: str, workers: int) -> list[str]:
    """The gunicorn command line that serves config.wsgi."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--timeout",
        str(REQUEST_TIMEOUT),
        "--graceful-timeout",
        str(GRACE),
        "--keep-alive",
        "5",
        # Recycling workers bounds the damage of a slow memory leak.
        "--max-requests",
        "2000",
        "--max-requests-jitter",
        "200",
        "--access-logfile",
        "-",
        # The control socket defaults to one path in $HOME, which a second server would take over.
        "--no-control-socket",
    ]


def _spawn(argv: list[str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
    # Own process group: Ctrl+C reaches only this command, which then stops each child once
    # (a second SIGINT would make the task worker abandon its running task).
    return subprocess.Popen(argv, env=env, process_group=0)


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + GRACE + 5
    for child in children:
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


class Command(BaseCommand):
    help = (
        "Serve Rapport with gunicorn on RAPPORT_BIND (default 127.0.0.1:8000) with "
        "WEB_CONCURRENCY workers (default 2); --with-worker also runs `rapport worker`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            default=os.environ.get("RAPPORT_BIND", "127.0.0.1:8000"),
            help="host:port or unix:/path to listen on (default: $RAPPORT_BIND or 127.0.0.1:8000)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", "2")),
            help="web worker processes (default: $WEB_CONCURRENCY or 2)",
        )
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="also run the background task worker and scheduler; stopped with the server",
        )

    def handle(
        self, *args: Any, bind: str, workers: int, with_worker: bool, **options: Any
    ) -> None:
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)

        server = _spawn(gunicorn_argv(bind=bind, workers=workers))
        children = [server]
        worker_argv = [sys.executable, "-m", "rapport.cli", "worker"]
        worker: subprocess.Popen[bytes] | None = None
        worker_started = time.monotonic()
        if with_worker:
            worker = _spawn(worker_argv)
            children.append(worker)
        self.stdout.write(
            f"Open {serve_url(bind)}admin/ in a browser and sign in (demo data: admin / admin; "
            "otherwise a user made with `rapport createsuperuser`). Ctrl+C stops "
            + ("the server and the worker." if with_worker else "the server.")
        )
        try:
            while not stop.wait(0.5):
                if server.poll() is not None:
                    break
                if worker is not None and worker.poll() is not None:
                    children.remove(worker)
                    if time.monotonic() - worker_started < WORKER_MIN_UPTIME:
                        self.stderr.write(
                            f"The task worker exited with code {worker.returncode} "
                            "right after starting; the server goes on without it."
                        )
                        worker = None
                    else:
                        self.stderr.write(
                            f"The task worker exited with code {worker.returncode}; restarting it."
                        )
                        worker, worker_started = _spawn(worker_argv), time.monotonic()
                        children.append(worker)
        finally:
            _stop(children)
        if not stop.is_set() and server.returncode:
            raise CommandError(
                f"gunicorn exited with code {server.returncode}", returncode=server.returncode
            )
