"""In-memory fakes of every repository interface, for fast tests of the layers above.

Each subclasses its interface and is checked by the same contract suite as the
PostgreSQL implementation (tests/integration/test_*_contract.py).
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from repository.api_keys import AbstractApiKeyRepository, ApiKey, StoredKey
from repository.customer_history import (
    KEY_TOPIC_COUNT,
    AbstractCustomerHistoryRepository,
    CustomerProfile,
    InteractionSummary,
    LastInteraction,
    Vocabulary,
)
from repository.customers import AbstractCustomerRepository
from repository.errors import Conflict
from repository.factory import Repositories
from repository.generated_content import (
    AbstractGeneratedContentRepository,
    NewContent,
    StoredContent,
)
from repository.health import AbstractHealthRepository
from repository.model import UNKNOWN, Customer, Interaction
from repository.statistics import (
    FILTER_DIMENSIONS,
    AbstractStatisticsRepository,
    InteractionFilter,
)


def every_customer(
    customers: Iterable[Customer], interactions: Iterable[Interaction]
) -> dict[int, Customer]:
    """Return customers by id: those given, plus UNKNOWN ones known only from interactions."""
    found = {customer.customer_id: customer for customer in customers}
    for interaction in interactions:
        found.setdefault(interaction.customer_id, Customer(interaction.customer_id, None, UNKNOWN))
    return dict(sorted(found.items()))


class InMemoryCustomerRepository(AbstractCustomerRepository):
    """Customers and interactions held in Python lists."""

    def __init__(
        self, customers: Iterable[Customer] = (), interactions: Iterable[Interaction] = ()
    ) -> None:
        self.customers = list(customers)
        self.interactions = list(interactions)

    def _stored_customer_types(self) -> set[str]:
        return {customer.customer_type for customer in self.customers}

    def _list_customers(
        self, customer_type: str | None, limit: int, offset: int
    ) -> tuple[list[Customer], int]:
        matching = [
            customer
            for customer in every_customer(self.customers, self.interactions).values()
            if customer_type is None or customer.customer_type == customer_type
        ]
        return matching[offset : offset + limit], len(matching)

    def _get_customer(self, customer_id: int) -> Customer | None:
        return every_customer(self.customers, self.interactions).get(customer_id)


def _by_count_then_recency(names_and_times: list[tuple[str, datetime]]) -> list[str]:
    """Names by how often they occur, ties by latest occurrence, then by name."""
    counts = Counter(name for name, _ in names_and_times)
    latest: dict[str, datetime] = {}
    for name, at in names_and_times:
        latest[name] = max(latest.get(name, at), at)
    ordered = sorted(counts)
    ordered.sort(key=lambda name: (counts[name], latest[name]), reverse=True)
    return ordered


class InMemoryCustomerHistoryRepository(AbstractCustomerHistoryRepository):
    """Customers and their interactions held in Python lists.

    ``products`` names products no interaction mentions (a month nobody was contacted
    in): PostgreSQL lists them in the vocabulary too.
    """

    def __init__(
        self,
        customers: Iterable[Customer] = (),
        interactions: Iterable[Interaction] = (),
        products: Iterable[str] = (),
    ) -> None:
        self.customers = list(customers)
        self.interactions = list(interactions)
        self.products = set(products)

    def _own(self, customer_id: int) -> list[Interaction]:
        own = [item for item in self.interactions if item.customer_id == customer_id]
        return sorted(own, key=lambda item: (item.occurred_at, item.id), reverse=True)

    def _profile(self, customer_id: int) -> CustomerProfile | None:
        customer = every_customer(self.customers, self.interactions).get(customer_id)
        if customer is None:
            return None
        own = self._own(customer_id)
        channels = _by_count_then_recency([(i.channel, i.occurred_at) for i in own if i.channel])
        topics = _by_count_then_recency([(i.topic, i.occurred_at) for i in own if i.topic])
        products = {i.product for i in own if i.product != UNKNOWN}
        latest_use = {p: max(i.occurred_at for i in own if i.product == p) for p in products}
        last = (
            None if not own else LastInteraction(own[0].occurred_at, own[0].channel, own[0].topic)
        )
        summary = InteractionSummary(
            len(own), channels[0] if channels else None, last, tuple(topics[:KEY_TOPIC_COUNT])
        )
        by_recency = sorted(sorted(products), key=lambda p: latest_use[p], reverse=True)
        return CustomerProfile(customer, summary, tuple(by_recency))

    def _newest_first(self, customer_id: int, limit: int, offset: int) -> list[Interaction]:
        return self._own(customer_id)[offset : offset + limit]

    def _page(self, customer_id: int, limit: int, offset: int) -> tuple[list[Interaction], int]:
        return self._newest_first(customer_id, limit, offset), len(self._own(customer_id))

    def _exists(self, customer_id: int) -> bool:
        return customer_id in every_customer(self.customers, self.interactions)

    def vocabulary(self) -> Vocabulary:
        return Vocabulary(
            frozenset(i.topic for i in self.interactions if i.topic),
            frozenset({i.product for i in self.interactions} | self.products) - {UNKNOWN},
        )


class LeakyCustomerHistoryRepository(InMemoryCustomerHistoryRepository):
    """A broken history that answers with every customer's latest interactions."""

    def recent_interactions(self, customer_id: int, limit: int) -> tuple[Interaction, ...]:
        return tuple(self.interactions[:limit])


class InMemoryGeneratedContentRepository(AbstractGeneratedContentRepository):
    """Generations kept in a dict by id."""

    def __init__(self) -> None:
        self.stored: dict[UUID, StoredContent] = {}

    def add(self, content: NewContent) -> StoredContent:
        stored = StoredContent(**vars(content), content_id=uuid4(), created_at=datetime.now(UTC))
        self.stored[stored.content_id] = stored
        return stored

    def _get(self, content_id: UUID) -> StoredContent | None:
        return self.stored.get(content_id)


@dataclass(frozen=True)
class InteractionFact:
    """One clean interaction with the dimensions statistics group and filter by."""

    occurred_at: datetime
    product: str = UNKNOWN
    customer_type: str = UNKNOWN
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
            keys = tuple(getattr(fact, name) or UNKNOWN for name in group_by)
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


class UnreachableHealthRepository(InMemoryHealthRepository):
    """A database that refuses every connection."""

    def ping(self) -> None:
        raise ConnectionError("connection refused")


class InMemoryApiKeyRepository(AbstractApiKeyRepository):
    """Keys and their audit entries held in Python containers."""

    def __init__(self, pepper: bytes = b"in-memory pepper") -> None:
        super().__init__(pepper)
        self.rows: dict[str, StoredKey] = {}
        self.audit: list[tuple[str, str, str | None]] = []  # (action, name, actor)

    def list_keys(self) -> list[ApiKey]:
        return sorted((row.key for row in self.rows.values()), key=lambda k: k.created_at)

    def _insert(self, name, prefix, secret_hash, scopes, expires_at, actor) -> ApiKey:
        if name in self.rows:
            raise Conflict(f"an API key named {name!r} already exists")
        key = ApiKey(name, prefix, tuple(scopes), datetime.now(UTC), expires_at)
        self.rows[name] = StoredKey(key, secret_hash)
        self.audit.append(("created", name, actor))
        return key

    def _revoke(self, name: str, actor: str | None) -> ApiKey | None:
        row = self.rows.get(name)
        if row is None:
            return None
        key = replace(row.key, revoked_at=row.key.revoked_at or datetime.now(UTC))
        self.rows[name] = replace(row, key=key)
        self.audit.append(("revoked", name, actor))
        return key

    def _find(self, prefix: str) -> StoredKey | None:
        return next((row for row in self.rows.values() if row.key.prefix == prefix), None)

    def _touch(self, prefix: str, now: datetime) -> None:
        row = self._find(prefix)
        if row is not None:
            self.rows[row.key.name] = replace(row, key=replace(row.key, last_used_at=now))


def fake_repositories(applied_migrations: Iterable[str] = ()) -> Repositories:
    """Return empty in-memory repositories: an app on them serves but cannot load data."""
    return Repositories(
        statistics=InMemoryStatisticsRepository(),
        health=InMemoryHealthRepository(applied_migrations),
        customers=InMemoryCustomerRepository(),
        customer_history=InMemoryCustomerHistoryRepository(),
        generated_content=InMemoryGeneratedContentRepository(),
        ingestion=None,
        engine=None,
        api_keys=InMemoryApiKeyRepository(),
    )
