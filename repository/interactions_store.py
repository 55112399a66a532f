"""The interaction-history repository over PostgreSQL, and in memory for tests."""

import threading
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, Engine

from repository import interactions_sql as sql
from repository.customers import UNKNOWN, Customer
from repository.interactions import (
    KEY_TOPIC_COUNT,
    AbstractInteractionRepository,
    CustomerProfile,
    HistoryItem,
    InteractionSummary,
    LastInteraction,
    Vocabulary,
)


class PostgresInteractionRepository(AbstractInteractionRepository):
    """Histories read from the clean tables via the (customer_id, occurred_at) index."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        # (latest succeeded run id, vocabulary): names change only when a load lands.
        self._vocabulary: tuple[int | None, Vocabulary] | None = None
        self._vocabulary_lock = threading.Lock()

    def _snapshot(self) -> Connection:
        return self._engine.connect().execution_options(isolation_level="REPEATABLE READ")

    def _profile(self, customer_id: int) -> CustomerProfile | None:
        params = {"customer_id": customer_id, "key_topic_count": KEY_TOPIC_COUNT}
        with self._snapshot() as connection:
            row = connection.execute(sql.ONE_CUSTOMER, params).one_or_none()
            if row is not None:
                customer = Customer(customer_id, row[0], row[1])
            elif connection.execute(sql.HAS_INTERACTIONS, params).scalar_one():
                customer = Customer(customer_id, None, UNKNOWN)
            else:
                return None
            total, channel, topics, last_at, last_channel, last_topic = connection.execute(
                sql.SUMMARY, params
            ).one()
            products = connection.execute(sql.CONTACTED_PRODUCTS, params).scalars().all()
        last = None if last_at is None else LastInteraction(last_at, last_channel, last_topic)
        summary = InteractionSummary(int(total), channel, last, tuple(topics or ()))
        return CustomerProfile(customer, summary, tuple(products))

    def recent_interactions(self, customer_id: int, limit: int) -> tuple[HistoryItem, ...]:
        params = {"customer_id": customer_id, "limit": limit}
        with self._engine.connect() as connection:
            rows = connection.execute(sql.RECENT_INTERACTIONS, params).all()
        return tuple(HistoryItem(*row) for row in rows)

    def vocabulary(self) -> Vocabulary:
        with self._engine.connect() as connection:
            run_id = connection.execute(sql.LATEST_SUCCEEDED_RUN).scalar_one()
            cached = self._vocabulary
            if cached is not None and cached[0] == run_id:
                return cached[1]
            vocabulary = Vocabulary(
                frozenset(connection.execute(sql.TOPICS).scalars()),
                frozenset(connection.execute(sql.PRODUCTS).scalars()),
            )
        with self._vocabulary_lock:
            self._vocabulary = (run_id, vocabulary)
        return vocabulary


def _by_count_then_recency(names_and_times: list[tuple[str, datetime]]) -> list[str]:
    """Names by how often they occur, ties by latest occurrence, then by name."""
    counts = Counter(name for name, _ in names_and_times)
    latest: dict[str, datetime] = {}
    for name, at in names_and_times:
        latest[name] = max(latest.get(name, at), at)
    ordered = sorted(counts)
    ordered.sort(key=lambda name: (counts[name], latest[name]), reverse=True)
    return ordered


class InMemoryInteractionRepository(AbstractInteractionRepository):
    """Customers and their interactions held in Python lists."""

    def __init__(
        self, customers: Iterable[Customer] = (), interactions: Iterable[HistoryItem] = ()
    ) -> None:
        self.customers = {customer.customer_id: customer for customer in customers}
        self.interactions = list(interactions)

    def _own(self, customer_id: int) -> list[HistoryItem]:
        own = [item for item in self.interactions if item.customer_id == customer_id]
        return sorted(own, key=lambda item: (item.occurred_at, item.id), reverse=True)

    def _profile(self, customer_id: int) -> CustomerProfile | None:
        own = self._own(customer_id)
        customer = self.customers.get(customer_id)
        if customer is None and not own:
            return None
        customer = customer or Customer(customer_id, None, UNKNOWN)
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

    def recent_interactions(self, customer_id: int, limit: int) -> tuple[HistoryItem, ...]:
        return tuple(self._own(customer_id)[:limit])

    def vocabulary(self) -> Vocabulary:
        return Vocabulary(
            frozenset(i.topic for i in self.interactions if i.topic),
            frozenset(i.product for i in self.interactions if i.product != UNKNOWN),
        )
