"""Benchmark ingestion end to end against a plain COPY (ceiling) and DataFrame.to_sql (floor).

    python -m benchmarks.bench_ingest [--customers 100000] [--interactions 1000000]

Uses BENCH_DATABASE_URL (a role that may create databases) or an embedded server.
Each contender loads into its own fresh, migrated database. The end-to-end run happens
in a child process so its peak memory is measured on its own.
"""

import argparse
import io
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import psycopg

from pipelines.ingestion import synthetic
from pipelines.ingestion.cleaning import clean
from pipelines.ingestion.sources import read_source
from repository.embedded import (
    released_at_end,
    start_embedded_postgres,
    stop_on_termination_signals,
)
from repository.engine import build_engine, libpq_url
from repository.migrations import upgrade
from repository.scratch import DatabaseServer

MIGRATIONS = Path(__file__).resolve().parents[1] / "artifacts" / "migrations"
CLEAN_COLUMNS = ["occurred_at", "customer_id", "channel", "topic", "sentiment", "source_row"]


def end_to_end(url: str, folder: Path) -> dict:
    """Run `ingest` in a child process; return its timing and peak memory."""
    code = (
        "import json, sys, time\n"
        "from pipelines.ingestion import ingest\n"
        "from pipelines.ingestion.sources import read_source\n"
        "from repository.engine import build_engine\n"
        "from repository.ingestion import PostgresIngestionRepository\n"
        "start = time.perf_counter()\n"
        "source = read_source(__import__('pathlib').Path(sys.argv[2]))\n"
        "engine = build_engine(sys.argv[1], statement_timeout_ms=3_600_000)\n"
        "report = ingest(source, PostgresIngestionRepository(engine))\n"
        "seconds = time.perf_counter() - start\n"
        "print(json.dumps({'seconds': seconds, 'sheets': report.to_dict()['sheets']}))\n"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run(
        [sys.executable, "-c", code, url, str(folder)], capture_output=True, text=True, check=True
    )
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["peak_rss_mib"] = round(max(peak_kib, before) / 1024, 1)
    return result


def plain_copy(url: str, clean_csv: bytes) -> float:
    """Time a bare COPY of the already-clean interactions into an unindexed table."""
    with psycopg.connect(libpq_url(url)) as connection:
        connection.execute(
            "CREATE TABLE copy_ceiling (occurred_at timestamp, customer_id int, channel text, "
            "topic text, sentiment text, source_row int)"
        )
        start = time.perf_counter()
        with connection.cursor().copy(
            f"COPY copy_ceiling ({', '.join(CLEAN_COLUMNS)}) FROM STDIN (FORMAT csv)"
        ) as copy:
            copy.write(clean_csv)
        connection.commit()
        return time.perf_counter() - start


def naive_to_sql(url: str, frame: pd.DataFrame) -> float:
    """Time pandas' default to_sql (batched INSERTs) of the same clean rows."""
    engine = build_engine(url, statement_timeout_ms=3_600_000)
    start = time.perf_counter()
    frame.to_sql("to_sql_floor", engine, if_exists="fail", index=False, chunksize=10_000)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--floor-rows", type=int, default=200_000, help="rows for to_sql")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    stop_on_termination_signals()
    with (
        tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp,
        released_at_end(Path(tmp) / "pg"),
    ):
        admin = os.environ.get("BENCH_DATABASE_URL") or start_embedded_postgres(Path(tmp) / "pg")
        server = DatabaseServer(admin)
        folder = Path(tmp) / "data"
        started = time.perf_counter()
        dataset = synthetic.generate_dataset(args.customers, args.interactions, args.seed)
        synthetic.write_dataset(dataset, folder, "csv")
        generated_s = time.perf_counter() - started

        databases = [server.create(prefix="bench") for _ in range(3)]
        for url in databases:
            upgrade(url, MIGRATIONS)
        try:
            e2e = end_to_end(databases[0], folder)
            interactions = clean(read_source(folder).sheets).interactions[CLEAN_COLUMNS]
            buffer = io.StringIO()
            interactions.to_csv(buffer, header=False, index=False)
            copy_s = plain_copy(databases[1], buffer.getvalue().encode())
            floor_frame = interactions.iloc[: args.floor_rows]
            floor_s = naive_to_sql(databases[2], floor_frame)
        finally:
            server.drop_all()

    source_rows = sum(sheet["source_rows"] for sheet in e2e["sheets"].values())
    clean_rows = len(interactions)
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "data": f"{args.customers} customers, {args.interactions} interactions (seed {args.seed})",
        "generate_s": round(generated_s, 2),
        "end_to_end": {
            "seconds": round(e2e["seconds"], 2),
            "source_rows_per_s": round(source_rows / e2e["seconds"]),
            "peak_rss_mib": e2e["peak_rss_mib"],
        },
        "plain_copy_ceiling": {
            "seconds": round(copy_s, 2),
            "rows_per_s": round(clean_rows / copy_s),
        },
        "to_sql_floor": {
            "rows": len(floor_frame),
            "seconds": round(floor_s, 2),
            "rows_per_s": round(len(floor_frame) / floor_s),
        },
    }
    report["end_to_end_vs_copy"] = round(e2e["seconds"] / copy_s * clean_rows / source_rows, 2)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
