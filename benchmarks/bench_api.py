"""Benchmark the API under gunicorn with 1,000,000 interactions loaded, against hello-world.

    python -m benchmarks.bench_api [--interactions 1000000] [--baseline-tree DIR]
    python -m benchmarks.bench_api --only research [--loaded-database URL]

Loads a generated data set into a fresh database (BENCH_DATABASE_URL or an embedded
server) and serves, each under gunicorn with 2 workers x 2 threads on 127.0.0.1: a
hello-world Flask app (the ceiling), the app with its response cache, the app with the
cache off (CACHE_MAX_MB=0: every answer computed, the cold figures), and with
``--baseline-tree DIR`` (a checkout of an earlier commit, e.g. ``git archive main``)
that tree's app over its own copy of the rows (the before figures). Each case of issue
17's table is measured at concurrency 1 (p50, p99) and 32 (requests/s, failures, as wrk
would), the server drained before each. The c=32 client is wrk when it is on PATH
(benchmarks/wrk_driver.py), else benchmarks/load_driver.py's Python processes.
``--only research`` runs issue 16's cases alone (benchmarks/research_cases.py);
``--loaded-database URL`` serves a database already loaded instead of generating one.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg

from benchmarks import load_driver, wrk_driver
from benchmarks.load_driver import drained, p50
from benchmarks.research_cases import research_cases
from pipelines.ingestion import ingest, synthetic
from pipelines.ingestion.sources import read_source
from repository.api_keys_postgres import PostgresApiKeyRepository
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
            # Named per run: a --loaded-database keeps the keys of earlier runs.
            PostgresApiKeyRepository(engine, pepper)
            .create(f"bench-{time.time_ns()}", ("admin",), None, None)
            .secret
        )
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(
    app: str,
    url: str,
    workers: int,
    key: str,
    tree: Path | None = None,
    probe: str = "/api/v1/statistics/product-interactions",
    extra_env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen, str]:
    """Start gunicorn for ``app`` (imported from ``tree`` if given) and wait until it answers."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING", "LOG_FORMAT": "json"}
    env.update(SERVER_ENV)
    env.update(extra_env or {})
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
            timed_get(base + probe, key)
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


def load(url: str, folder: Path) -> None:
    """Ingest the CSV export in ``folder`` into the database at ``url``."""
    engine = build_engine(url, statement_timeout_ms=3_600_000)
    ingest(read_source(folder), PostgresIngestionRepository(engine))
    engine.dispose()


def sample_customer_ids(url: str, n: int) -> list[int]:
    """Return ``n`` random customer ids to request."""
    with psycopg.connect(libpq_url(url)) as connection:
        rows = connection.execute(
            "SELECT customer_id FROM insights.customers ORDER BY random() LIMIT %s", (n,)
        )
        return [row[0] for row in rows]


STATISTICS = "/api/v1/statistics"


def read_cases(ids: list[int], n: int) -> dict[str, tuple[list[str], list[str]]]:
    """Issue 17's table: name -> (paths sent at c=1, paths cycled at c=32).

    Every path of a list is the same request, or (``cold``) each a different filter
    combination, so that a cache cannot answer it.
    """
    pi, overview = f"{STATISTICS}/product-interactions", f"{STATISTICS}/overview"
    channels = ("Email", "Call", "Chatbot", "Post", "Bird", "Boat")
    cold_overview = [
        f"{overview}?from=20{20 + i % 4}-{1 + i % 12:02d}-{1 + i % 27:02d}"
        f"&to=2024-{1 + i % 12:02d}-{2 + i % 26:02d}&channel={channels[i % 6]}"
        + ("&customer_type=Red" if i % 2 else "")
        for i in range(n)
    ]
    cold_range = [
        f"{pi}?from=2022-{1 + i % 9:02d}-{1 + i % 27:02d}&to=2022-{4 + i % 9:02d}-{1 + i % 27:02d}"
        for i in range(n)
    ]
    customer = [f"/api/v1/customers/{ids[i % len(ids)]}" for i in range(n)]
    return {
        "statistics/overview": ([overview] * n, [overview]),
        "statistics/overview, cold, filters vary": (cold_overview, cold_overview),
        "stats/interactions (legacy)": (["/api/v1/stats/interactions"] * n,) * 2,
        "statistics/product-interactions": ([pi] * n, [pi]),
        "same, 3-month range": ([cold_range[0]] * n, [cold_range[0]]),
        "same, 3-month range, cold, dates vary": (cold_range, cold_range),
        "customers/<id>": (customer, customer),
        "customers/<id>/interactions": ([p + "/interactions" for p in customer],) * 2,
        "customers?type=Red&page=3": (["/api/v1/customers?type=Red&page=3"] * n,) * 2,
        "generate-content/<id> (mock)": ([f"/api/v1/generate-content/{i}" for i in ids[:n]],) * 2,
    }


def run_cases(
    base: str, key: str, cases: dict[str, tuple[list[str], list[str]]], seconds: float
) -> dict[str, dict]:
    """Warm each case, then measure c=1 and c=32, letting the server drain before each."""
    headers = {"X-API-Key": key}
    results = {}
    for name, (solo, crowd) in cases.items():
        cold = "cold" in name
        if not cold:  # the cached figures: every distinct request answered once already
            for path in dict.fromkeys(solo + crowd):
                timed_get(base + path, key)
        drained(base)
        results[name] = p50(base, solo, headers)
        drained(base)
        results[name] |= crowd_throughput(base, crowd, headers, seconds)
        print(f"  {name}: {results[name]}", file=sys.stderr)  # noqa: T201 # progress of a long run
    return results


def crowd_throughput(base: str, paths: list[str], headers: dict, seconds: float) -> dict:
    """Measure c=32 with wrk where installed, else with the Python driver."""
    if wrk_driver.available():
        return wrk_driver.throughput(base, paths, headers, seconds)
    return load_driver.throughput(base, paths, headers, seconds) | {"c32_driver": "python"}


def prepared_database(server: DatabaseServer, data: Path, tree: Path | None = None) -> str:
    """A migrated database (``tree``'s migrations if given) holding the generated rows."""
    url = server.create(prefix="bench_api")
    upgrade(url, (tree / "artifacts" / "migrations") if tree else MIGRATIONS)
    started = time.perf_counter()
    if tree is None:
        load(url, data)
    else:  # with that tree's own loader, which matches its migrations
        code = "import sys; from pathlib import Path; from benchmarks.bench_api import load; "
        code += "load(sys.argv[1], Path(sys.argv[2]))"
        env = {**os.environ, "PYTHONPATH": str(tree)}
        subprocess.run([sys.executable, "-c", code, url, str(data)], check=True, cwd=tree, env=env)
    print(f"loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)  # noqa: T201
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="c=1 requests per case")
    parser.add_argument("--seconds", type=float, default=5.0, help="c=32 duration per case")
    parser.add_argument("--baseline-tree", type=Path, help="Also serve this tree's app (before).")
    parser.add_argument("--only", choices=("research",), help="Only issue 16's cases (c=1).")
    parser.add_argument("--loaded-database", help="Serve this loaded database; generate none.")
    args = parser.parse_args()
    research_only = args.only == "research"

    stop_on_termination_signals()
    with (
        tempfile.TemporaryDirectory(prefix="bench-api-") as tmp,
        released_at_end(Path(tmp) / "pg"),
    ):
        admin = os.environ.get("BENCH_DATABASE_URL") or start_embedded_postgres(Path(tmp) / "pg")
        server = DatabaseServer(admin)
        processes: list[subprocess.Popen] = []
        results: dict[str, dict] = {}
        try:
            data = Path(tmp) / "data"
            url = args.loaded_database
            if url is None:
                dataset = synthetic.generate_dataset(args.customers, args.interactions, 7)
                synthetic.write_dataset(dataset, data, "csv")
                url = prepared_database(server, data)
            ids, key = sample_customer_ids(url, 200), create_key(url)
            cases = {} if research_only else read_cases(ids, args.requests)
            if not research_only:
                hello, hello_base = serve("benchmarks.hello_app:app", url, 2, key, probe="/hello")
                processes.append(hello)
                results["hello-world (ceiling)"] = run_cases(
                    hello_base, key, {"": (["/hello"] * args.requests, ["/hello"])}, args.seconds
                )[""]
            contenders = {"after, cached": {}, "after, cache off": {"CACHE_MAX_MB": "0"}}
            for label, env in contenders.items():
                app, base = serve("api.wsgi:app", url, 2, key, extra_env=env)
                processes.append(app)
                results.update(_labelled(label, run_cases(base, key, cases, args.seconds)))
                drained(base)
                results.update(_labelled(label, research_cases(base, key, args.requests)))
            if args.baseline_tree is not None:
                earlier_url = prepared_database(server, data, args.baseline_tree)
                earlier_key = create_key(earlier_url)
                earlier, earlier_base = serve(
                    "api.wsgi:app", earlier_url, 2, earlier_key, args.baseline_tree
                )
                processes.append(earlier)
                measured = run_cases(earlier_base, earlier_key, cases, args.seconds)
                results.update(_labelled("before", measured))
                # Research and queries computed afresh, as the "after, cache off" ones are.
                uncached, uncached_base = serve(
                    "api.wsgi:app", earlier_url, 2, earlier_key, args.baseline_tree,
                    extra_env={"CACHE_MAX_MB": "0"},
                )  # fmt: skip
                processes.append(uncached)
                research = research_cases(uncached_base, earlier_key, args.requests)
                results.update(_labelled("before, cache off", research))
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=30)
            server.drop_all()

    report = {
        "data": f"{args.customers} customers, {args.interactions} interactions"
        if args.loaded_database is None
        else "the --loaded-database given",
        "server": "gunicorn, 2 workers x 2 threads, 127.0.0.1",
        "c32_driver": "wrk, 2 threads x 32 connections"
        if wrk_driver.available()
        else "Python, 4 processes x 8 threads",
        "load_average_at_end": os.getloadavg(),
        "results": results,
    }
    print(json.dumps(report, indent=2))  # noqa: T201 # the benchmark's report


def _labelled(label: str, results: dict[str, dict]) -> dict[str, dict]:
    return {f"{label}: {name}": figures for name, figures in results.items()}


if __name__ == "__main__":
    main()
