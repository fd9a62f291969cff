"""The load driver: threads with keep-alive ``http.client`` connections, latency per request.

It records its own CPU time so the report can show it is not the bottleneck, and the CPU
time of the server's processes (read from /proc) to show where the time goes.
"""

from __future__ import annotations

import http.client
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Request = tuple[str, str, bytes | None]  # method, path, JSON body
RequestFactory = Callable[[random.Random, int], Request]


@dataclass(frozen=True)
class Scenario:
    name: str
    make: RequestFactory
    expect: int = 200


@dataclass
class Result:
    scenario: str
    latencies: list[float] = field(default_factory=list)  # seconds
    errors: int = 0
    seconds: float = 0.0
    driver_cpu: float = 0.0
    server_cpu: float = 0.0
    first_error: str = ""

    def percentile(self, p: float) -> float:
        data = sorted(self.latencies)
        if not data:
            return float("nan")
        return data[min(len(data) - 1, int(p / 100 * len(data)))] * 1000

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def process_tree_cpu(root_pid: int) -> float:
    """User + system CPU seconds of ``root_pid`` and its children (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if root_pid in (pid, ppid):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def run(
    scenario: Scenario,
    *,
    port: int,
    token: str,
    server_pid: int,
    concurrency: int,
    duration: float,
    warmup: float,
) -> Result:
    """Drive ``scenario`` with ``concurrency`` connections; measure after ``warmup``."""
    result = Result(scenario.name)
    lock = threading.Lock()
    start_measure = time.perf_counter() + warmup
    stop_at = start_measure + duration
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json",
        "Content-Type": "application/json",
        "Connection": "keep-alive",
    }

    def worker(index: int) -> None:
        rng = random.Random(index)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        errors, first_error, n = 0, "", 0
        while True:
            now = time.perf_counter()
            if now >= stop_at:
                break
            method, path, body = scenario.make(rng, index * 1_000_000 + n)
            n += 1
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                ok = response.status == scenario.expect
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok, payload = False, str(exc).encode()
            done = time.perf_counter()
            if now >= start_measure:
                if ok:
                    mine.append(done - now)
                else:
                    errors += 1
                    first_error = first_error or payload[:300].decode(errors="replace")
        conn.close()
        with lock:
            result.latencies.extend(mine)
            result.errors += errors
            result.first_error = result.first_error or first_error

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, start_measure - time.perf_counter()))
    cpu0, server0 = time.process_time(), process_tree_cpu(server_pid)
    for thread in threads:
        thread.join()
    result.seconds = duration
    result.driver_cpu = time.process_time() - cpu0
    result.server_cpu = process_tree_cpu(server_pid) - server0
    return result
