"""What the metrics read from the database at scrape time: data freshness, runs, campaigns."""

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


@dataclass(frozen=True)
class CampaignSnapshot:
    """Campaign work as one scrape sees it."""

    campaigns_by_status: dict[str, int]
    # Items of the campaigns still open (queued, running, paused): finished campaigns'
    # items no longer change, and counting them all would grow every scrape's cost.
    open_items_by_status: dict[str, int]
    # Queue jobs by (queue, status), e.g. ("campaigns", "todo").
    jobs_by_status: dict[tuple[str, str], int]
    # When the longest-waiting runnable job was deferred (None: nothing waits).
    oldest_waiting_since: datetime | None
    # Deliveries not settled yet: queued, sending, and unknown (a person must decide).
    open_deliveries_by_status: dict[str, int] = field(default_factory=dict)


class AbstractOperationsRepository(ABC):
    """Read the figures the scrape-time collectors publish."""

    @abstractmethod
    def snapshot(self) -> OperationsSnapshot:
        """Return the current data version, its age and the ingestion runs by status."""

    @abstractmethod
    def campaign_snapshot(self) -> CampaignSnapshot:
        """Return campaigns and their open items by status, and the job queue's state."""


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

    _CAMPAIGNS = text(
        """
        SELECT
            (SELECT coalesce(jsonb_object_agg(status, n), '{}'::jsonb)
               FROM (SELECT status, count(*) AS n FROM insights.campaigns
                     GROUP BY status) AS c) AS campaigns,
            (SELECT coalesce(jsonb_object_agg(status, n), '{}'::jsonb)
               FROM (SELECT i.status, count(*) AS n FROM insights.campaign_items i
                     JOIN insights.campaigns c ON c.id = i.campaign_id
                     WHERE c.status IN ('queued', 'running', 'paused')
                     GROUP BY i.status) AS i) AS items,
            (SELECT coalesce(jsonb_agg(jsonb_build_array(queue_name, status, n)), '[]'::jsonb)
               FROM (SELECT queue_name, status::text AS status, count(*) AS n
                     FROM procrastinate_jobs WHERE status IN ('todo', 'doing')
                     GROUP BY queue_name, status) AS j) AS jobs,
            (SELECT min(coalesce(j.scheduled_at, e.at)) FROM procrastinate_jobs j
               LEFT JOIN procrastinate_events e ON e.job_id = j.id AND e.type = 'deferred'
              WHERE j.status = 'todo' AND (j.scheduled_at IS NULL OR j.scheduled_at <= now())
            ) AS oldest,
            (SELECT coalesce(jsonb_object_agg(status, n), '{}'::jsonb)
               FROM (SELECT status, count(*) AS n FROM insights.deliveries
                     WHERE status IN ('queued', 'sending', 'unknown')
                     GROUP BY status) AS d) AS deliveries
        """
    )

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def snapshot(self) -> OperationsSnapshot:
        with single_statements(self._engine) as connection:
            row = connection.execute(self._SNAPSHOT).one()
        runs = {str(status): int(count) for status, count in row.runs.items()}
        return OperationsSnapshot(row.version, row.switched_at, row.last_success, runs)

    def campaign_snapshot(self) -> CampaignSnapshot:
        with single_statements(self._engine) as connection:
            row = connection.execute(self._CAMPAIGNS).one()
        return CampaignSnapshot(
            {str(k): int(v) for k, v in row.campaigns.items()},
            {str(k): int(v) for k, v in row.items.items()},
            {(str(queue), str(status)): int(n) for queue, status, n in row.jobs},
            row.oldest,
            {str(k): int(v) for k, v in row.deliveries.items()},
        )
