"""COPY frames into PostgreSQL on the psycopg connection under a SQLAlchemy one."""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
from sqlalchemy import Connection


@contextmanager
def raw_cursor(connection: Connection) -> Iterator[Any]:
    """Yield a psycopg cursor on the same connection (and transaction) as ``connection``."""
    raw = connection.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor:
        yield cursor


def copy_csv(cursor: Any, table: str, frame: pd.DataFrame, chunk_rows: int = 200_000) -> None:
    """COPY ``frame`` into ``table`` as CSV, in chunks so memory stays flat."""
    columns = ", ".join(frame.columns)
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
        for start in range(0, len(frame), chunk_rows):
            buffer = io.StringIO()
            frame.iloc[start : start + chunk_rows].to_csv(buffer, header=False, index=False)
            copy.write(buffer.getvalue())
