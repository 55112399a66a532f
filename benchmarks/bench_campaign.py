"""Benchmark campaigns: drafts per second end to end against one generate-content call each.

    python -m benchmarks.bench_campaign [--customers 100000] [--interactions 1000000]

Loads a generated data set into a fresh database (BENCH_DATABASE_URL or an embedded
server), starts the service as `make run` does (`insights run`: the development server
and WORKER_PROCESSES worker processes beside it, mock model), then in the same run:

- naive: GET /api/v1/generate-content/<id> for ``--naive`` customers, one after the other;
- campaign: POST /api/v1/campaigns for every customer, then GET it until it completes.

Both rates are drafts stored per second of wall-clock time as a client sees it.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks.bench_api import SERVER_ENV, create_key, free_port, load, sample_customer_ids
from pipelines.ingestion import synthetic
from repository.embedded import (
    released_at_end,
    start_embedded_postgres,
    stop_on_termination_signals,
)
from repository.migrations import upgrade
from repository.scratch import DatabaseServer

MIGRATIONS = Path(__file__).resolve().parents[1] / "artifacts" / "migrations"


def call(method: str, url: str, key: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={
        "X-API-Key": key, "Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=120) as response:  # nosec B310 # http://127.0.0.1, a port this benchmark chose
        return json.loads(response.read())


def serve_like_make_run(url: str, data_dir: Path, key: str) -> tuple[subprocess.Popen, str]:
    """Start `insights run` (API + its worker processes) and wait until it answers."""
    port = free_port()
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": url, "LOG_LEVEL": "WARNING",
           "LOG_FORMAT": "json", "LOCAL_DATA_DIR": str(data_dir)}  # fmt: skip
    command = [sys.executable, "-c", "from api.commands import cli; cli()", "run",
               "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            call("GET", base + "/health/live", key)
            return server, base
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("insights run did not start")


def naive(base: str, key: str, ids: list[int]) -> dict:
    """One generate-content call per customer, in sequence."""
    started = time.perf_counter()
    for customer_id in ids:
        call("GET", f"{base}/api/v1/generate-content/{customer_id}", key)
    seconds = time.perf_counter() - started
    return {
        "drafts": len(ids),
        "seconds": round(seconds, 2),
        "drafts_per_s": round(len(ids) / seconds, 1),
    }


def campaign(base: str, key: str) -> dict:
    """A campaign over every customer, timed from the POST until it is completed."""
    started = time.perf_counter()
    created = call("POST", f"{base}/api/v1/campaigns", key, {"name": "bench"})
    while True:
        state = call("GET", f"{base}/api/v1/campaigns/{created['campaign_id']}", key)
        if state["status"] not in ("queued", "running"):
            break
        time.sleep(0.5)
    seconds = time.perf_counter() - started
    drafts = sum(state["counts"].get(s, 0) for s in ("written", "approved", "rejected"))
    return {"status": state["status"], "recipients": state["recipients"], "drafts": drafts,
            "counts": state["counts"], "seconds": round(seconds, 2),
            "drafts_per_s": round(drafts / seconds, 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--naive", type=int, default=1_000, help="Customers of the naive way.")
    args = parser.parse_args()
    stop_on_termination_signals()
    with (
        tempfile.TemporaryDirectory(prefix="bench-campaign-") as tmp,
        released_at_end(Path(tmp) / "pg"),
    ):
        admin = os.environ.get("BENCH_DATABASE_URL") or start_embedded_postgres(Path(tmp) / "pg")
        server = DatabaseServer(admin)
        url = server.create(prefix="bench_campaign")
        process = None
        try:
            upgrade(url, MIGRATIONS)
            data = Path(tmp) / "data"
            synthetic.write_dataset(
                synthetic.generate_dataset(args.customers, args.interactions, 7), data, "csv"
            )
            load(url, data)
            key = create_key(url)
            process, base = serve_like_make_run(url, Path(tmp) / "local", key)
            results = {
                "naive generate-content, in sequence": naive(
                    base, key, sample_customer_ids(url, args.naive)
                ),
                "campaign (insights run's workers)": campaign(base, key),
            }
            ratio = results["campaign (insights run's workers)"]["drafts_per_s"] / results[
                "naive generate-content, in sequence"]["drafts_per_s"]  # fmt: skip
            results["campaign / naive"] = round(ratio, 1)
            print(json.dumps({"customers": args.customers, "interactions": args.interactions,
                              "results": results}, indent=2))  # fmt: skip
        finally:
            if process is not None:
                process.terminate()
                process.wait(timeout=60)
            server.drop(url)


if __name__ == "__main__":
    main()
