"""In-memory implementations of the repository interfaces, for fast tests of the layers above."""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from repository.health import AbstractHealthRepository
from repository.statistics import (
    FILTER_DIMENSIONS,
    AbstractStatisticsRepository,
    InteractionFilter,
)


@dataclass(frozen=True)
class InteractionFact:
    """One clean interaction with the dimensions statistics group and filter by."""

    occurred_at: datetime
    product: str = "Unknown"
    customer_type: str = "Unknown"
    channel: str | None = None
    topic: str | None = None
    sentiment: str | None = None


_PERIOD = {
    "month": lambda at: f"{at.year}-{at.month:02d}",
    "quarter": lambda at: f"{at.year}-Q{(at.month - 1) // 3 + 1}",
    "year": lambda at: f"{at.year}",
}


class InMemoryStatisticsRepository(AbstractStatisticsRepository):
    """Statistics over rows held in Python lists."""

    def __init__(
        self, tables: Mapping[str, list] | None = None, facts: Iterable[InteractionFact] = ()
    ) -> None:
        self.tables: dict[str, list] = {name: list(rows) for name, rows in (tables or {}).items()}
        self.facts = list(facts)

    def _count_rows(self, table: str) -> int:
        return len(self.tables.get(table, []))

    def product_interactions(
        self, filters: InteractionFilter, granularity: str | None = None
    ) -> list[dict[str, Any]]:
        counts: Counter[tuple[str | None, str, str]] = Counter()
        for fact in filter(lambda f: _matches(f, filters), self.facts):
            period = _PERIOD[granularity](fact.occurred_at) if granularity else None
            counts[(period, fact.product, fact.customer_type)] += 1
        rows = []
        for (period, product, customer_type), n in sorted(counts.items(), key=_sort_key):
            row: dict[str, Any] = {"product": product, "customer_type": customer_type}
            row["interactions"] = n
            if granularity:
                row["period"] = period
            rows.append(row)
        return rows

    def filter_values(self) -> dict[str, set[str]]:
        return {
            dimension: {v for f in self.facts if (v := getattr(f, dimension)) is not None}
            for dimension in FILTER_DIMENSIONS
        }


def _matches(fact: InteractionFact, filters: InteractionFilter) -> bool:
    day = fact.occurred_at.date()
    return (
        (filters.date_from is None or day >= filters.date_from)
        and (filters.date_to is None or day <= filters.date_to)
        and (not filters.channels or fact.channel in filters.channels)
        and (not filters.sentiments or fact.sentiment in filters.sentiments)
        and (not filters.topics or fact.topic in filters.topics)
    )


def _sort_key(item: tuple[tuple[str | None, str, str], int]) -> tuple[str, str, str]:
    (period, product, customer_type), _ = item
    return (period or "", product, customer_type)


class InMemoryHealthRepository(AbstractHealthRepository):
    """A database that is always up, with a chosen set of applied migrations."""

    def __init__(self, applied: Iterable[str] = ()) -> None:
        self.applied = set(applied)

    def ping(self) -> None:
        return None

    def applied_migration_ids(self) -> set[str]:
        return set(self.applied)
