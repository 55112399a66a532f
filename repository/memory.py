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
    customer_id: int = 0


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

    def _interaction_counts(
        self, filters: InteractionFilter, group_by: tuple[str, ...], granularity: str | None
    ) -> list[dict[str, Any]]:
        counts: Counter[tuple] = Counter()
        for fact in self._matching(filters):
            period = _PERIOD[granularity](fact.occurred_at) if granularity else None
            keys = tuple(getattr(fact, name) or "Unknown" for name in group_by)
            counts[(period, *keys)] += 1
        ordered = sorted(counts.items(), key=lambda item: tuple(k or "" for k in item[0]))
        return [
            {"period": key[0], **dict(zip(group_by, key[1:], strict=True)), "interactions": n}
            for key, n in ordered
        ]

    def reach(self, filters: InteractionFilter) -> dict[str, Any]:
        facts = self._matching(filters)
        moments = [fact.occurred_at for fact in facts]
        return {
            "customers": len({fact.customer_id for fact in facts}),
            "first_interaction": min(moments, default=None),
            "last_interaction": max(moments, default=None),
        }

    def _matching(self, filters: InteractionFilter) -> list[InteractionFact]:
        return [fact for fact in self.facts if _matches(fact, filters)]

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


class InMemoryHealthRepository(AbstractHealthRepository):
    """A database that is always up, with a chosen set of applied migrations."""

    def __init__(self, applied: Iterable[str] = ()) -> None:
        self.applied = set(applied)

    def ping(self) -> None:
        return None

    def applied_migration_ids(self) -> set[str]:
        return set(self.applied)
