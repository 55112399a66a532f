"""Probe the database for the readiness check."""

from abc import ABC, abstractmethod

from sqlalchemy import Engine, text

from repository.engine import probe


class AbstractHealthRepository(ABC):
    """What the readiness check needs to know about the database."""

    @abstractmethod
    def ping(self) -> None:
        """Return if the database answers a trivial query; raise otherwise."""

    @abstractmethod
    def applied_migration_ids(self) -> set[str]:
        """Return the ids of the migrations the database has applied."""


class PostgresHealthRepository(AbstractHealthRepository):
    """Readiness probes against PostgreSQL."""

    # yoyo's bookkeeping table; absent until the first migration is applied.
    _APPLIED_SQL = text("SELECT migration_id FROM _yoyo_migration")
    _HAS_TABLE_SQL = text("SELECT to_regclass('_yoyo_migration') IS NOT NULL")

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def ping(self) -> None:
        # On a connection of its own, bounded by the stall timeout: a pooled one may hang.
        probe(self._engine)

    def applied_migration_ids(self) -> set[str]:
        with self._engine.connect() as connection:
            if not connection.execute(self._HAS_TABLE_SQL).scalar_one():
                return set()
            return set(connection.execute(self._APPLIED_SQL).scalars())
