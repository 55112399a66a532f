"""Store ingestion runs in PostgreSQL, bulk-loaded with COPY."""

from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine

from repository.ingestion import bulk_load, runs, versions
from repository.ingestion.interface import (
    AbstractIngestionRepository,
    CleanFrames,
    NewRun,
    QuarantinedRow,
    RollupFrames,
    RunSummary,
)


class PostgresIngestionRepository(AbstractIngestionRepository):
    """Ingestion storage in PostgreSQL, bulk-loaded with COPY."""

    def __init__(self, engine: Engine, lock_timeout_s: float = 30.0) -> None:
        self._engine = engine
        self._lock_timeout_s = lock_timeout_s

    def latest_succeeded_run(self) -> RunSummary | None:
        with self._engine.connect() as connection:
            return runs.latest_succeeded_run(connection)

    def load(
        self, run: NewRun, data: CleanFrames, rollups: RollupFrames, counts: dict[str, Any]
    ) -> int:
        # The new version's partitions are attached before the load transaction, so that
        # readers already know them when it commits and flips the version they read.
        with (
            self._engine.connect() as connection,
            versions.exclusive_load(connection, self._lock_timeout_s),
        ):
            version = versions.prepare(connection)
            with connection.begin():
                self._acquire_lock(connection)
                run_id = runs.insert_run(connection, run, "running", counts)
                self._copy_staging(connection, data)
                self._copy_audit(connection, run_id, data)
                self._merge(connection, run_id)
                self._replace_rollups(connection, rollups)
                versions.publish(connection, version)
                runs.finish_run(connection, run_id, "succeeded")
        return run_id

    def record_failed_run(self, run: NewRun, error: str) -> int:
        with self._engine.begin() as connection:
            run_id = runs.insert_run(connection, run, "failed", {}, error=error)
            runs.finish_run(connection, run_id, "failed")
        return run_id

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

    def _acquire_lock(self, connection: Connection) -> None:
        bulk_load.acquire_lock(connection, self._lock_timeout_s)

    def _copy_staging(self, connection: Connection, data: CleanFrames) -> None:
        bulk_load.stage(connection, data)

    def _copy_audit(self, connection: Connection, run_id: int, data: CleanFrames) -> None:
        bulk_load.copy_audit(connection, run_id, data)

    def _merge(self, connection: Connection, run_id: int) -> None:
        bulk_load.merge(connection, run_id)

    def _replace_rollups(self, connection: Connection, rollups: RollupFrames) -> None:
        bulk_load.replace_rollups(connection, rollups)
