"""Benchmark the console's first render of each page at 1,000,000 interactions (issue 20).

    python -m benchmarks.bench_console [--interactions 1000000] [--customers 100000]

Loads a generated data set into a fresh database (BENCH_DATABASE_URL or an embedded
server), builds the app in this process and measures server time (the WSGI call, no
network) of each page's first render after the app starts, then the median of five more.
Beside each page: issue 20's target (200 ms) and, for the dashboard, the two API calls it
replaces (product interactions and timeseries, response cache off), measured in the same
run on the same data.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from api import create_app
from api.startup import compile_console_templates
from benchmarks.bench_api import create_key, load, sample_customer_ids
from pipelines.ingestion import synthetic
from repository.embedded import (
    released_at_end,
    start_embedded_postgres,
    stop_on_termination_signals,
)
from repository.migrations import upgrade
from repository.scratch import DatabaseServer

MIGRATIONS = Path(__file__).resolve().parents[1] / "artifacts" / "migrations"
TARGET_MS = 200.0
PEPPER = "bench-api-pepper"  # the pepper create_key uses


def timed(client, path: str, **kwargs) -> float:
    """Return the milliseconds one request takes inside the server."""
    started = time.perf_counter()
    response = client.get(path, **kwargs)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (path, response.status_code)
    return elapsed


def signed_in(app, key: str):
    """Return a test client signed in to the console."""
    import re

    client = app.test_client()
    page = client.get("/console/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    client.post("/console/sign-in", data={"api_key": key, "csrf_token": token.group(1)})
    return client


def measure(url: str, key: str, customer_id: int) -> list[tuple[str, float, float]]:
    """Return (page, first ms, median of 5 ms) for each console page and the API baseline."""
    app = create_app({"DATABASE_URL": url, "API_KEY_PEPPER": PEPPER, "CACHE_MAX_MB": 0,
                      "RATE_LIMIT_DEFAULT": "1000000/minute"})  # fmt: skip
    with app.app_context():
        compile_console_templates()  # as every serving process does before its first request
    browser = signed_in(app, key)
    api = app.test_client()
    header = {"headers": {"X-API-Key": key}}
    filtered = "channel=Email&from=2022-01-01&to=2023-12-31"
    cases = [
        ("console: dashboard", browser, "/console", {}),
        ("console: dashboard, filtered", browser, f"/console?{filtered}&group_by=topic", {}),
        ("console: customer page", browser, f"/console/customers/{customer_id}", {}),
        ("console: research page", browser, "/console/research", {}),
        ("console: campaigns page", browser, "/console/campaigns", {}),
        ("api: product-interactions", api, "/api/v1/statistics/product-interactions", header),
        ("api: timeseries by channel", api,
         "/api/v1/statistics/timeseries?group_by=channel", header),
    ]  # fmt: skip
    results = []
    for name, client, path, kwargs in cases:
        first = timed(client, path, **kwargs)
        again = statistics.median(timed(client, path, **kwargs) for _ in range(5))
        results.append((name, first, again))
    app.extensions["insights"]["repositories"].close()
    return results


def report(results: list[tuple[str, float, float]], interactions: int) -> None:
    """Print the figures beside the target."""
    print(f"\nconsole pages at {interactions:,} interactions (server time, ms)")  # noqa: T201
    print(f"{'page':34} {'first':>8} {'median':>8} {'target':>8}")  # noqa: T201
    for name, first, again in results:
        target = f"{TARGET_MS:.0f}" if name.startswith("console") else "-"
        print(f"{name:34} {first:8.1f} {again:8.1f} {target:>8}")  # noqa: T201


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    args = parser.parse_args()
    stop_on_termination_signals()
    with (
        tempfile.TemporaryDirectory(prefix="bench-console-") as tmp,
        released_at_end(Path(tmp) / "pg"),
    ):
        admin = os.environ.get("BENCH_DATABASE_URL") or start_embedded_postgres(Path(tmp) / "pg")
        server = DatabaseServer(admin)
        url = server.create(prefix="bench_console")
        try:
            upgrade(url, MIGRATIONS)
            data = Path(tmp) / "data"
            dataset = synthetic.generate_dataset(args.customers, args.interactions, 7)
            synthetic.write_dataset(dataset, data, "csv")
            started = time.perf_counter()
            load(url, data)
            print(f"loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)  # noqa: T201
            results = measure(url, create_key(url), sample_customer_ids(url, 1)[0])
            report(results, args.interactions)
        finally:
            server.drop(url)


if __name__ == "__main__":
    main()
