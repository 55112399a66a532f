"""Clean a source, prove nothing was lost, load it atomically and report the run."""

import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from time import perf_counter

from pipelines.ingestion.cleaning import clean
from pipelines.ingestion.report import IngestionReport, count_sheets
from pipelines.ingestion.rollups import interaction_rollups
from pipelines.ingestion.sources import Source
from repository.ingestion import AbstractIngestionRepository, IngestionBusy, NewRun

# The package's name, as before the split: log lines and their configuration name it.
log = logging.getLogger("pipelines.ingestion")

STAGES = ("clean", "check", "load")


def ingest(
    source: Source,
    repository: AbstractIngestionRepository,
    *,
    force: bool = False,
    on_stage: Callable[[str], None] = lambda stage: None,
) -> IngestionReport:
    """Clean ``source`` and replace the stored data set with it, unless it is already there.

    A run whose load fails is recorded as failed and the error re-raised; the clean
    tables are left exactly as they were.
    """
    started, clock = datetime.now(UTC), perf_counter()
    latest = repository.latest_succeeded_run()
    if latest and latest.checksum == source.checksum and not force:
        return IngestionReport(
            "unchanged", source.name, source.kind, source.checksum, latest.id,
            message=f"identical to run {latest.id}; nothing to do (--force reloads it)",
        )  # fmt: skip
    on_stage("clean")
    cleaned = clean(source.sheets)
    on_stage("check")
    counts = count_sheets(source.sheets, cleaned)
    rollups = interaction_rollups(cleaned.interactions, cleaned.customers, cleaned.product_months)
    repaired = cleaned.repairs.groupby("rule")["row_count"].sum().sort_index()
    repaired_cells = {str(rule): int(n) for rule, n in repaired.items()}
    run = NewRun(source.name, source.kind, source.checksum, started)
    on_stage("load")
    stored_counts = {"sheets": {k: asdict(v) for k, v in counts.items()}, "repairs": repaired_cells}
    try:
        run_id = repository.load(run, cleaned, rollups, stored_counts)
    except IngestionBusy:
        raise
    except Exception as error:
        failed_id = repository.record_failed_run(run, f"{type(error).__name__}: {error}")
        log.error("ingestion failed", extra={"run_id": failed_id, "source": source.name})
        raise
    report = IngestionReport(
        "succeeded", source.name, source.kind, source.checksum, run_id,
        counts, repaired_cells, round(perf_counter() - clock, 3),
    )  # fmt: skip
    log.info("ingestion succeeded", extra={"run_id": run_id, "seconds": report.seconds})
    return report
