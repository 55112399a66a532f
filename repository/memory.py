"""In-memory implementations of the repository interfaces, for fast tests of the layers above."""

from collections.abc import Iterable, Mapping

from repository.health import AbstractHealthRepository
from repository.statistics import AbstractStatisticsRepository


class InMemoryStatisticsRepository(AbstractStatisticsRepository):
    """Statistics over rows held in Python lists."""

    def __init__(self, tables: Mapping[str, list] | None = None) -> None:
        self.tables: dict[str, list] = {name: list(rows) for name, rows in (tables or {}).items()}

    def _count_rows(self, table: str) -> int:
        return len(self.tables.get(table, []))


class InMemoryHealthRepository(AbstractHealthRepository):
    """A database that is always up, with a chosen set of applied migrations."""

    def __init__(self, applied: Iterable[str] = ()) -> None:
        self.applied = set(applied)

    def ping(self) -> None:
        return None

    def applied_migration_ids(self) -> set[str]:
        return set(self.applied)
