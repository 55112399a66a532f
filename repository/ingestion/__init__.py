"""Store ingestion runs: atomic loads of cleaned data, run records, quarantine, legacy rows."""

from repository.ingestion.interface import (
    INGESTION_LOCK_KEY,
    LOAD_STEPS,
    AbstractIngestionRepository,
    CleanFrames,
    CleanLoad,
    IngestionBusy,
    LoadCheck,
    NewRun,
    QuarantinedRow,
    RollupFrames,
    RunSummary,
)
from repository.ingestion.postgres import PostgresIngestionRepository

__all__ = [
    "INGESTION_LOCK_KEY",
    "LOAD_STEPS",
    "AbstractIngestionRepository",
    "CleanFrames",
    "CleanLoad",
    "LoadCheck",
    "IngestionBusy",
    "NewRun",
    "PostgresIngestionRepository",
    "QuarantinedRow",
    "RollupFrames",
    "RunSummary",
]
