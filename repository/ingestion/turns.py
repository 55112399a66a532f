"""Whose turn it is to load: runs stay marked alive while they work and load in start order.

A run's row is committed as 'running' when it starts, and its process holds a session
advisory lock on (LIVENESS_LOCK_SPACE, run id) until it ends. A 'running' row whose lock
anyone else can take belongs to a process that died: it is marked 'abandoned'. Loads take
the ingestion lock only when no earlier-started run is still alive, so two exports loaded
close together land in the order they were started, and the last one started wins.
"""

import time

from sqlalchemy import Connection, text

from repository.ingestion.interface import INGESTION_LOCK_KEY, IngestionBusy

# The first key of the two-key advisory locks that mark a run alive (the second is its
# id); two-key locks never collide with the one-key ingestion lock.
LIVENESS_LOCK_SPACE = 7215

_LOCK_ALIVE = text("SELECT pg_advisory_lock(:space, CAST(:run_id AS integer))")
_UNLOCK_ALIVE = text("SELECT pg_advisory_unlock(:space, CAST(:run_id AS integer))")
_TRY_ALIVE = text("SELECT pg_try_advisory_lock(:space, CAST(:run_id AS integer))")
_RUNNING = text(
    "SELECT id FROM insights.ingestion_runs WHERE status = 'running' AND id <> :me ORDER BY id"
)
_ABANDON = text("""
    UPDATE insights.ingestion_runs
    SET status = 'abandoned', finished_at = greatest(clock_timestamp(), started_at),
        error = 'the loading process ended without finishing the run'
    WHERE id = :id AND status = 'running'
""")
_TRY_INGESTION_LOCK = text("SELECT pg_try_advisory_lock(:key)")
_UNLOCK_INGESTION = text("SELECT pg_advisory_unlock(:key)")


def mark_alive(connection: Connection, run_id: int) -> None:
    """Hold run ``run_id``'s liveness lock for as long as ``connection`` lives (or until freed)."""
    connection.execute(_LOCK_ALIVE, {"space": LIVENESS_LOCK_SPACE, "run_id": run_id})


def release_alive(connection: Connection, run_id: int) -> None:
    """Free run ``run_id``'s liveness lock."""
    connection.execute(_UNLOCK_ALIVE, {"space": LIVENESS_LOCK_SPACE, "run_id": run_id})


def mark_abandoned(connection: Connection, me: int = 0) -> tuple[list[int], list[int]]:
    """Mark 'running' runs whose process died as 'abandoned'.

    Returns the ids abandoned now and the ids of other runs still alive, ``me`` excepted.
    """
    abandoned, alive = [], []
    for run_id in connection.execute(_RUNNING, {"me": me}).scalars():
        params = {"space": LIVENESS_LOCK_SPACE, "run_id": run_id}
        if connection.execute(_TRY_ALIVE, params).scalar_one():
            connection.execute(_ABANDON, {"id": run_id})
            connection.execute(_UNLOCK_ALIVE, params)
            abandoned.append(run_id)
        else:
            alive.append(run_id)
    return abandoned, alive


def wait_for_turn(connection: Connection, run_id: int, timeout_s: float) -> None:
    """Take the ingestion lock (session-level) once no earlier-started run is alive.

    Commits what it wrote (abandoned runs) before returning; the caller frees the lock
    with ``end_turn``.

    Raises:
        IngestionBusy: the lock or an earlier run kept us waiting past ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        if connection.execute(_TRY_INGESTION_LOCK, {"key": INGESTION_LOCK_KEY}).scalar_one():
            _, alive = mark_abandoned(connection, me=run_id)
            connection.commit()
            if not any(other < run_id for other in alive):
                return
            end_turn(connection)
        if time.monotonic() >= deadline:
            raise IngestionBusy(f"another ingestion is running; gave up after {timeout_s:g} s")
        time.sleep(0.2)


def end_turn(connection: Connection) -> None:
    """Free the ingestion lock taken by ``wait_for_turn``."""
    connection.execute(_UNLOCK_INGESTION, {"key": INGESTION_LOCK_KEY})
    connection.commit()
