"""Real `insights worker` processes for tests: start, wait for a state, stop."""

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.support import SERVER_ENV, query

BIN = Path(sys.executable).parent
# Heartbeats and recovery fast enough that a killed worker's job is requeued in seconds.
FAST_RECOVERY = {
    "WORKER_HEARTBEAT_S": "0.5",
    "WORKER_STALLED_AFTER_S": "2",
    "WORKER_RECOVER_EVERY_S": "0.5",
}


def start_worker(database_url: str, **extra: str) -> subprocess.Popen:
    """Start `insights worker` on ``database_url`` with ``extra`` settings."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"DATABASE_URL": database_url, "LOG_FORMAT": "json", **SERVER_ENV, **FAST_RECOVERY})
    env.update(extra)
    return subprocess.Popen(
        [str(BIN / "insights"), "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(condition, timeout_s: float = 60.0, poll_s: float = 0.2):
    """Poll until ``condition()`` is truthy (a deadline against hangs, not a timed assertion)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll_s)
    raise AssertionError("condition not met before the deadline")


def stop(worker: subprocess.Popen) -> None:
    """Stop a worker as a service manager would (SIGTERM), killing it if it hangs."""
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()


def status_of(url: str, campaign_id: int) -> str:
    """Return a campaign's status, read straight from the database."""
    sql = "SELECT status FROM insights.campaigns WHERE id = %s"
    return query(url, sql, (campaign_id,))[0][0]


def run_to_completion(url: str, campaign_id: int, **env: str) -> None:
    """Run a worker until the campaign leaves queued/running, then stop it."""
    worker = start_worker(url, **env)
    try:
        wait_for(lambda: status_of(url, campaign_id) not in ("queued", "running"))
    finally:
        stop(worker)
