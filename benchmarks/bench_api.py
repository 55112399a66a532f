"""Benchmark the API under gunicorn with 1,000,000 interactions loaded, against a naive baseline.

    python -m benchmarks.bench_api [--interactions 1000000] [--customers 100000]

Loads a generated data set into a fresh database (BENCH_DATABASE_URL or an embedded
server), starts the real app and the pandas baseline (benchmarks/naive_app.py) under
gunicorn on 127.0.0.1, and sends each endpoint a fixed number of requests at a fixed
concurrency from a thread pool. Reports p50 and p99 latency per endpoint. The content
endpoints (issue 5) run at concurrency 8 with the mock model; the rest at 4.

Issue 12 adds the content endpoints at concurrency 1: generate-content, a cached summary
(every customer's summary written once beforehand) and an uncached one (?refresh=true).
With ``--baseline-tree DIR`` (a checkout of an earlier commit, e.g. ``git archive
33c7b10``), that tree's app is served from the same database and measured alike.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

from pipelines.ingestion import ingest, synthetic
from pipelines.ingestion.sources import read_source
from repository.api_keys import PostgresApiKeyRepository
from repository.embedded import (
    released_at_end,
    start_embedded_postgres,
    stop_on_termination_signals,
)
from repository.engine import build_engine, libpq_url
from repository.ingestion import PostgresIngestionRepository
from repository.migrations import upgrade
from repository.scratch import DatabaseServer

MIGRATIONS = Path(__file__).resolve().parents[1] / "artifacts" / "migrations"
CONCURRENCY = 4
CONTENT_CONCURRENCY = 8
# The served app checks keys and limits like any deployment; the limits are set above what
# the benchmark sends, so it measures the endpoints, not the limiter's refusals.
SERVER_ENV = {
    "API_KEY_PEPPER": "bench-api-pepper",
    "RATE_LIMIT_DEFAULT": "1000000/minute",
    "RATE_LIMIT_CONTENT": "1000000/minute",
}


def create_key(url: str) -> str:
    """Create an admin key in the benchmark database, as `insights keys create` would."""
    engine = build_engine(url)
    try:
        pepper = SERVER_ENV["API_KEY_PEPPER"].encode()
        return (
            PostgresApiKeyRepository(engine, pepper).create("bench", ("admin",), None, None).secret
        )
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(
    app: str, url: str, workers: int, key: str, tree: Path | None = None
) -> tuple[subprocess.Popen, str]:
    """Start gunicorn for ``app`` (imported from ``tree`` if given) and wait until it answers."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING", "LOG_FORMAT": "json"}
    env.update(SERVER_ENV)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
        env["ARTIFACTS_DIR"] = str(tree / "artifacts")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "python:api.gunicorn_conf",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", "2", app],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        cwd=tree,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            timed_get(base + "/api/v1/statistics/product-interactions", key)
            return server, base
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"{app} did not start")


def timed_get(url: str, key: str) -> float:
    start = time.perf_counter()
    request = urllib.request.Request(url, headers={"X-API-Key": key})
    with urllib.request.urlopen(request, timeout=120) as response:  # nosec B310 # the URL is http://127.0.0.1 on a port this benchmark chose
        response.read()
        assert response.status == 200, url
    return (time.perf_counter() - start) * 1000


def measure(urls: list[str], key: str, concurrency: int = CONCURRENCY) -> dict:
    """Send every URL once, ``concurrency`` at a time; return latency percentiles in ms."""
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = sorted(pool.map(timed_get, urls, [key] * len(urls)))
    return {
        "requests": len(latencies),
        "concurrency": concurrency,
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1),
    }


def load(url: str, folder: Path) -> None:
    """Ingest the CSV export in ``folder`` into the database at ``url``."""
    engine = build_engine(url, statement_timeout_ms=3_600_000)
    ingest(read_source(folder), PostgresIngestionRepository(engine))
    engine.dispose()


def baseline_database(server: DatabaseServer, tree: Path, folder: Path) -> str:
    """A database with ``tree``'s own migrations and the same rows, for ``tree``'s app.

    An earlier tree cannot share the current database: it would write generated content
    without the columns later migrations made mandatory.
    """
    url = server.create(prefix="bench_api_baseline")
    upgrade(url, tree / "artifacts" / "migrations")
    load(url, folder)
    return url


def sample_customer_ids(url: str, n: int) -> list[int]:
    """Return ``n`` random customer ids to request."""
    with psycopg.connect(libpq_url(url)) as connection:
        rows = connection.execute(
            "SELECT customer_id FROM insights.customers ORDER BY random() LIMIT %s", (n,)
        )
        return [row[0] for row in rows]


def solo_content_cases(base: str, ids: list[int], n: int, key: str, label: str = "") -> dict:
    """The content endpoints at concurrency 1 (issue 12), summaries written once first."""
    for customer_id in ids:  # the cached case then reads stored summaries only
        timed_get(f"{base}/api/v1/summarized_interactions/{customer_id}", key)
    summary = [f"{base}/api/v1/summarized_interactions/{ids[i % len(ids)]}" for i in range(n)]
    cases = {
        "generate-content/<id> (mock, c=1)": [
            f"{base}/api/v1/generate-content/{ids[i % len(ids)]}" for i in range(n)
        ],
        "summarized_interactions/<id> cached (c=1)": summary,
        "summarized_interactions/<id>?refresh=true (mock, c=1)": [
            url + "?refresh=true" for url in summary
        ],
    }
    return {label + name: measure(urls, key, 1) for name, urls in cases.items()}


# --- issue 16: the research assistant and the semantic query layer, concurrency 1 -------
RESEARCH_QUESTIONS = (
    "How many negative email interactions did Red customers have about drug efficacy in 2020?",
    "Which product was discussed most with Blue customers in Q1 2021?",
    "What are the top 3 topics in 2022?",
    "Compare email vs call interactions in 2021",
    "Monthly interactions in 2020",
    "What share of Red customers' interactions were negative in 2023?",
    "Which channel did Orange customers use least between 2020-01-01 and 2020-06-30?",
    "How many phone calls in the last 6 months?",
)
# Served from the rollups: the daily product x type one, and the monthly one (whole months).
ROLLUP_QUERIES = (
    {"dimensions": ["product"], "time": {"from": "2020-01-01", "to": "2020-12-31"},
     "filters": [{"dimension": "customer_type", "op": "equals", "values": ["Red"]}]},
    {"dimensions": ["channel"], "time": {"granularity": "quarter", "from": "2021-01-01",
     "to": "2021-12-31"}, "filters": [{"dimension": "sentiment", "values": ["Negative"]}]},
)  # fmt: skip


def timed_post(url_and_body: tuple[str, dict], key: str) -> float:
    """POST a JSON body; return the latency in ms."""
    url, body = url_and_body
    start = time.perf_counter()
    headers = {"X-API-Key": key, "Content-Type": "application/json"}
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    with urllib.request.urlopen(request, timeout=120) as response:  # nosec B310 # http://127.0.0.1, a port this benchmark chose
        response.read()
        assert response.status == 200, url
    return (time.perf_counter() - start) * 1000


def research_cases(base: str, key: str, n: int) -> dict:
    """POST /research (mock) and rollup-served POST /query, c=1, after one warm-up each."""
    cases = {
        "research (mock, c=1)": [
            (
                f"{base}/api/v1/research",
                {"question": RESEARCH_QUESTIONS[i % len(RESEARCH_QUESTIONS)]},
            )
            for i in range(n)
        ],
        "query, daily rollup (c=1)": [(f"{base}/api/v1/query", ROLLUP_QUERIES[0])] * n,
        "query, monthly rollup (c=1)": [(f"{base}/api/v1/query", ROLLUP_QUERIES[1])] * n,
    }
    results = {}
    for name, requests in cases.items():
        for request in requests[: len(RESEARCH_QUESTIONS)]:  # warm pools and caches
            timed_post(request, key)
        latencies = sorted(timed_post(request, key) for request in requests)
        results[name] = {
            "requests": len(latencies),
            "concurrency": 1,
            "p50_ms": round(statistics.median(latencies), 1),
            "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1),
        }
    return results


# --- end of issue 16's block ----------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--baseline-requests", type=int, default=8)
    parser.add_argument("--baseline-tree", type=Path, help="Also serve this tree's app.")
    parser.add_argument("--only-content", action="store_true", help="Skip the other cases.")
    parser.add_argument("--only-research", action="store_true", help="Issue 16's cases only.")
    args = parser.parse_args()

    stop_on_termination_signals()
    with (
        tempfile.TemporaryDirectory(prefix="bench-api-") as tmp,
        released_at_end(Path(tmp) / "pg"),
    ):
        admin = os.environ.get("BENCH_DATABASE_URL") or start_embedded_postgres(Path(tmp) / "pg")
        server = DatabaseServer(admin)
        url = server.create(prefix="bench_api")
        processes = []
        try:
            upgrade(url, MIGRATIONS)
            data = Path(tmp) / "data"
            dataset = synthetic.generate_dataset(args.customers, args.interactions, 7)
            synthetic.write_dataset(dataset, data, "csv")
            load(url, data)
            ids = sample_customer_ids(url, 200)
            key = create_key(url)
            app, base = serve("api.wsgi:app", url, workers=2, key=key)
            processes = [app]
            if args.baseline_tree is not None:
                earlier_url = baseline_database(server, args.baseline_tree, data)
                earlier, earlier_base = serve(
                    "api.wsgi:app", earlier_url, 2, "", args.baseline_tree
                )
                processes.append(earlier)
            naive, naive_base = serve("benchmarks.naive_app:app", url, workers=2, key=key)
            processes.append(naive)
            pi = "/api/v1/statistics/product-interactions"
            n = args.requests
            cases = {
                "product-interactions (no filter)": [base + pi] * n,
                "product-interactions (date range)": [
                    f"{base}{pi}?from=2020-{1 + i % 12:02d}-{1 + i % 27:02d}"
                    f"&to=2023-{1 + i % 12:02d}-15"
                    for i in range(n)
                ],
                "customers/<id>": [
                    f"{base}/api/v1/customers/{ids[i % len(ids)]}" for i in range(n)
                ],
                "customers/<id>/interactions": [
                    f"{base}/api/v1/customers/{ids[i % len(ids)]}/interactions" for i in range(n)
                ],
                "customers?type=Red (page 3)": [f"{base}/api/v1/customers?type=Red&page=3"] * n,
                "naive pandas baseline (no filter)": [naive_base + pi] * args.baseline_requests,
            }
            content_cases = {
                "generate-content/<id> (mock)": [
                    f"{base}/api/v1/generate-content/{ids[i % len(ids)]}" for i in range(n)
                ],
                "summarized_interactions/<id> (mock)": [
                    f"{base}/api/v1/summarized_interactions/{ids[i % len(ids)]}" for i in range(n)
                ],
            }
            if args.only_content:
                cases = {}
            if args.only_research:  # issue 16
                cases, content_cases = {}, {}
            for urls in [*cases.values(), *content_cases.values()]:  # warm caches and pools
                timed_get(urls[0], key)
            results = {name: measure(urls, key) for name, urls in cases.items()}
            for name, urls in content_cases.items():
                results[name] = measure(urls, key, CONTENT_CONCURRENCY)
            # Interleaved, so that the machine's other load falls on both trees alike.
            results.update(solo_content_cases(base, ids, n, key))
            results.update(research_cases(base, key, n))  # issue 16
            if args.baseline_tree is not None:
                results.update(solo_content_cases(earlier_base, ids, n, key, "baseline tree: "))
                results.update(solo_content_cases(base, ids, n, key, "again: "))
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=30)
            server.drop_all()

    report = {
        "data": f"{args.customers} customers, {args.interactions} interactions",
        "server": "gunicorn, 2 workers x 2 threads, 127.0.0.1",
        "results": results,
    }
    if not args.only_content and not args.only_research:
        fast = results["product-interactions (no filter)"]["p50_ms"]
        slow = results["naive pandas baseline (no filter)"]["p50_ms"]
        report["baseline_p50_over_rollup_p50"] = round(slow / fast, 1)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
