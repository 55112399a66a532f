"""Clean a source, prove nothing was lost, load it atomically and report the run."""

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from time import perf_counter
from typing import Any

import pandas as pd

from pipelines.ingestion.cleaning import CleanedData, clean
from pipelines.ingestion.report import IngestionReport, SheetCounts, count_sheets
from pipelines.ingestion.rollups import PendingRollups
from pipelines.ingestion.shrink import GUARDED_TABLES, check_shrink
from pipelines.ingestion.sources import Source
from pipelines.ingestion.steps import step_log
from repository.ingestion import (
    LOAD_STEPS,
    AbstractIngestionRepository,
    CleanLoad,
    LoadCheck,
    NewRun,
)

# The package's name, as before the split: log lines and their configuration name it.
log = logging.getLogger("pipelines.ingestion")

STAGES = ("clean", "check", "load")
# The largest share of a clean table's rows a load may remove without --allow-shrink.
DEFAULT_MAX_SHRINK = 0.2


@dataclass(frozen=True)
class _Checked:
    """What the check stage proves and computes before anything is written."""

    counts: dict[str, SheetCounts]
    rollups: PendingRollups
    repaired_cells: dict[str, int]

    def stored_counts(self) -> dict[str, Any]:
        """Return the counts as the run row stores them."""
        sheets = {sheet: asdict(counts) for sheet, counts in self.counts.items()}
        return {"sheets": sheets, "repairs": self.repaired_cells}


def ingest(
    source: Source,
    repository: AbstractIngestionRepository,
    *,
    force: bool = False,
    max_shrink: float | None = DEFAULT_MAX_SHRINK,
    on_stage: Callable[[str], None] = lambda stage: None,
) -> IngestionReport:
    """Clean ``source`` and replace the stored data set with it, unless it is already there.

    ``max_shrink`` is the largest share of any clean table's rows the load may remove
    (None: no limit). A run that fails or is refused is recorded as failed and the error
    re-raised; the clean tables are left exactly as they were.
    """
    started, clock = datetime.now(UTC), perf_counter()
    steps = step_log(on_stage)  # logs and times each step (pipelines/ingestion/steps.py)
    steps.end()  # the source is read; waiting for the ingestion lock is no step's time
    unchanged = _unchanged_report(source, repository, force)
    if unchanged:
        steps.finish("unchanged")
        return unchanged
    run = NewRun(source.name, source.kind, source.checksum, started)
    try:
        with repository.begin_run(run) as run_id:
            steps.bind(run_id)
            steps("clean")
            cleaned = clean(source.sheets, source.max_cell_chars)
            steps("check")
            checked = _check(source, cleaned)
            steps.counts(checked.counts, checked.repaired_cells)
            steps("load")
            on_step = _starting_rollups(steps, checked.rollups)
            load = CleanLoad(cleaned, checked.rollups, checked.stored_counts(), on_step)
            repository.load(run_id, load, _shrink_guard(cleaned, max_shrink))
    except Exception as error:
        steps.finish("failed")
        log.error("ingestion failed", extra={"source": run.source_name, "error": str(error)})
        raise
    steps.finish("succeeded")
    report = IngestionReport(
        "succeeded", source.name, source.kind, source.checksum, run_id,
        checked.counts, checked.repaired_cells,
        round(source.read_seconds + perf_counter() - clock, 3),
    )  # fmt: skip
    log.info("ingestion succeeded", extra={"run_id": run_id, "seconds": report.seconds})
    return report


def _starting_rollups(
    steps: Callable[[str], None], rollups: PendingRollups
) -> Callable[[str], None]:
    """Return ``steps``, also starting the rollups once the load has copied its own rows."""

    def on_step(step: str) -> None:
        steps(step)
        # The interactions' COPY and index builds (a side session) keep the server busy.
        if step == LOAD_STEPS[1]:
            rollups.start()

    return on_step


def _shrink_guard(cleaned: CleanedData, max_shrink: float | None) -> LoadCheck | None:
    """Return the check the load runs against the current row counts, under its lock."""
    if max_shrink is None:
        return None
    incoming = {table: len(getattr(cleaned, table)) for table in GUARDED_TABLES}
    return lambda current: check_shrink(current, incoming, max_shrink)


def _unchanged_report(
    source: Source, repository: AbstractIngestionRepository, force: bool
) -> IngestionReport | None:
    """Return an "unchanged" report if the latest successful run loaded this very source."""
    latest = repository.latest_succeeded_run()
    if latest is None or latest.checksum != source.checksum or force:
        return None
    return IngestionReport(
        "unchanged", source.name, source.kind, source.checksum, latest.id,
        message=f"identical to run {latest.id}; nothing to do (--force reloads it)",
    )  # fmt: skip


def _check(source: Source, cleaned: CleanedData) -> _Checked:
    """Prove every source row is clean or quarantined, then start the rollups, count repairs.

    Raises:
        RowsLost: a sheet's clean and quarantined rows do not cover its source rows exactly.
    """
    counts = count_sheets(source.sheets, cleaned)
    rollups = PendingRollups(cleaned.interactions, cleaned.customers, cleaned.product_months)
    return _Checked(counts, rollups, _repaired_cells(cleaned.repairs))


def _repaired_cells(repairs: pd.DataFrame) -> dict[str, int]:
    """Count the repaired cells per cleaning rule, in rule order."""
    repaired = repairs.groupby("rule")["row_count"].sum().sort_index()
    return {str(rule): int(n) for rule, n in repaired.items()}
