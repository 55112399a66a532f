"""Store ingestion runs in PostgreSQL, bulk-loaded with COPY."""

import json
import time
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, text

from repository.ingestion import (
    INGESTION_LOCK_KEY,
    AbstractIngestionRepository,
    CleanFrames,
    IngestionBusy,
    NewRun,
    QuarantinedRow,
    RollupFrames,
    RunSummary,
    sql,
)
from repository.ingestion.binary_copy import binary_copy_payload
from repository.ingestion.bulk_load import _COPY_CHUNK_BYTES, _coded_interactions, _copy, _cursor

_RUN_COLUMNS = (
    "id, source_name, source_kind, checksum, started_at, finished_at, status, counts, error"
)


class PostgresIngestionRepository(AbstractIngestionRepository):
    """Ingestion storage in PostgreSQL, bulk-loaded with COPY."""

    def __init__(self, engine: Engine, lock_timeout_s: float = 30.0) -> None:
        self._engine = engine
        self._lock_timeout_s = lock_timeout_s

    def latest_succeeded_run(self) -> RunSummary | None:
        query = f"SELECT {_RUN_COLUMNS} FROM insights.ingestion_runs "
        query += "WHERE status = 'succeeded' ORDER BY id DESC LIMIT 1"
        with self._engine.connect() as connection:
            row = connection.execute(text(query)).mappings().first()
        return RunSummary(**row) if row else None

    def load(
        self, run: NewRun, data: CleanFrames, rollups: RollupFrames, counts: dict[str, Any]
    ) -> int:
        with self._engine.begin() as connection:
            self._acquire_lock(connection)
            run_id = self._insert_run(connection, run, "running", counts)
            sql.execute_all(connection, sql.STAGING_DDL)
            self._copy_staging(connection, data)
            sql.execute_all(connection, sql.ANALYZE_STAGING)
            self._copy_audit(connection, run_id, data)
            self._merge(connection, run_id)
            self._replace_rollups(connection, rollups)
            connection.execute(
                text(
                    "UPDATE insights.ingestion_runs SET status = 'succeeded', "
                    "finished_at = clock_timestamp() WHERE id = :id"
                ),
                {"id": run_id},
            )
        return run_id

    def record_failed_run(self, run: NewRun, error: str) -> int:
        with self._engine.begin() as connection:
            run_id = self._insert_run(connection, run, "failed", {}, error=error)
            connection.execute(
                text(
                    "UPDATE insights.ingestion_runs SET finished_at = clock_timestamp() "
                    "WHERE id = :id"
                ),
                {"id": run_id},
            )
        return run_id

    def list_runs(self, limit: int = 20) -> list[RunSummary]:
        query = f"SELECT {_RUN_COLUMNS} FROM insights.ingestion_runs ORDER BY id DESC LIMIT :n"
        with self._engine.connect() as connection:
            rows = connection.execute(text(query), {"n": limit}).mappings().all()
        return [RunSummary(**row) for row in rows]

    def list_quarantine(self, run_id: int | None = None, limit: int = 100) -> list[QuarantinedRow]:
        query = """
            SELECT run_id, sheet, source_row, reason, original FROM insights.quarantine
            WHERE run_id = COALESCE(:run_id, (
                SELECT max(id) FROM insights.ingestion_runs WHERE status = 'succeeded'))
            ORDER BY sheet, source_row LIMIT :n
        """
        with self._engine.connect() as connection:
            rows = connection.execute(text(query), {"run_id": run_id, "n": limit}).mappings()
            return [QuarantinedRow(**row) for row in rows]

    def read_legacy_tables(self) -> dict[str, pd.DataFrame]:
        sheets = {}
        with self._engine.connect() as connection:
            for sheet, query in sql.LEGACY_SQL.items():
                result = connection.execute(text(query))
                frame = pd.DataFrame(result.all(), columns=list(result.keys()), dtype=object)
                frame["source_row"] = pd.Series(range(1, len(frame) + 1), dtype="int64")
                sheets[sheet] = frame
        return sheets

    # -- steps of a load, each a hook so tests can inject a failure midway --------------

    def _acquire_lock(self, connection: Connection) -> None:
        deadline = time.monotonic() + self._lock_timeout_s
        try_lock = text("SELECT pg_try_advisory_xact_lock(:key)")
        while not connection.execute(try_lock, {"key": INGESTION_LOCK_KEY}).scalar_one():
            if time.monotonic() >= deadline:
                raise IngestionBusy(
                    f"another ingestion is running; gave up after {self._lock_timeout_s:g} s"
                )
            time.sleep(0.2)

    def _insert_run(
        self,
        connection: Connection,
        run: NewRun,
        status: str,
        counts: dict[str, Any],
        error: str | None = None,
    ) -> int:
        query = """
            INSERT INTO insights.ingestion_runs
                (source_name, source_kind, checksum, started_at, status, counts, error)
            VALUES (:name, :kind, :checksum, :started_at, :status, CAST(:counts AS jsonb), :error)
            RETURNING id
        """
        params = {
            "name": run.source_name,
            "kind": run.source_kind,
            "checksum": run.checksum,
            "started_at": run.started_at,
            "status": status,
            "counts": json.dumps(counts),
            "error": error,
        }
        return int(connection.execute(text(query), params).scalar_one())

    def _copy_staging(self, connection: Connection, data: CleanFrames) -> None:
        with _cursor(connection) as cursor:
            _copy(cursor, "stg_customers", data.customers)
            _copy(cursor, "stg_product_months", data.product_months)
            columns, labels = _coded_interactions(data.interactions)
            names = ", ".join(columns)
            payload = memoryview(binary_copy_payload(columns))
            with cursor.copy(f"COPY stg_interactions ({names}) FROM STDIN (FORMAT binary)") as copy:
                for start in range(0, len(payload), _COPY_CHUNK_BYTES):
                    copy.write(payload[start : start + _COPY_CHUNK_BYTES])
            _copy(cursor, "stg_labels", labels)

    def _copy_audit(self, connection: Connection, run_id: int, data: CleanFrames) -> None:
        with _cursor(connection) as cursor:
            _copy(cursor, "insights.quarantine", data.quarantine.assign(run_id=run_id))
            repairs = data.repairs.rename(columns={"column": "column_name"})
            _copy(cursor, "insights.data_quality_log", repairs.assign(run_id=run_id))

    def _merge(self, connection: Connection, run_id: int) -> None:
        for script in (sql.REPLACE_CUSTOMERS, sql.MERGE_PRODUCTS, sql.KEY_INTERACTIONS):
            sql.execute_all(connection, script, {"run_id": run_id})
        # Every index, the primary key's too, is built once after the insert: faster than
        # maintaining it row by row.
        indexes = connection.execute(
            text(sql.SECONDARY_INDEXES), {"table": "insights.interactions"}
        ).all()
        primary_key = connection.execute(text(sql.PRIMARY_KEY)).scalar_one()
        connection.exec_driver_sql(
            f'ALTER TABLE insights.interactions DROP CONSTRAINT "{primary_key}"'
        )
        for name, _ in indexes:
            connection.exec_driver_sql(f'DROP INDEX insights."{name}"')
        staged = connection.execute(text("SELECT count(*) FROM stg_interactions")).scalar_one()
        first_id = connection.execute(text(sql.RESERVE_IDS), {"n": max(staged, 1)}).scalar_one()
        any_kept = connection.execute(
            text("SELECT EXISTS (SELECT 1 FROM kept_interaction_ids)")
        ).scalar_one()
        insert = sql.INSERT_INTERACTIONS if any_kept else sql.INSERT_NEW_INTERACTIONS
        connection.execute(text(insert), {"run_id": run_id, "first_id": first_id})
        connection.exec_driver_sql(
            f'ALTER TABLE insights.interactions ADD CONSTRAINT "{primary_key}" PRIMARY KEY (id)'
        )
        for _, definition in indexes:
            connection.exec_driver_sql(definition)
        connection.exec_driver_sql("ANALYZE insights.interactions")

    def _replace_rollups(self, connection: Connection, rollups: RollupFrames) -> None:
        connection.exec_driver_sql(sql.TRUNCATE_ROLLUPS)
        with _cursor(connection) as cursor:
            _copy(cursor, "insights.interaction_monthly_rollup", rollups.monthly)
            _copy(cursor, "insights.interaction_daily_product_type", rollups.daily)
        connection.exec_driver_sql("ANALYZE insights.interaction_monthly_rollup")
