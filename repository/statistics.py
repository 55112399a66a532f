"""Statistics over the stored data: the abstract interface and its PostgreSQL implementation."""

from abc import ABC, abstractmethod

from sqlalchemy import Engine, text

from repository.errors import NotFound

# The names the legacy row-count endpoint answers for, and the clean table each one
# counts (the data the service serves, not the raw legacy import). Only these names
# ever reach SQL, and they come from this constant, never from a request.
LEGACY_TABLES = ("customers", "interactions", "products")
_COUNTED_TABLE = {
    "customers": "insights.customers",
    "interactions": "insights.interactions",
    "products": "insights.product_months",
}


class AbstractStatisticsRepository(ABC):
    """Read-side statistics queries."""

    def count_rows(self, table: str) -> int:
        """Return the number of clean rows behind one of ``LEGACY_TABLES``.

        Raises:
            NotFound: ``table`` is not one of ``LEGACY_TABLES``.
        """
        if table not in LEGACY_TABLES:
            raise NotFound(f"unknown table {table!r}; expected one of: {', '.join(LEGACY_TABLES)}")
        return self._count_rows(table)

    @abstractmethod
    def _count_rows(self, table: str) -> int:
        """Count rows of a table already checked against the allow-list."""


class PostgresStatisticsRepository(AbstractStatisticsRepository):
    """Statistics computed by PostgreSQL."""

    _COUNT_SQL = {
        name: text(f"SELECT count(*) FROM {table}") for name, table in _COUNTED_TABLE.items()
    }

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _count_rows(self, table: str) -> int:
        with self._engine.connect() as connection:
            return int(connection.execute(self._COUNT_SQL[table]).scalar_one())
