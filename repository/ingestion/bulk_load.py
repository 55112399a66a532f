"""Bulk-load helpers: COPY data frames into PostgreSQL on the load's own connection."""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection

_COPY_CHUNK_BYTES = 8 * 1024 * 1024


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
