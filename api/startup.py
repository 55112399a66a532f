"""What every serving process checks before it takes requests."""

import logging

from api.readiness import require_current_schema
from repository.factory import Repositories

log = logging.getLogger(__name__)


def prepare_to_serve(repositories: Repositories, known_migrations: list[str]) -> None:
    """Refuse a stale schema, then mark runs whose loading process died as abandoned.

    Raises:
        Unavailable: migrations are pending.
    """
    require_current_schema(repositories, known_migrations)
    if repositories.ingestion is not None:
        abandoned = repositories.ingestion.mark_abandoned_runs()
        if abandoned:
            log.warning("marked ingestion runs abandoned", extra={"run_ids": abandoned})
