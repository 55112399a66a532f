"""Account for every source row per sheet and describe a run for people and machines."""

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pipelines.ingestion.cleaning import CleanedData
from repository.errors import InsightsError

# A sheet losing at least this share of its rows to quarantine is called out in the report.
QUARANTINE_WARNING_SHARE = 0.1

CLEAN_FRAME = {
    "customers": "customers",
    "interactions": "interactions",
    "products": "product_months",
}


class RowsLost(InsightsError):
    """The cleaning step accounted for fewer or more rows than the source had: a bug."""


@dataclass(frozen=True)
class SheetCounts:
    """How the rows of one sheet were accounted for."""

    source_rows: int
    clean_rows: int
    quarantined_rows: int
    quarantined_by_reason: dict[str, int]

    @property
    def quarantined_share(self) -> float:
        """Return the share of the sheet's rows that went to quarantine (0 for no rows)."""
        return self.quarantined_rows / self.source_rows if self.source_rows else 0.0


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
        """Return the report as JSON-ready data, with each sheet's quarantined share."""
        data = asdict(self)
        for sheet, counts in self.sheets.items():
            data["sheets"][sheet]["quarantined_share"] = round(counts.quarantined_share, 4)
        return data


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
        if len(accounted) != len(raw) or not _same_rows(accounted, raw["source_row"]):
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


def _same_rows(accounted: pd.Series, source: pd.Series) -> bool:
    """Tell whether two equally long lists of distinct row numbers hold the same numbers."""
    # Sorted arrays, not Python sets: a million ints boxed into sets took a second.
    return bool(np.array_equal(np.sort(accounted.to_numpy()), np.sort(source.to_numpy())))


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
    lines.extend(quarantine_warnings(report.sheets))
    lines.append(f"succeeded in {report.seconds:.2f} s")
    return "\n".join(lines)


def quarantine_warnings(sheets: dict[str, SheetCounts]) -> list[str]:
    """Return one warning line per sheet that lost a large share of its rows to quarantine."""
    return [
        f"WARNING: {counts.quarantined_share:.0%} of the {sheet} rows were quarantined "
        f"({counts.quarantined_rows} of {counts.source_rows}); see `insights quarantine list`"
        for sheet, counts in sheets.items()
        if counts.quarantined_share >= QUARANTINE_WARNING_SHARE
    ]
