"""Binary COPY payloads built with numpy read back into PostgreSQL value for value."""

import numpy as np
import psycopg
import pytest

from repository.engine import libpq_url
from repository.ingestion.binary_copy import binary_copy_payload


def copy_and_read(url: str, columns: dict[str, np.ndarray], types: str) -> list[tuple]:
    with psycopg.connect(libpq_url(url)) as connection:
        connection.execute(f"CREATE TEMP TABLE t ({types})")
        names = ", ".join(columns)
        with connection.cursor().copy(f"COPY t ({names}) FROM STDIN (FORMAT binary)") as copy:
            copy.write(binary_copy_payload(columns))
        return connection.execute(f"SELECT {names} FROM t").fetchall()


def test_every_width_and_extreme_value_arrives_intact(database_url):
    columns = {
        "big": np.array([0, -1, 2**63 - 1, -(2**63)], dtype=np.int64),
        "mid": np.array([7, -(2**31), 2**31 - 1, 0], dtype=np.int32),
        "small": np.array([1, -1, 32767, -32768], dtype=np.int16),
    }
    rows = copy_and_read(database_url, columns, "big BIGINT, mid INTEGER, small SMALLINT")
    assert rows == list(zip(*(c.tolist() for c in columns.values()), strict=True))


def test_no_rows_is_a_valid_empty_copy(database_url):
    columns = {"a": np.array([], dtype=np.int64)}
    assert copy_and_read(database_url, columns, "a BIGINT") == []


def test_a_column_that_is_not_a_whole_number_is_refused():
    with pytest.raises(TypeError, match="column 0 is float64"):
        binary_copy_payload({"a": np.array([1.5])})
