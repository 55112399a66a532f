"""Probe the database for the readiness check."""

import logging
from abc import ABC, abstractmethod

import psycopg
from sqlalchemy import Engine, event, text

from repository.engine import connector_of, probe
from repository.errors import Unavailable
from repository.spare_connections import SpareConnections
from repository.version_lease import VersionLease

log = logging.getLogger(__name__)


class AbstractHealthRepository(ABC):
    """What the readiness check needs to know about the database."""

    @abstractmethod
    def ping(self) -> None:
        """Return if the database answers a trivial query; raise otherwise."""

    @abstractmethod
    def applied_migration_ids(self) -> set[str]:
        """Return the ids of the migrations the database has applied."""

    def data_version(self) -> int | None:
        """Return the data version readers are served (None where data is not versioned)."""
        return None


class PostgresHealthRepository(AbstractHealthRepository):
    """Readiness probes against PostgreSQL."""

    # yoyo's bookkeeping table; absent until the first migration is applied.
    _APPLIED_SQL = text("SELECT migration_id FROM _yoyo_migration")
    _HAS_TABLE_SQL = text("SELECT to_regclass('_yoyo_migration') IS NOT NULL")
    _VERSION_SQL = "SELECT version FROM insights.data_version"

    def __init__(self, engine: Engine, lease: bool = False) -> None:
        """``lease``: hold the version pushed by loads (repository/version_lease.py), not
        read it per request; only on a primary, where loads switch it and notify."""
        self._engine = engine
        # Without a lease, every request reads the version: on connections of their own.
        self._spare = SpareConnections(engine, keep=engine.pool.size())  # type: ignore[attr-defined]
        self._lease = VersionLease(connector_of(engine)) if lease else None
        if self._lease is not None:
            event.listen(engine, "engine_disposed", self._lease.close)

    def ping(self) -> None:
        # On a connection of its own, bounded by the stall timeout: a pooled one may hang.
        probe(self._engine)

    def data_version(self) -> int | None:
        held = self._lease.current() if self._lease is not None else None
        if held is not None:
            return held
        try:
            return self._spare.scalar(self._VERSION_SQL)
        except psycopg.Error as error:
            log.warning("data version unreadable: %s", error)
            raise Unavailable(
                "The database is unavailable or too slow; try again shortly."
            ) from error

    def applied_migration_ids(self) -> set[str]:
        with self._engine.connect() as connection:
            if not connection.execute(self._HAS_TABLE_SQL).scalar_one():
                return set()
            return set(connection.execute(self._APPLIED_SQL).scalars())
