"""Serve the benchmark database as in production: gunicorn, 2 workers, production settings."""

from __future__ import annotations

import http.client
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.database import ROOT, database_url

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def server_env(db: Path, var_dir: Path) -> dict[str, str]:
    """Production settings: a random 64-character secret, DEBUG off, loopback host only,
    throttling raised out of the way (the benchmark measures the API, not the limiter).

    The throttles still run (and still read and write the shared file cache per request),
    as they would in production."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DEBUG": "0",
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url(db),
        "RAPPORT_VAR_DIR": str(var_dir),
        "SECURE_COOKIES": "0",
        # Per second, so each throttle's request history (kept in the cache for one period)
        # stays short: a per-minute rate would re-pickle a minute of timestamps per request.
        "THROTTLE_TOKEN_RATE": "1000000/s",
        "THROTTLE_IP_RATE": "1000000/s",
    }


def _wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {proc.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/api/schema/")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within a minute")


@contextmanager
def gunicorn(db: Path, var_dir: Path, workers: int = 2) -> Iterator[tuple[int, list[int]]]:
    """Run gunicorn on a free loopback port; yields the port and the master's pid."""
    port = free_port()
    binary = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    log = (var_dir / "gunicorn.log").open("wb")
    proc = subprocess.Popen(
        [
            binary,
            "config.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"{HOST}:{port}",
            "--keep-alive",
            "75",
            "--error-logfile",
            str(var_dir / "gunicorn-error.log"),
        ],
        cwd=ROOT,
        env=server_env(db, var_dir),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_ready(port, proc)
        yield port, [proc.pid]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
