"""The interaction-history repository over PostgreSQL, and in memory for tests."""

import time
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine

from repository import interactions_sql as sql
from repository.customer_history import (
    KEY_TOPIC_COUNT,
    AbstractInteractionRepository,
    CustomerProfile,
    HistoryItem,
    InteractionSummary,
    LastInteraction,
    Vocabulary,
)
from repository.customers import UNKNOWN, Customer
from repository.engine import single_statements


class PostgresInteractionRepository(AbstractInteractionRepository):
    """Histories read from the clean tables via the (customer_id, occurred_at) index."""

    def __init__(self, engine: Engine, vocabulary_recheck_s: float = 5.0) -> None:
        self._engine = engine
        # Names change only when a load lands: look for a newer succeeded run at most this
        # often, instead of a round trip on every generation.
        self._recheck_s = vocabulary_recheck_s
        # (when checked, latest succeeded run id, vocabulary), swapped whole.
        self._cache: tuple[float, int | None, Vocabulary] | None = None

    def _profile(self, customer_id: int) -> CustomerProfile | None:
        params = {"customer_id": customer_id, "key_topic_count": KEY_TOPIC_COUNT}
        with single_statements(self._engine) as connection:
            row = connection.execute(sql.PROFILE, params).one()
        if not row.has_row and row.total == 0:
            return None
        customer = Customer(customer_id, row.occupation, row.customer_type or UNKNOWN)
        last = None
        if row.occurred_at is not None:
            last = LastInteraction(row.occurred_at, row.channel, row.topic)
        summary = InteractionSummary(
            int(row.total), row.favourite_channel, last, tuple(row.key_topics or ())
        )
        return CustomerProfile(customer, summary, tuple(row.products or ()))

    def recent_interactions(self, customer_id: int, limit: int) -> tuple[HistoryItem, ...]:
        params = {"customer_id": customer_id, "limit": limit}
        with single_statements(self._engine) as connection:
            rows = connection.execute(sql.RECENT_INTERACTIONS, params).all()
        return tuple(HistoryItem(*row) for row in rows)

    def vocabulary(self) -> Vocabulary:
        cached, now = self._cache, time.monotonic()
        if cached is not None and now - cached[0] < self._recheck_s:
            return cached[2]
        with single_statements(self._engine) as connection:
            run_id = connection.execute(sql.LATEST_SUCCEEDED_RUN).scalar_one()
            if cached is not None and cached[1] == run_id:
                vocabulary = cached[2]
            else:
                vocabulary = Vocabulary(
                    frozenset(connection.execute(sql.TOPICS).scalars()),
                    frozenset(connection.execute(sql.PRODUCTS).scalars()),
                )
        # One tuple assignment: threads of a worker see the old cache or the new, never a mix.
        self._cache = (now, run_id, vocabulary)
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
    """Customers and their interactions held in Python lists.

    ``products`` names products no interaction mentions (a month nobody was contacted
    in): PostgreSQL lists them in the vocabulary too.
    """

    def __init__(
        self,
        customers: Iterable[Customer] = (),
        interactions: Iterable[HistoryItem] = (),
        products: Iterable[str] = (),
    ) -> None:
        self.customers = {customer.customer_id: customer for customer in customers}
        self.interactions = list(interactions)
        self.products = set(products)

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
            frozenset({i.product for i in self.interactions} | self.products) - {UNKNOWN},
        )
