"""Campaigns end to end: API, real `insights worker` processes, PostgreSQL."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import SERVER_ENV, assert_error_shape, ingest_bundled_sample, query

BIN = Path(sys.executable).parent
FAST_RECOVERY = {"WORKER_HEARTBEAT_S": "0.5", "WORKER_STALLED_AFTER_S": "2",
                 "WORKER_RECOVER_EVERY_S": "0.5"}  # fmt: skip


def start_worker(database_url: str, **extra: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"DATABASE_URL": database_url, "LOG_FORMAT": "json", **SERVER_ENV,
                **FAST_RECOVERY, **extra})  # fmt: skip
    return subprocess.Popen([str(BIN / "insights"), "worker"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def wait_for(condition, timeout_s: float = 60.0):
    """Poll until ``condition()`` is truthy (a deadline, not a timed assertion)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met before the deadline")


def stop(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()


def status_of(url: str, campaign_id: int) -> str:
    return query(url, "SELECT status FROM insights.campaigns WHERE id = %s", (campaign_id,))[0][0]


def all_customers(url: str) -> set[int]:
    rows = query(url, "SELECT customer_id FROM insights.customers "
                 "UNION SELECT customer_id FROM insights.interactions")  # fmt: skip
    return {row[0] for row in rows}


@pytest.fixture
def sample(database_url):
    ingest_bundled_sample(database_url)
    return database_url


@pytest.mark.slow
class TestOneItemPerEligibleCustomer:
    def test_a_campaign_writes_every_eligible_customer_once_and_skips_opt_outs(
        self, client, sample
    ):
        opted = sorted(all_customers(sample))[:3]
        for customer_id in opted:
            query(sample, "INSERT INTO insights.opt_outs (customer_id, source) VALUES (%s, 'test') "
                  "RETURNING customer_id", (customer_id,))  # fmt: skip
        response = client.post("/api/v1/campaigns", json={"name": "all"})
        assert response.status_code == 202, response.get_json()
        body = response.get_json()
        assert body["excluded"]["opted_out"] == 3
        assert response.headers["Location"].endswith(f"/api/v1/campaigns/{body['campaign_id']}")
        worker = start_worker(sample)
        try:
            wait_for(lambda: status_of(sample, body["campaign_id"]) == "completed")
        finally:
            stop(worker)
        rows = query(sample, "SELECT customer_id, status, generation_id FROM "
                     "insights.campaign_items WHERE campaign_id = %s", (body["campaign_id"],))  # fmt: skip
        expected = all_customers(sample) - set(opted)
        assert sorted(row[0] for row in rows) == sorted(expected)
        assert {row[1] for row in rows} == {"written"}
        generations = query(sample, "SELECT count(*) FROM insights.generated_content g JOIN "
                            "insights.campaign_items i ON i.generation_id = g.id")  # fmt: skip
        assert generations[0][0] == len(expected)
