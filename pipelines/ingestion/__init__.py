"""Run an ingestion: clean a source, prove nothing was lost, load it atomically, report."""

from pipelines.ingestion.report import (
    CLEAN_FRAME,
    IngestionReport,
    RowsLost,
    SheetCounts,
    count_sheets,
    format_report,
)
from pipelines.ingestion.run import STAGES, ingest

__all__ = [
    "CLEAN_FRAME",
    "STAGES",
    "IngestionReport",
    "RowsLost",
    "SheetCounts",
    "count_sheets",
    "format_report",
    "ingest",
]
