"""Loads under real HTTP read traffic: no failed load, no failed read, no mixed versions."""

import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

import pytest

from pipelines.ingestion import ingest, synthetic
from pipelines.ingestion.sources import read_source
from repository.engine import build_engine
from repository.ingestion import PostgresIngestionRepository
from tests.support import SERVER_ENV, create_key_in, query

BIN = Path(sys.executable).parent
CUSTOMERS, INTERACTIONS = 20_000, 200_000
READERS = 4


def _export(folder: Path, seed: int) -> Path:
    synthetic.write_dataset(
        synthetic.generate_dataset(CUSTOMERS, INTERACTIONS, seed), folder, "csv"
    )
    return folder


def _version_facts(url: str, ids: list[int]) -> tuple[dict[int, int], int]:
    """Return the served version's interaction count per customer of ``ids``, and in all."""
    rows = query(
        url,
        "SELECT customer_id, count(*) FROM insights.interaction_facts "
        "WHERE customer_id = ANY(%s) GROUP BY 1",
        (ids,),
    )
    counts = {customer: 0 for customer in ids} | dict(rows)
    return counts, query(url, "SELECT count(*) FROM insights.interaction_facts")[0][0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _served_customers(url: str, ids: list[int]) -> set[int]:
    """Return which of ``ids`` have a customer row in the served version."""
    rows = query(
        url,
        "SELECT customer_id FROM insights.customers WHERE customer_id = ANY(%s) "
        "AND version = (SELECT version FROM insights.data_version)",
        (ids,),
    )
    return {row[0] for row in rows}


def _start_gunicorn(url: str, port: int, log: IO[str]) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING", "LOG_FORMAT": "json"}
    env.update(SERVER_ENV)
    args = [
        "--config",
        "python:api.gunicorn_conf",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "2",
        "api.wsgi:app",
    ]
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=5)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def _get(url: str, key: str) -> tuple[int, object, int | None, float]:
    """GET ``url``; return the status, the JSON body, the page's total and the seconds taken."""
    started = time.perf_counter()
    request = urllib.request.Request(url, headers={"X-API-Key": key})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, body, headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, body, headers = error.code, error.read(), error.headers
    latency = time.perf_counter() - started
    pages = headers.get("X-Pagination")
    total = json.loads(pages)["total"] if pages else None
    return status, json.loads(body) if body else None, total, latency


class _Readers:
    """Threads reading customers, histories and statistics until stopped; they log every read."""

    def __init__(self, base: str, ids: list[int], key: str) -> None:
        self.base, self.ids, self.key, self.reads, self.errors = base, ids, key, [], []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(n,)) for n in range(READERS)]

    def __enter__(self) -> "_Readers":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _run(self, seed: int) -> None:
        try:
            self._read(random.Random(seed))
        except Exception as error:  # reported by the test, not lost in a thread
            self.errors.append(error)

    def _read(self, draw: random.Random) -> None:
        while not self._stop.is_set():
            customer = draw.choice(self.ids)
            kind = draw.choice(("customer", "history", "statistics"))
            path = {
                "customer": f"/api/v1/customers/{customer}",
                "history": f"/api/v1/customers/{customer}/interactions?page_size=5",
                "statistics": "/api/v1/statistics/product-interactions",
            }[kind]
            self.reads.append((kind, customer, *_get(self.base + path, self.key)))


@pytest.mark.slow
def test_reads_stay_whole_and_fast_while_two_exports_load(database_url, tmp_path):
    old_export, new_export = _export(tmp_path / "a", 1), _export(tmp_path / "b", 2)
    engine = build_engine(database_url)
    repository = PostgresIngestionRepository(engine)
    assert ingest(read_source(old_export), repository).status == "succeeded"
    ids = random.Random(0).sample(range(1, CUSTOMERS + 1), 300)
    old_counts, old_total = _version_facts(database_url, ids)
    old_customers, port = _served_customers(database_url, ids), _free_port()

    log = (tmp_path / "gunicorn.log").open("w")
    server = _start_gunicorn(database_url, port, log)
    try:
        key = create_key_in(database_url, scopes="stats:read")
        with _Readers(f"http://127.0.0.1:{port}", ids, key) as readers:
            time.sleep(1)
            assert ingest(read_source(new_export), repository).status == "succeeded"
            new_counts, new_total = _version_facts(database_url, ids)
            in_both = old_customers & _served_customers(database_url, ids)
            assert ingest(read_source(old_export), repository).status == "succeeded"
            time.sleep(1)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        engine.dispose()

    assert not readers.errors
    assert new_total != old_total and len(in_both) > len(ids) // 2
    assert "Traceback" not in (tmp_path / "gunicorn.log").read_text()
    for kind, customer, status, body, total, _ in readers.reads:
        if kind == "statistics":
            assert status == 200, body
            assert body["totals"]["interactions"] in (old_total, new_total)
        elif customer in in_both:
            assert status == 200, (kind, customer, status, body)
        else:
            assert status in (200, 404), (kind, customer, status, body)
        if kind == "history" and status == 200:
            assert total in (old_counts[customer], new_counts[customer]), customer
    slowest = sorted((read[-1], read[0]) for read in readers.reads)[-3:]
    longest = ", ".join(f"{kind} {seconds * 1000:.0f} ms" for seconds, kind in reversed(slowest))
    print(f"\n{len(readers.reads)} reads during two loads; the longest: {longest}")
