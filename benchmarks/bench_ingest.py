"""Benchmark ingestion of CSV and .xlsx end to end against a plain COPY and calamine's bare read.

    python -m benchmarks.bench_ingest [--customers 100000] [--interactions 1000000]
        [--baseline-ref main] [--data-dir DIR] [--only csv|xlsx] [--repeat 3]

Uses BENCH_DATABASE_URL (a role that may create databases) or an embedded server. Each
contender loads into its own fresh, migrated database, in a child process whose peak memory
is measured on its own; "csv reload" loads the CSV folder a second time into the database
of the first load, forced, as a daily export that repeats most rows does. The same
generated rows are written once as a CSV folder and once as a workbook; ``--baseline-ref``
also runs the code of that git commit on both, in the same run.
"""

import argparse
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

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

ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = ROOT / "artifacts" / "migrations"
CHILD = Path(__file__).resolve().parent / "ingest_child.py"
CLEAN_COLUMNS = ["occurred_at", "customer_id", "channel", "topic", "sentiment", "source_row"]


def child(checkout: Path, *args: str) -> dict:
    """Run a contender of ingest_child.py on the code of ``checkout``; return its figures."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(  # nosec B603 # our own interpreter and script, no shell
        [sys.executable, str(CHILD), *args],
        capture_output=True, text=True, check=False, cwd=checkout, env=env,
    )  # fmt: skip
    if done.returncode:
        raise SystemExit(f"bench-ingest: {args[0]} on {checkout} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def export_ref(ref: str, into: Path) -> Path:
    """Write the files of git commit ``ref`` into ``into`` (nothing of this checkout changes)."""
    into.mkdir(parents=True)
    archive = subprocess.run(  # nosec B603 B607 # git with fixed arguments, no shell
        ["git", "-C", str(ROOT), "archive", "--format=tar", ref],
        capture_output=True, check=True,
    )  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)  # nosec
    return into


def dataset_files(args: argparse.Namespace, scratch: Path) -> tuple[Path, Path, float]:
    """Generate (or reuse from --data-dir) the CSV folder and the workbook of the same rows."""
    base = Path(args.data_dir) if args.data_dir else scratch
    folder = base / f"data-{args.customers}-{args.interactions}-{args.seed}"
    csv_folder, workbook = folder / "csv", folder / "export.xlsx"
    started = time.perf_counter()
    if not (csv_folder.exists() and workbook.exists()):
        dataset = synthetic.generate_dataset(args.customers, args.interactions, args.seed)
        synthetic.write_dataset(dataset, csv_folder, "csv")
        synthetic.write_dataset(dataset, workbook, "xlsx")
    return csv_folder, workbook, time.perf_counter() - started


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


def ceilings(server: DatabaseServer, folder: Path, floor_rows: int, repeat: int) -> dict:
    """Time the plain COPY (``repeat`` times) and to_sql of the clean interactions, each into
    a fresh database."""
    interactions = clean(read_source(folder).sheets).interactions[CLEAN_COLUMNS]
    buffer = io.StringIO()
    interactions.to_csv(buffer, header=False, index=False)
    copies = []
    for _ in range(repeat):
        url = fresh_database(server)
        copies.append(plain_copy(url, buffer.getvalue().encode()))
        server.drop(url)
    result = {"clean_rows": len(interactions), "plain_copy_s": median(copies), "copies": copies}
    if floor_rows:
        floor = interactions.iloc[:floor_rows]
        result["to_sql"] = {
            "rows": len(floor),
            "seconds": naive_to_sql(fresh_database(server), floor),
        }
    return result


def fresh_database(server: DatabaseServer) -> str:
    """Create and migrate a database for one contender."""
    url = server.create(prefix="bench")
    upgrade(url, MIGRATIONS)
    return url


def typical(samples: list[dict]) -> dict:
    """The median of each timed figure over repeated runs, the largest peak memory."""
    timed = [k for k, v in samples[0].items() if isinstance(v, float) and k != "peak_rss_mib"]
    figures = {k: median(sample[k] for sample in samples) for k in timed}
    if "peak_rss_mib" in samples[0]:
        figures["peak_rss_mib"] = max(sample["peak_rss_mib"] for sample in samples)
    return {**samples[0], **figures, "all_seconds": [round(x["seconds"], 2) for x in samples]}


def summary(runs: dict, ceiling: dict, calamine: dict) -> dict:
    """Give each end-to-end run its figures and its ratio to its format's ceiling."""
    clean_rows, copy_s = ceiling["clean_rows"], ceiling["plain_copy_s"]
    out = {}
    for name, samples in runs.items():
        run = typical(samples)
        source_rows = sum(sheet["source_rows"] for sheet in run["sheets"].values())
        keys = ("seconds", "read_s", "report_s", "cpu_s", "peak_rss_mib")
        figures = {k: round(run[k], 2) for k in keys} | {"all_seconds": run["all_seconds"]}
        figures["source_rows_per_s"] = round(source_rows / run["seconds"])
        if name.startswith("csv"):  # per row, as the COPY loads only the clean rows
            figures["vs_plain_copy"] = round(run["seconds"] / copy_s * clean_rows / source_rows, 2)
        else:
            figures["vs_calamine_read"] = round(run["seconds"] / calamine["seconds"], 2)
            figures["cpu_vs_calamine_read"] = round(run["cpu_s"] / calamine["cpu_s"], 2)
        out[name] = figures
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--floor-rows", type=int, default=200_000, help="rows for to_sql (0: skip)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline-ref", help="also time this git commit's code (e.g. main)")
    parser.add_argument("--data-dir", help="keep the generated files here and reuse them")
    parser.add_argument(
        "--only", choices=("csv", "xlsx"), help="time one format (and its ceiling) only"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds of every contender; medians reported"
    )
    args = parser.parse_args()

    stop_on_termination_signals()
    with (
        tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp,
        released_at_end(Path(tmp) / "pg"),
    ):
        admin = os.environ.get("BENCH_DATABASE_URL") or start_embedded_postgres(Path(tmp) / "pg")
        server = DatabaseServer(admin)
        csv_folder, workbook, generated_s = dataset_files(args, Path(tmp))
        checkouts = {"": ROOT}
        if args.baseline_ref:
            checkouts[" (baseline)"] = export_ref(args.baseline_ref, Path(tmp) / "baseline")
        try:
            formats = [("csv", csv_folder), ("xlsx", workbook)]
            formats = [(name, path) for name, path in formats if args.only in (None, name)]
            calamine_runs, runs = [], {}
            # Rounds of every contender, old and new code back to back per format: on a
            # shared machine one run can be slowed by others, and the median of each
            # contender's rounds is what compares.
            for _ in range(args.repeat):
                if args.only != "csv":
                    calamine_runs.append(child(ROOT, "calamine", str(workbook)))
                for name, path in formats:
                    for suffix, checkout in checkouts.items():
                        url = fresh_database(server)
                        run = child(checkout, "ingest", url, str(path))
                        runs.setdefault(name + suffix, []).append(run)
                        if name == "csv":  # the daily case: the same rows again, forced
                            run = child(checkout, "ingest", url, str(path), "force")
                            runs.setdefault(f"{name} reload{suffix}", []).append(run)
                        server.drop(url)  # a million rows per database: free the disk
            floor_rows = args.floor_rows if args.only is None else 0
            ceiling = ceilings(server, csv_folder, floor_rows, args.repeat)
            calamine_run = typical(calamine_runs) if calamine_runs else {}
        finally:
            server.drop_all()
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "data": f"{args.customers} customers, {args.interactions} interactions (seed {args.seed})",
        "baseline_ref": args.baseline_ref,
        "generate_s": round(generated_s, 2),
        "repeat": args.repeat,
        "plain_copy_s": round(ceiling["plain_copy_s"], 2),
        "plain_copy_all_s": [round(x, 2) for x in ceiling["copies"]],
        "calamine_read": {
            k: v if k == "all_seconds" else round(v, 2)
            for k, v in calamine_run.items()
            if k != "rows"
        },  # fmt: skip
        "end_to_end": summary(runs, ceiling, calamine_run),
    }
    if "to_sql" in ceiling:
        floor = ceiling["to_sql"]
        report["to_sql_floor"] = {"rows": floor["rows"], "seconds": round(floor["seconds"], 2)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
