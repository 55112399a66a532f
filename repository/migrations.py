"""Apply, list and roll back the yoyo migrations in ``artifacts/migrations``."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg
from yoyo import get_backend, read_migrations
from yoyo.backends import DatabaseBackend

from repository.engine import driver_url, redacted
from repository.errors import ConfigurationError, Unavailable


@dataclass(frozen=True)
class MigrationState:
    """One migration on disk and whether the database has it."""

    id: str
    applied_at: datetime | None

    @property
    def applied(self) -> bool:
        return self.applied_at is not None


def migration_ids(migrations_dir: Path) -> list[str]:
    """Return the ids of the migrations on disk, in the order they apply."""
    return [m.id for m in _read(migrations_dir)]


def pending_ids(on_disk: list[str], applied: set[str]) -> list[str]:
    """Return the migrations on disk that the database has not applied, in order."""
    return [migration_id for migration_id in on_disk if migration_id not in applied]


def status(url: str, migrations_dir: Path) -> list[MigrationState]:
    """Return every migration on disk with the time it was applied, if it was."""
    migrations = _read(migrations_dir)
    with _backend(url) as backend:
        backend.ensure_internal_schema_updated()
        rows = backend.execute(
            backend.format_sql(
                "SELECT {quoted.migration_hash}, {quoted.applied_at_utc} "
                "FROM {0.migration_table_quoted}"
            )
        ).fetchall()
    applied_at = dict(rows)
    return [MigrationState(m.id, applied_at.get(m.hash)) for m in migrations]


def upgrade(url: str, migrations_dir: Path) -> list[str]:
    """Apply every pending migration in one locked step; return the ids applied."""
    migrations = _read(migrations_dir)
    with _backend(url) as backend, backend.lock():
        to_apply = backend.to_apply(migrations)
        backend.apply_migrations(to_apply)
        return [m.id for m in to_apply]


def downgrade(url: str, migrations_dir: Path) -> str | None:
    """Roll back the most recently applied migration; return its id, or None if none is."""
    migrations = _read(migrations_dir)
    with _backend(url) as backend, backend.lock():
        to_rollback = backend.to_rollback(migrations)
        if not to_rollback:
            return None
        last = to_rollback[0]
        backend.rollback_migrations(to_rollback[:1])
        return last.id


def _read(migrations_dir: Path):  # noqa: ANN202 - yoyo's MigrationList is untyped
    if not Path(migrations_dir).is_dir():
        raise ConfigurationError(f"migrations folder not found: {migrations_dir}")
    return read_migrations(str(migrations_dir))


@contextmanager
def _backend(url: str) -> Iterator[DatabaseBackend]:
    try:
        backend = get_backend(driver_url(url))
    except psycopg.OperationalError as error:
        reason = " ".join(str(error).split()) or "no answer"
        raise Unavailable(f"cannot connect to {redacted(url)}: {reason}") from None
    try:
        yield backend
    finally:
        backend.connection.close()
