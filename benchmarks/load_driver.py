"""Drive an HTTP server the way wrk would: p50 at concurrency 1, requests/s at concurrency 32.

The c=32 client runs in 4 processes of 8 threads, each thread on its own keep-alive
connection, so the client's own interpreter lock does not cap what it measures. Between
cases ``drained`` waits until the server answers a probe quickly again, so one slow case
cannot spill its queued work into the next.
"""

import http.client
import multiprocessing
import statistics
import threading
import time
from urllib.parse import urlsplit

PROCESSES, THREADS = 4, 8


def _connection(base: str) -> http.client.HTTPConnection:
    parts = urlsplit(base)
    return http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=120)


def _get(connection: http.client.HTTPConnection, path: str, headers: dict) -> int:
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status


def p50(base: str, paths: list[str], headers: dict, budget_s: float = 20.0) -> dict:
    """Send ``paths`` one after another on one connection; return p50/p99 in ms and failures.

    Stops early once ``budget_s`` has passed and 20 requests are done: a slow case's
    median is clear by then, and 200 requests of a second each would take minutes.
    """
    connection = _connection(base)
    latencies, failures = [], 0
    deadline = time.monotonic() + budget_s
    for path in paths:
        if len(latencies) >= 20 and time.monotonic() > deadline:
            break
        start = time.perf_counter()
        try:
            failures += _get(connection, path, headers) // 100 != 2
        except (OSError, http.client.HTTPException):
            failures += 1
            connection.close()
            connection = _connection(base)
        latencies.append((time.perf_counter() - start) * 1000)
    connection.close()
    latencies.sort()
    return {
        "c1_p50_ms": round(statistics.median(latencies), 2),
        "c1_p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 2),
        "c1_requests": len(latencies),
        "c1_failures": failures,
    }


def _worker(base: str, paths: list[str], headers: dict, seconds: float, offset: int, out) -> None:
    counts: dict = {"done": 0, "failures": 0, "kinds": {}}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def run(thread: int) -> None:
        connection, n, done, failures = _connection(base), offset + thread, 0, 0
        kinds: dict[str, int] = {}
        while time.monotonic() < deadline:
            try:
                status = _get(connection, paths[n % len(paths)], headers)
                kind = None if status // 100 == 2 else str(status)
            except (OSError, http.client.HTTPException) as error:
                kind = type(error).__name__
                connection.close()
                connection = _connection(base)
            if kind is not None:  # which failures, so a report can say what went wrong
                failures += 1
                kinds[kind] = kinds.get(kind, 0) + 1
            done, n = done + 1, n + PROCESSES * THREADS
        connection.close()
        with lock:
            counts["done"] += done
            counts["failures"] += failures
            for kind, k in kinds.items():
                counts["kinds"][kind] = counts["kinds"].get(kind, 0) + k

    threads = [threading.Thread(target=run, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put(counts)


def throughput(base: str, paths: list[str], headers: dict, seconds: float = 5.0) -> dict:
    """Keep 32 requests in flight for ``seconds``; return requests/s and failures."""
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    workers = [
        context.Process(target=_worker, args=(base, paths, headers, seconds, p * THREADS, out))
        for p in range(PROCESSES)
    ]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    results = [out.get() for _ in workers]
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    done = sum(r["done"] for r in results)
    return {
        "c32_req_s": round(done / elapsed, 1),
        "c32_requests": done,
        "c32_failures": sum(r["failures"] for r in results),
        **({"c32_failure_kinds": kinds} if (kinds := _merged_kinds(results)) else {}),
    }


def _merged_kinds(results: list[dict]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for result in results:
        for kind, n in result["kinds"].items():
            merged[kind] = merged.get(kind, 0) + n
    return merged


def drained(base: str, probe: str = "/health/live", quick_ms: float = 5.0) -> None:
    """Return once three probes in a row answer within ``quick_ms`` (at most 60 s)."""
    deadline, streak = time.monotonic() + 60, 0
    connection = _connection(base)
    while streak < 3 and time.monotonic() < deadline:
        start = time.perf_counter()
        try:
            _get(connection, probe, {})
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = _connection(base)
        quick = (time.perf_counter() - start) * 1000 < quick_ms
        streak = streak + 1 if quick else 0
        time.sleep(0.2)
    connection.close()
