"""What the metrics read from the database at scrape time: data freshness and run counts."""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, text

from repository.engine import single_statements


@dataclass(frozen=True)
class OperationsSnapshot:
    """The state of the data as one scrape sees it."""

    data_version: int | None
    # When readers were switched to the current version (a load's commit).
    data_version_switched_at: datetime | None
    last_success_finished_at: datetime | None
    runs_by_status: dict[str, int] = field(default_factory=dict)


class AbstractOperationsRepository(ABC):
    """Read the figures the scrape-time collectors publish."""

    @abstractmethod
    def snapshot(self) -> OperationsSnapshot:
        """Return the current data version, its age and the ingestion runs by status."""


class PostgresOperationsRepository(AbstractOperationsRepository):
    """The snapshot in one statement, on an autocommit connection (a scrape is a read)."""

    _SNAPSHOT = text(
        """
        SELECT
            (SELECT version FROM insights.data_version) AS version,
            (SELECT switched_at FROM insights.data_version) AS switched_at,
            (SELECT max(finished_at) FROM insights.ingestion_runs
              WHERE status = 'succeeded') AS last_success,
            (SELECT coalesce(jsonb_object_agg(status, n), '{}'::jsonb)
               FROM (SELECT status, count(*) AS n FROM insights.ingestion_runs
                     GROUP BY status) AS runs) AS runs
        """
    )

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def snapshot(self) -> OperationsSnapshot:
        with single_statements(self._engine) as connection:
            row = connection.execute(self._SNAPSHOT).one()
        runs = {str(status): int(count) for status, count in row.runs.items()}
        return OperationsSnapshot(row.version, row.switched_at, row.last_success, runs)
