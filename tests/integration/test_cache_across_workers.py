"""Under gunicorn with two workers, no cached answer outlives the load that replaced its data."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from pipelines.ingestion import ingest, synthetic
from pipelines.ingestion.sources import read_source
from repository.engine import build_engine
from repository.ingestion import PostgresIngestionRepository
from tests.support import SERVER_ENV, create_key_in, ingest_bundled_sample, lease_holders, query
from tests.workers import wait_for

BIN = Path(sys.executable).parent
REDIS_URL = "redis://127.0.0.1:6379/0"
# Enough fresh connections that both workers answer each path, and cache it, many times.
READS_PER_PATH = 24


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(url: str, log_path: Path, **settings: str) -> Iterator[str]:
    """Serve the app with 2 workers x 2 threads; yield its base URL; SIGKILL it after."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING", "LOG_FORMAT": "json"}
    env.update({**SERVER_ENV, **settings})
    command = [str(BIN / "gunicorn"), "--config", "python:api.gunicorn_conf", "--bind",
               f"127.0.0.1:{port}", "--workers", "2", "--threads", "2", "api.wsgi:app"]  # fmt: skip
    with log_path.open("w") as log:
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(150):
                try:
                    urllib.request.urlopen(base + "/health/ready", timeout=5)
                    break
                except OSError:
                    time.sleep(0.2)
            yield base
        finally:
            server.kill()
            server.wait()


def read(base: str, path: str, key: str) -> tuple[dict, str]:
    """GET ``path`` on a fresh connection; return its JSON body and its data version."""
    request = urllib.request.Request(base + path, headers={"X-API-Key": key})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        return json.loads(response.read()), response.headers["X-Data-Version"]


def served(url: str) -> dict:
    """The served version's figures, counted straight from the tables."""
    interactions, reach = query(
        url, "SELECT count(*), count(DISTINCT customer_id) FROM insights.interaction_facts"
    )[0]
    (version,) = query(url, "SELECT version FROM insights.data_version")[0]
    return {"interactions": interactions, "reach": reach, "version": str(version)}


def answers(base: str, key: str) -> list[tuple[int, int, str]]:
    """(interactions, customers reached, version) as each read of each path tells them."""
    seen = []
    for _ in range(READS_PER_PATH):
        legacy, version = read(base, "/api/v1/stats/interactions", key)
        overview, overview_version = read(base, "/api/v1/statistics/overview", key)
        seen.append((legacy["rows"], overview["totals"]["customers"], version))
        seen.append((overview["totals"]["interactions"], overview["totals"]["customers"],
                     overview_version))  # fmt: skip
    return seen


@pytest.fixture(params=["memory", "redis"])
def cache_settings(request) -> Iterator[dict]:
    if request.param == "memory":
        yield {}
        return
    prefix = f"test-insights-{uuid.uuid4().hex}:"
    yield {"CACHE_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix}
    connection = redis.Redis.from_url(REDIS_URL)
    for key in connection.scan_iter(prefix + "*"):
        connection.delete(key)


class TestNoStaleReadAfterALoad:
    def test_both_workers_answer_the_new_data_once_the_load_commits(
        self, database_url, tmp_path, cache_settings
    ):
        ingest_bundled_sample(database_url)
        key = create_key_in(database_url)
        export = tmp_path / "export"
        synthetic.write_dataset(synthetic.generate_dataset(300, 4_000, 17), export, "csv")
        with gunicorn(database_url, tmp_path / "gunicorn.log", **cache_settings) as base:
            before = served(database_url)
            assert set(answers(base, key)) == {
                (before["interactions"], before["reach"], before["version"])
            }

            # Both workers hold the version the load must take from them (on by default):
            # each takes its lease on its first /api/v1 request. Requests go out eight at
            # a time, so that one worker cannot take them all.
            def both_hold_leases():
                with ThreadPoolExecutor(8) as pool:
                    list(pool.map(lambda _: read(base, "/api/v1/stats/interactions", key),
                                  range(8)))  # fmt: skip
                return lease_holders(database_url) == 2

            wait_for(both_hold_leases, timeout_s=30)
            engine = build_engine(database_url)
            try:
                ingest(read_source(export), PostgresIngestionRepository(engine))
            finally:
                engine.dispose()
            after = served(database_url)
            assert after["interactions"] != before["interactions"]
            assert set(answers(base, key)) == {
                (after["interactions"], after["reach"], after["version"])
            }
        assert "Traceback" not in (tmp_path / "gunicorn.log").read_text()
