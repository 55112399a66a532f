"""Find the id each incoming interaction's natural key has in the served version.

A reload keeps ids stable: a row whose natural key (time, customer, channel, topic,
sentiment) is already served keeps that row's id. The served keys come out packed in one
value, with the texts as codes into the incoming rows' own labels, and are matched in
pandas; so a reload COPYs its rows straight into the new version like a first load,
instead of staging them and joining on the server (4.4 s against 1.5 s at 1M rows).
"""

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from repository.ingestion import versions
from repository.ingestion.copying import raw_cursor

DIMENSIONS = ("channel", "topic", "sentiment")
# Binary timestamps count microseconds from 2000-01-01, numpy's from 1970-01-01.
PG_EPOCH_US = 946_684_800_000_000
# Above this many served rows (reltuples) the keys could outgrow one bytea value (1 GB);
# such a reload stages its rows instead.
MAX_SERVED_ROWS = 20_000_000
# One row's key as the query below packs it: big-endian integers.
_PACKED = np.dtype(
    [("id", ">i8"), ("occurred_at", ">i8"), ("customer_id", ">i4")]
    + [(f"{d}_code", ">i4") for d in DIMENSIONS]
)
# A served label the incoming rows never use gets code -1: no incoming row can match it.
_CODE = (
    "int4send(COALESCE(array_position(%({d})s::text[], {d}), "
    "CASE WHEN {d} IS NULL THEN 0 ELSE -1 END))"
)
# One value: a row per COPY message costs psycopg 2 s of CPU per million rows, this 0.05.
_SERVED_KEYS = (
    "SELECT string_agg(int8send(id) || timestamp_send(occurred_at) || int4send(customer_id) "
    "|| {codes}, ''::bytea) FROM insights.{table}"  # nosec B608 # constant names and an integer version
)
_KEY = ["occurred_us", "customer_id", *(f"{d}_code" for d in DIMENSIONS)]


def can_look_up(connection: Connection, served_version: int) -> bool:
    """Return whether the served version is small enough for ``kept_ids``."""
    table = f"insights.{versions.name('interactions', served_version)}"
    query = text("SELECT reltuples FROM pg_class WHERE oid = CAST(:table AS regclass)")
    return float(connection.execute(query, {"table": table}).scalar_one()) <= MAX_SERVED_ROWS


def kept_ids(
    connection: Connection,
    columns: dict[str, np.ndarray],
    labels: dict[str, list[str | None]],
    served_version: int,
) -> np.ndarray:
    """Return, per incoming row, the id its natural key has in ``served_version``, or -1.

    ``columns`` hold the rows as _KEY's integer columns (codes 1.. into ``labels``, 0 for
    NULL).
    """
    table = versions.name("interactions", served_version)
    codes = " || ".join(_CODE.format(d=d) for d in DIMENSIONS)
    with raw_cursor(connection) as cursor:
        statement = _SERVED_KEYS.format(codes=codes, table=table)
        cursor.execute(statement, {d: labels[d] for d in DIMENSIONS}, binary=True)
        payload = cursor.fetchone()[0] or b""
    packed = np.frombuffer(payload, dtype=_PACKED)
    served = pd.DataFrame(
        {
            "occurred_us": packed["occurred_at"].astype(np.int64) + PG_EPOCH_US,
            "customer_id": packed["customer_id"].astype(np.int32),
            **{f"{d}_code": packed[f"{d}_code"].astype(np.int32) for d in DIMENSIONS},
            "id": packed["id"].astype(np.int64),
        }
    )
    served = served[(served[[f"{d}_code" for d in DIMENSIONS]] >= 0).all(axis=1)]
    incoming = pd.DataFrame({key: columns[key] for key in _KEY}, copy=False)
    # A natural key is unique in a version: "many_to_one" says so, and keeps one row each.
    matched = incoming.merge(served, how="left", on=_KEY, validate="many_to_one", sort=False)
    return matched["id"].fillna(-1).to_numpy(dtype=np.int64)
