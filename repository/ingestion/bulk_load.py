"""Run the steps of one load transaction: stage, audit, fill the new version, rollups."""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from repository.ingestion import sql, versions
from repository.ingestion.binary_copy import binary_copy_payload
from repository.ingestion.interface import (
    CleanFrames,
    RollupFrames,
)

_COPY_CHUNK_BYTES = 8 * 1024 * 1024
PAIRS = "interaction_monthly_pairs"
_RECORD_PAIRS = text("SELECT insights.record_monthly_pairs(:version)")


def stage(connection: Connection, data: CleanFrames) -> None:
    """COPY the clean frames into fresh staging tables and gather their statistics."""
    sql.execute_all(connection, sql.STAGING_DDL)
    with _cursor(connection) as cursor:
        _copy(cursor, "stg_customers", data.customers)
        _copy(cursor, "stg_product_months", data.product_months)
        columns, labels = _coded_interactions(data.interactions)
        _copy_binary(cursor, "stg_interactions", columns)
        _copy(cursor, "stg_labels", labels)
    sql.execute_all(connection, sql.ANALYZE_STAGING)


def copy_audit(connection: Connection, run_id: int, data: CleanFrames) -> None:
    """COPY the quarantined rows and the repair log of run ``run_id``."""
    with _cursor(connection) as cursor:
        _copy(cursor, "insights.quarantine", data.quarantine.assign(run_id=run_id))
        repairs = data.repairs.rename(columns={"column": "column_name"})
        _copy(cursor, "insights.data_quality_log", repairs.assign(run_id=run_id))


def merge(connection: Connection, run_id: int) -> None:
    """Fill the new version's customers, product months and interactions, keeping their ids."""
    numbers = {"new": versions.building(connection), "old": versions.current(connection)}
    for script in (sql.INSERT_CUSTOMERS, sql.MERGE_PRODUCTS, sql.KEY_INTERACTIONS):
        sql.execute_all(connection, script, {"run_id": run_id}, numbers)
    _insert_interactions(connection, run_id, numbers)
    # The new partition's indexes are built once after the insert: faster than maintaining
    # them row by row.
    table = versions.name("interactions", numbers["new"])
    for statement in versions.INTERACTION_INDEXES:
        connection.exec_driver_sql(statement.format(n=table))
    connection.exec_driver_sql(f"ANALYZE insights.{table}")
    # Without statistics the first minutes after a load (until autovacuum runs) planned
    # the citations' customer-type semi-join badly: 100-230 ms instead of 10 at 1M rows.
    for name in ("customers", "product_months"):
        connection.exec_driver_sql(f"ANALYZE insights.{versions.name(name, numbers['new'])}")


def replace_rollups(connection: Connection, rollups: RollupFrames) -> None:
    """COPY the freshly computed rollups into the new version's rollup tables."""
    version = versions.building(connection)
    monthly = versions.name("interaction_monthly_rollup", version)
    with _cursor(connection) as cursor:
        _copy(cursor, f"insights.{monthly}", rollups.monthly)
        daily = versions.name("interaction_daily_product_type", version)
        _copy(cursor, f"insights.{daily}", rollups.daily)
    connection.exec_driver_sql(f"ANALYZE insights.{monthly}")
    connection.exec_driver_sql(f"ANALYZE insights.{daily}")
    # Grouped from the monthly rollup just written: ~60,000 rows at 1M interactions.
    connection.execute(_RECORD_PAIRS, {"version": version})
    connection.exec_driver_sql(f"ANALYZE insights.{versions.name(PAIRS, version)}")


def _insert_interactions(connection: Connection, run_id: int, numbers: dict[str, int]) -> None:
    """Insert the staged interactions, new ones numbered from one reserved block of ids."""
    staged = connection.execute(text("SELECT count(*) FROM stg_interactions")).scalar_one()
    first_id = connection.execute(text(sql.RESERVE_IDS), {"n": max(staged, 1)}).scalar_one()
    any_kept = connection.execute(
        text("SELECT EXISTS (SELECT 1 FROM kept_interaction_ids)")
    ).scalar_one()
    insert = sql.INSERT_INTERACTIONS if any_kept else sql.INSERT_NEW_INTERACTIONS
    params = {"run_id": run_id, "first_id": first_id}
    sql.execute_all(connection, (insert,), params, numbers)


def _coded_interactions(
    interactions: pd.DataFrame,
) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """Return the interactions as integer columns, and the label behind each text code.

    Timestamps become integer microseconds and channel, topic and sentiment become codes
    (0 for NULL), so the whole table travels in binary COPY, which needs no formatting.
    """
    occurred = interactions["occurred_at"].astype("datetime64[us]").astype("int64")
    columns = {
        "occurred_us": occurred.to_numpy(),
        "customer_id": interactions["customer_id"].to_numpy(dtype=np.int32),
    }
    labels = []
    for dimension in ("channel", "topic", "sentiment"):
        codes, uniques = pd.factorize(interactions[dimension])
        columns[f"{dimension}_code"] = (codes + 1).astype(np.int32)
        numbered = {"code": range(1, len(uniques) + 1), "label": uniques}
        labels.append(pd.DataFrame({"dimension": dimension, **numbered}))
    columns["source_row"] = interactions["source_row"].to_numpy(dtype=np.int32)
    columns["seq"] = np.arange(len(interactions), dtype=np.int32)
    return columns, pd.concat(labels, ignore_index=True)


@contextmanager
def _cursor(connection: Connection) -> Iterator[Any]:
    """Yield a psycopg cursor on the same connection (and transaction) as ``connection``."""
    raw = connection.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor:
        yield cursor


def _copy(cursor: Any, table: str, frame: pd.DataFrame, chunk_rows: int = 200_000) -> None:
    """COPY ``frame`` into ``table`` as CSV, in chunks so memory stays flat."""
    columns = ", ".join(frame.columns)
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
        for start in range(0, len(frame), chunk_rows):
            buffer = io.StringIO()
            frame.iloc[start : start + chunk_rows].to_csv(buffer, header=False, index=False)
            copy.write(buffer.getvalue())


def _copy_binary(cursor: Any, table: str, columns: dict[str, np.ndarray]) -> None:
    """COPY integer ``columns`` into ``table`` in binary format, in chunks of bytes."""
    names = ", ".join(columns)
    payload = memoryview(binary_copy_payload(columns))
    with cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT binary)") as copy:
        for start in range(0, len(payload), _COPY_CHUNK_BYTES):
            copy.write(payload[start : start + _COPY_CHUNK_BYTES])
