"""Binary COPY payloads built with numpy read back into PostgreSQL value for value."""

import numpy as np
import psycopg
import pytest

from repository.engine import libpq_url
from repository.ingestion.binary_copy import binary_copy_payload, binary_copy_with_texts


def copy_and_read(
    url: str, columns: dict[str, np.ndarray], types: str, texts: dict | None = None
) -> list[tuple]:
    with psycopg.connect(libpq_url(url)) as connection:
        connection.execute(f"CREATE TEMP TABLE t ({types})")
        names = ", ".join([*columns, *(texts or {})])
        with connection.cursor().copy(f"COPY t ({names}) FROM STDIN (FORMAT binary)") as copy:
            if texts is None:
                copy.write(binary_copy_payload(columns))
            else:
                for part in binary_copy_with_texts(columns, texts):
                    copy.write(part)
        return connection.execute(f"SELECT {names} FROM t ORDER BY n").fetchall()


def test_every_width_and_extreme_value_arrives_intact(database_url):
    columns = {
        "big": np.array([0, -1, 2**63 - 1, -(2**63)], dtype=np.int64),
        "mid": np.array([7, -(2**31), 2**31 - 1, 0], dtype=np.int32),
        "small": np.array([1, -1, 32767, -32768], dtype=np.int16),
    }
    columns["n"] = np.arange(4, dtype=np.int32)
    rows = copy_and_read(database_url, columns, "big BIGINT, mid INTEGER, small SMALLINT, n INT")
    assert rows == list(zip(*(c.tolist() for c in columns.values()), strict=True))


def test_no_rows_is_a_valid_empty_copy(database_url):
    columns = {"n": np.array([], dtype=np.int64)}
    assert copy_and_read(database_url, columns, "n BIGINT") == []


def test_coded_texts_arrive_as_their_labels_or_null_beside_the_integers(database_url):
    columns = {"n": np.arange(5, dtype=np.int64), "m": np.array([5, 4, 3, 2, 1], np.int32)}
    texts = {
        "a": (np.array([1, 0, 2, 1, 2]), ["Email", "Café ☕"]),
        "b": (np.array([0, 0, 1, 1, 0]), ["x"]),
    }
    rows = copy_and_read(database_url, columns, "n BIGINT, m INT, a TEXT, b TEXT", texts)
    assert rows == [
        (0, 5, "Email", None),
        (1, 4, None, None),
        (2, 3, "Café ☕", "x"),
        (3, 2, "Email", "x"),
        (4, 1, "Café ☕", None),
    ]


def test_a_column_that_is_not_a_whole_number_is_refused():
    with pytest.raises(TypeError, match="column 0 is float64"):
        binary_copy_payload({"a": np.array([1.5])})
