"""Run one timed ingestion contender in its own process and print its figures as JSON.

    python benchmarks/ingest_child.py ingest DATABASE_URL PATH [force]
    python benchmarks/ingest_child.py calamine PATH

Run by file name with PYTHONPATH set to a checkout, it times that checkout's code: the
benchmark runs the code of an older commit beside the current one this way. Peak memory is
this process's own maximum resident set.
"""

import json
import resource
import sys
import time
from pathlib import Path


def ingest(url: str, path: str, force: str = "") -> dict:
    """Read ``path`` and ingest it into ``url``, as `insights ingest` does (``--force``)."""
    from pipelines.ingestion import ingest
    from pipelines.ingestion.sources import read_source
    from repository.engine import build_engine
    from repository.ingestion import PostgresIngestionRepository

    # CPU seconds too: on a machine shared by others, wall time swings with their load and
    # CPU time does not (the database server's own CPU is not in it).
    start, cpu = time.perf_counter(), time.process_time()
    source = read_source(Path(path))
    read_s = time.perf_counter() - start
    # A generous stall timeout: on a loaded shared machine a probe may wait over a second.
    engine = build_engine(url, stall_timeout_s=60.0, statement_timeout_ms=3_600_000)
    report = ingest(source, PostgresIngestionRepository(engine), force=force == "force")
    seconds, cpu_s = time.perf_counter() - start, time.process_time() - cpu
    engine.dispose()
    return {
        "seconds": seconds,
        "cpu_s": cpu_s,
        "read_s": read_s,
        "report_s": report.seconds,
        "sheets": report.to_dict()["sheets"],
    }


def calamine(path: str) -> dict:
    """Read every sheet of a workbook into Python rows with calamine, and nothing else."""
    from python_calamine import CalamineWorkbook

    start, cpu = time.perf_counter(), time.process_time()
    book = CalamineWorkbook.from_path(path)
    rows = sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)
    return {
        "seconds": time.perf_counter() - start,
        "cpu_s": time.process_time() - cpu,
        "rows": rows,
    }


def main() -> None:
    contender, *args = sys.argv[1:]
    result = {"ingest": ingest, "calamine": calamine}[contender](*args)
    result["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
