"""Write and read run rows, list quarantined rows and read the legacy tables."""

import json
from typing import Any

import pandas as pd
from sqlalchemy import Connection, text

from repository.ingestion import sql
from repository.ingestion.interface import NewRun, QuarantinedRow, RunSummary
from repository.model import CURRENT_VERSION_SQL

_RUN_COLUMNS = (
    "id, source_name, source_kind, checksum, started_at, finished_at, status, counts, error"
)


def insert_run(
    connection: Connection,
    run: NewRun,
    status: str,
    counts: dict[str, Any],
    error: str | None = None,
) -> int:
    """Insert a row into ``ingestion_runs`` and return its id."""
    query = """
        INSERT INTO insights.ingestion_runs
            (source_name, source_kind, checksum, started_at, status, counts, error)
        VALUES (:name, :kind, :checksum, :started_at, :status, CAST(:counts AS jsonb), :error)
        RETURNING id
    """
    params = {
        "name": run.source_name,
        "kind": run.source_kind,
        "checksum": run.checksum,
        "started_at": run.started_at,
        "status": status,
        "counts": json.dumps(counts),
        "error": error,
    }
    return int(connection.execute(text(query), params).scalar_one())


def finish_run(connection: Connection, run_id: int, status: str, error: str | None = None) -> None:
    """Set a run's final status (and error) and stamp the moment it finished."""
    query = """
        UPDATE insights.ingestion_runs
        SET status = :status, finished_at = clock_timestamp(), error = COALESCE(:error, error)
        WHERE id = :id
    """
    connection.execute(text(query), {"id": run_id, "status": status, "error": error})


def record_counts(connection: Connection, run_id: int, counts: dict[str, Any]) -> None:
    """Store what the cleaning counted for run ``run_id``."""
    query = "UPDATE insights.ingestion_runs SET counts = CAST(:counts AS jsonb) WHERE id = :id"
    connection.execute(text(query), {"id": run_id, "counts": json.dumps(counts)})


# The clean tables a load replaces, and how many rows each holds now.
_CLEAN_COUNTS = text(f"""
    SELECT (SELECT count(*) FROM insights.customers WHERE version = {CURRENT_VERSION_SQL})
               AS customers,
           (SELECT count(*) FROM insights.interactions WHERE version = {CURRENT_VERSION_SQL})
               AS interactions,
           (SELECT count(*) FROM insights.product_months WHERE version = {CURRENT_VERSION_SQL})
               AS product_months
""")  # nosec B608 # built from constants; values are bound


def clean_counts(connection: Connection) -> dict[str, int]:
    """Return the number of rows in each clean table."""
    return dict(connection.execute(_CLEAN_COUNTS).mappings().one())


def latest_succeeded_run(connection: Connection) -> RunSummary | None:
    """Return the most recent successful run, if any."""
    query = f"SELECT {_RUN_COLUMNS} FROM insights.ingestion_runs "  # nosec B608 # built from constants; values are bound
    query += "WHERE status = 'succeeded' ORDER BY id DESC LIMIT 1"
    row = connection.execute(text(query)).mappings().first()
    return RunSummary(**row) if row else None


def list_runs(connection: Connection, limit: int) -> list[RunSummary]:
    """Return the most recent runs, newest first."""
    query = f"SELECT {_RUN_COLUMNS} FROM insights.ingestion_runs ORDER BY id DESC LIMIT :n"  # nosec B608 # built from constants; values are bound
    rows = connection.execute(text(query), {"n": limit}).mappings().all()
    return [RunSummary(**row) for row in rows]


def list_quarantine(connection: Connection, run_id: int | None, limit: int) -> list[QuarantinedRow]:
    """Return quarantined rows of ``run_id`` (default: the latest successful run)."""
    query = """
        SELECT run_id, sheet, source_row, reason, original FROM insights.quarantine
        WHERE run_id = COALESCE(:run_id, (
            SELECT max(id) FROM insights.ingestion_runs WHERE status = 'succeeded'))
        ORDER BY sheet, source_row LIMIT :n
    """
    rows = connection.execute(text(query), {"run_id": run_id, "n": limit}).mappings()
    return [QuarantinedRow(**row) for row in rows]


def read_legacy_tables(connection: Connection) -> dict[str, pd.DataFrame]:
    """Return the legacy tables' rows as raw sheets (canonical column names, source_row)."""
    sheets = {}
    for sheet, query in sql.LEGACY_SQL.items():
        result = connection.execute(text(query))
        frame = pd.DataFrame(result.all(), columns=list(result.keys()), dtype=object)
        frame["source_row"] = pd.Series(range(1, len(frame) + 1), dtype="int64")
        sheets[sheet] = frame
    return sheets
