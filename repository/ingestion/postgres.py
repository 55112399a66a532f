"""Store ingestion runs in PostgreSQL, bulk-loaded with COPY."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

import pandas as pd
from sqlalchemy import Connection, Engine

from repository.engine import connector_of, unpooled_engine
from repository.ingestion import bulk_load, figures, interactions_fill, runs, turns, versions
from repository.ingestion.interface import (
    LOAD_STEPS,
    AbstractIngestionRepository,
    CleanFrames,
    CleanLoad,
    LoadCheck,
    NewRun,
    QuarantinedRow,
    RollupFrames,
    RunSummary,
)
from repository.ingestion.side_session import side_session
from repository.ingestion.version_fence import fence_for


class PostgresIngestionRepository(AbstractIngestionRepository):
    """Ingestion storage in PostgreSQL, bulk-loaded with COPY."""

    def __init__(self, engine: Engine, lock_timeout_s: float = 30.0) -> None:
        self._engine = engine
        # Side sessions open connections of their own: a load takes no more from the pool.
        self._side_engine = unpooled_engine(engine)
        self._lock_timeout_s = lock_timeout_s

    def latest_succeeded_run(self) -> RunSummary | None:
        with self._engine.connect() as connection:
            return runs.latest_succeeded_run(connection)

    @contextmanager
    def begin_run(self, run: NewRun) -> Iterator[int]:
        # This connection lives as long as the run: its session lock says the run is alive.
        with self._engine.connect() as connection:
            run_id = runs.insert_run(connection, run, "running", {})
            turns.mark_alive(connection, run_id)
            connection.commit()
            try:
                yield run_id
            except BaseException as error:
                runs.finish_run(connection, run_id, "failed", f"{type(error).__name__}: {error}")
                connection.commit()
                raise
            finally:
                turns.release_alive(connection, run_id)
                connection.commit()

    def load(self, run_id: int, load: CleanLoad, check: LoadCheck | None = None) -> None:
        with self._engine.connect() as connection:
            turns.wait_for_turn(connection, run_id, self._lock_timeout_s)
            try:
                with versions.superseded_dropped(connection):
                    # The new version's partitions are attached before the load transaction,
                    # so readers already know them when it commits and flips the version.
                    version = versions.prepare(connection)
                    # Closed just before the switch: API processes then stop trusting the
                    # version they hold (repository/version_lease.py) until the commit.
                    with fence_for(connector_of(self._engine)) as fence, connection.begin():
                        if check is not None:
                            check(runs.clean_counts(connection))
                        runs.record_counts(connection, run_id, load.counts)
                        load.on_step(LOAD_STEPS[0])
                        numbers = {"new": version.number, "old": versions.current(connection)}
                        fill = partial(
                            self._fill_interactions, run_id=run_id, data=load.data, numbers=numbers
                        )
                        with side_session(self._side_engine, fill):
                            self._copy_staging(connection, run_id, load.data, version.number)
                            self._copy_audit(connection, run_id, load.data)
                            load.on_step(LOAD_STEPS[1])
                            self._merge(connection, run_id, version.number)
                            self._replace_rollups(connection, load.rollups, version.number)
                            figures.record(connection, load.rollups.figures, version.number)
                            load.on_step(LOAD_STEPS[2])
                        versions.publish(connection, version, fence.close)
                        runs.finish_run(connection, run_id, "succeeded")
            finally:
                turns.end_turn(connection)

    def mark_abandoned_runs(self) -> list[int]:
        with self._engine.connect() as connection:
            abandoned, _ = turns.mark_abandoned(connection)
            connection.commit()
        return abandoned

    def list_runs(self, limit: int = 20) -> list[RunSummary]:
        with self._engine.connect() as connection:
            return runs.list_runs(connection, limit)

    def list_quarantine(self, run_id: int | None = None, limit: int = 100) -> list[QuarantinedRow]:
        with self._engine.connect() as connection:
            return runs.list_quarantine(connection, run_id, limit)

    def read_legacy_tables(self) -> dict[str, pd.DataFrame]:
        with self._engine.connect() as connection:
            return runs.read_legacy_tables(connection)

    # -- steps of a load, each a hook so tests can inject a failure midway --------------

    def _fill_interactions(
        self, connection: Connection, run_id: int, data: CleanFrames, numbers: dict[str, int]
    ) -> None:
        interactions_fill.fill_interactions(connection, run_id, data.interactions, numbers)

    def _copy_staging(
        self, connection: Connection, run_id: int, data: CleanFrames, version: int
    ) -> None:
        bulk_load.stage(connection, run_id, data, version)

    def _copy_audit(self, connection: Connection, run_id: int, data: CleanFrames) -> None:
        bulk_load.copy_audit(connection, run_id, data)

    def _merge(self, connection: Connection, run_id: int, version: int) -> None:
        bulk_load.merge(connection, run_id, version)

    def _replace_rollups(self, connection: Connection, rollups: RollupFrames, version: int) -> None:
        bulk_load.replace_rollups(connection, rollups, version)
