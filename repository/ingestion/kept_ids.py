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
from repository.ingestion.binary_copy import PG_EPOCH_US
from repository.ingestion.copying import raw_cursor

DIMENSIONS = ("channel", "topic", "sentiment")
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
    labels: dict[str, list[str]],
    served_version: int,
) -> np.ndarray:
    """Return, per incoming row, the id its natural key has in ``served_version``, or -1.

    ``columns`` hold the rows as _KEY's integer columns (codes 1.. into ``labels``, 0 for
    NULL).
    """
    table = versions.name("interactions", served_version)
    coded = " || ".join(_CODE.format(d=d) for d in DIMENSIONS)
    with raw_cursor(connection) as cursor:
        statement = _SERVED_KEYS.format(codes=coded, table=table)
        cursor.execute(statement, {d: labels[d] for d in DIMENSIONS}, binary=True)
        payload = cursor.fetchone()[0]
    if payload is None:  # nothing served (a first load): nothing to keep, nothing to match
        return np.full(len(columns["seq"]), -1, dtype=np.int64)
    packed = np.frombuffer(payload, dtype=_PACKED)
    codes = [packed[f"{d}_code"].astype(np.int32) for d in DIMENSIONS]
    # Rows with a label no incoming row uses can match nothing (and may look alike).
    usable = np.logical_and.reduce([c >= 0 for c in codes])
    if not usable.any():
        return np.full(len(columns["seq"]), -1, dtype=np.int64)
    occurred = packed["occurred_at"].astype(np.int64) + PG_EPOCH_US
    served: list[np.ndarray] = [occurred, packed["customer_id"].astype(np.int32), *codes]
    served = [column[usable] for column in served]
    ids = packed["id"][usable].astype(np.int64)
    del payload, packed  # the packed copy is not needed any more: 36 MiB per million rows
    position = _matches([columns[key] for key in _KEY], served)
    return np.where(position >= 0, ids[position], -1)


def _matches(incoming: list[np.ndarray], served: list[np.ndarray]) -> np.ndarray:
    """Return per incoming row the position of the served row with equal columns, or -1.

    Both sides' rows are numbered by their values, a column at a time, renumbered densely
    after each so the numbers never overflow: 0.4 s for a million rows a side, against
    0.95 for a pandas merge on the five columns.
    """
    keys = np.zeros(len(incoming[0]) + len(served[0]), dtype=np.int64)
    for mine, theirs in zip(incoming, served, strict=True):
        codes, uniques = pd.factorize(np.concatenate([mine, theirs]))
        keys, _ = pd.factorize(keys * len(uniques) + codes)
    rows = len(incoming[0])
    # Raises if two served rows share a key: a version's natural keys are unique.
    return pd.Index(keys[rows:]).get_indexer(keys[:rows])
