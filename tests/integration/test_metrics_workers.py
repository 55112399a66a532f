"""/metrics under gunicorn with two workers: a scrape of either counts both workers' requests."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support import SERVER_ENV, create_key_in

BIN = Path(sys.executable).parent
REQUESTS = 120
ROUTE = "/health/live"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen, deadline_s: float = 60) -> None:
    give_up = time.monotonic() + deadline_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if server.poll() is not None or time.monotonic() > give_up:
                raise
            time.sleep(0.2)


def _worker_pids(folder: Path, kind: str) -> set[str]:
    return {path.stem.rpartition("_")[2] for path in folder.glob(f"{kind}_*.db")}


def _wait_for_two_workers(folder: Path, server: subprocess.Popen, deadline_s: float = 60) -> None:
    """Wait until both workers have loaded the app (each then has a gauge file of its own)."""
    give_up = time.monotonic() + deadline_s
    while len(_worker_pids(folder, "gauge_livesum")) < 2:
        assert server.poll() is None and time.monotonic() < give_up, "a worker did not start"
        time.sleep(0.2)


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status


def _live_count(base: str, key: str) -> float:
    request = urllib.request.Request(base + "/metrics", headers={"X-API-Key": key})
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "insights_http_request_seconds_count"
        and sample.labels.get("route") == ROUTE
    )


@pytest.mark.slow
def test_counts_from_two_workers_add_up_in_every_scrape(database_url, tmp_path):
    port, folder = _free_port(), tmp_path / "metrics"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(SERVER_ENV, DATABASE_URL=database_url, LOG_FORMAT="json",
               PROMETHEUS_MULTIPROC_DIR=str(folder))  # fmt: skip
    command = [str(BIN / "gunicorn"), "--config", "python:api.gunicorn_conf", "--bind",
               f"127.0.0.1:{port}", "--workers", "2", "api.wsgi:app"]  # fmt: skip
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/health/ready", server)
        _wait_for_two_workers(folder, server)
        key = create_key_in(database_url, "prometheus")
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(_get, [base + ROUTE] * REQUESTS))
        assert statuses == [200] * REQUESTS
        # Each worker writes files of its own, named after its pid.
        assert len(_worker_pids(folder, "histogram")) == 2
        # Scrapes land on either worker; each must count every request of both.
        counts = {_live_count(base, key) for _ in range(6)}
        assert counts == {REQUESTS}
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
