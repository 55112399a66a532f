"""Decide whether the service may serve: database reachable and schema current."""

import logging

from repository.errors import Unavailable
from repository.factory import Repositories
from repository.health import AbstractHealthRepository
from repository.migrations import pending_ids

log = logging.getLogger(__name__)


def readiness_checks(repositories: Repositories, known_migrations: list[str]) -> dict[str, str]:
    """Return one verdict per dependency; each is ``"ok"`` or says what is wrong."""
    try:
        repositories.health.ping()
        applied = repositories.health.applied_migration_ids()
    except Exception as error:  # any failure here means "not ready", never a 500
        log.warning("readiness: database unreachable: %s", error)
        return {"database": "unreachable", "migrations": "unknown"}
    pending = pending_ids(known_migrations, applied)
    checks = {"database": "ok", "migrations": _describe_pending(pending)}
    if repositories.read_health is not None and repositories.primary is not None:
        checks["replica"] = _replica_verdict(repositories.read_health)
    return checks


def _replica_verdict(replica: AbstractHealthRepository) -> str:
    """Say whether the read replica (READ_DATABASE_URL) answers: every read goes there."""
    try:
        replica.ping()
    except Exception as error:  # as for the primary: "not ready", never a 500
        log.warning("readiness: read replica unreachable: %s", error)
        return "unreachable"
    return "ok"


def require_current_schema(repositories: Repositories, known_migrations: list[str]) -> None:
    """Raise Unavailable unless every migration on disk has been applied."""
    pending = pending_ids(known_migrations, repositories.health.applied_migration_ids())
    if pending:
        raise Unavailable(
            f"database schema is out of date: {_describe_pending(pending)}; "
            "run `insights db upgrade` first"
        )


def _describe_pending(pending: list[str]) -> str:
    if not pending:
        return "ok"
    return f"{len(pending)} pending ({', '.join(pending)})"
