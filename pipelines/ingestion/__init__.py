"""Run an ingestion: clean a source, prove nothing was lost, load it atomically, report."""

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from time import perf_counter
from typing import Any

import pandas as pd

from pipelines.ingestion.cleaning import CleanedData, clean
from pipelines.ingestion.rollups import interaction_rollups
from pipelines.ingestion.sources import Source
from repository.errors import InsightsError
from repository.ingestion import AbstractIngestionRepository, IngestionBusy, NewRun

log = logging.getLogger(__name__)

CLEAN_FRAME = {
    "customers": "customers",
    "interactions": "interactions",
    "products": "product_months",
}
STAGES = ("clean", "check", "load")


class RowsLost(InsightsError):
    """The cleaning step accounted for fewer or more rows than the source had: a bug."""


@dataclass(frozen=True)
class SheetCounts:
    """How the rows of one sheet were accounted for."""

    source_rows: int
    clean_rows: int
    quarantined_rows: int
    quarantined_by_reason: dict[str, int]


@dataclass(frozen=True)
class IngestionReport:
    """What a run did, for people (``format_report``) and machines (``to_dict``)."""

    status: str
    source_name: str
    source_kind: str
    checksum: str
    run_id: int | None
    sheets: dict[str, SheetCounts] = field(default_factory=dict)
    repaired_cells: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return asdict(self)


def count_sheets(sheets: dict[str, pd.DataFrame], cleaned: CleanedData) -> dict[str, SheetCounts]:
    """Count clean and quarantined rows per sheet and check they add up to the source.

    Raises:
        RowsLost: a sheet's clean and quarantined rows do not cover its source rows exactly.
    """
    counts = {}
    for sheet, raw in sheets.items():
        clean_rows = getattr(cleaned, CLEAN_FRAME[sheet])["source_row"]
        quarantined = cleaned.quarantine[cleaned.quarantine["sheet"] == sheet]
        accounted = pd.concat([clean_rows, quarantined["source_row"]], ignore_index=True)
        if len(accounted) != len(raw) or set(accounted) != set(raw["source_row"]):
            raise RowsLost(
                f"sheet {sheet}: {len(raw)} source rows but {len(clean_rows)} clean + "
                f"{len(quarantined)} quarantined; refusing to load"
            )
        by_reason = quarantined["reason"].value_counts().sort_index()
        counts[sheet] = SheetCounts(
            source_rows=len(raw),
            clean_rows=len(clean_rows),
            quarantined_rows=len(quarantined),
            quarantined_by_reason={str(k): int(v) for k, v in by_reason.items()},
        )
    return counts


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
    cleaned = clean(source.sheets, source.max_cell_chars)
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


def format_report(report: IngestionReport) -> str:
    """Render a report as a short table for the terminal."""
    head = f"{report.source_name} ({report.source_kind}, sha256 {report.checksum[:12]})"
    if report.status != "succeeded":
        return f"{head}\n{report.status}: {report.message}"
    lines = [f"ingestion run {report.run_id}: {head}"]
    lines.append(f"{'sheet':<14}{'source':>10}{'clean':>10}{'quarantined':>13}  reasons")
    for sheet, c in report.sheets.items():
        reasons = ", ".join(f"{r} {n}" for r, n in c.quarantined_by_reason.items()) or "-"
        lines.append(
            f"{sheet:<14}{c.source_rows:>10}{c.clean_rows:>10}{c.quarantined_rows:>13}  {reasons}"
        )
    repairs = ", ".join(f"{rule} {n}" for rule, n in report.repaired_cells.items()) or "none"
    lines.append(f"repaired cells: {repairs}")
    lines.append(f"succeeded in {report.seconds:.2f} s")
    return "\n".join(lines)
