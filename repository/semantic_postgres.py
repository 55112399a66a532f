"""Semantic queries computed by PostgreSQL, from the rollups where they answer, else the rows."""

import threading
from collections.abc import Callable
from contextvars import ContextVar
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, text

from repository.engine import retry_if_partition_detached, single_statements
from repository.model import CURRENT_VERSION_SQL
from repository.semantic import (
    MONTHLY_DIMENSIONS,
    AbstractSemanticRepository,
    Citation,
    SemanticQuery,
    SemanticVocabulary,
)
from repository.semantic_sql import (
    COLUMNS,
    FACTS,
    build_sql,
    citations_in_months,
    customer_citations,
    matches_per_month,
    relation_for,
)

_R = TypeVar("_R")
# The connection ``together`` holds for the calls inside it, per thread (a context each).
_HELD: ContextVar[Connection | None] = ContextVar("semantic_connection", default=None)
_VERSION = text("SELECT version FROM insights.data_version")
# These statements run in milliseconds; PostgreSQL's JIT, triggered by the cost estimate of
# a month's scan, spent 44 ms compiling one at 1,000,000 interactions.
_NO_JIT = text("SET LOCAL jit = off")
_VOCABULARY = text(f"""
    SELECT 'product', product FROM insights.interaction_monthly_rollup
    WHERE version = {CURRENT_VERSION_SQL} GROUP BY 2
    UNION ALL SELECT 'customer_type', customer_type FROM insights.interaction_monthly_rollup
    WHERE version = {CURRENT_VERSION_SQL} GROUP BY 2
    UNION ALL SELECT 'channel', {COLUMNS["channel"]} FROM insights.interaction_monthly_rollup
    WHERE version = {CURRENT_VERSION_SQL} GROUP BY 2
    UNION ALL SELECT 'topic', {COLUMNS["topic"]} FROM insights.interaction_monthly_rollup
    WHERE version = {CURRENT_VERSION_SQL} GROUP BY 2
    UNION ALL SELECT 'sentiment', {COLUMNS["sentiment"]} FROM insights.interaction_monthly_rollup
    WHERE version = {CURRENT_VERSION_SQL} GROUP BY 2
""")  # nosec B608 # built from constants; values are bound
_DAYS = text(
    "SELECT min(day), max(day) FROM insights.interaction_daily_product_type "
    f"WHERE version = {CURRENT_VERSION_SQL}"  # nosec B608 # built from constants; values are bound
)
_CUSTOMER_EXISTS = text(f"""
    SELECT EXISTS (SELECT 1 FROM insights.customers
                   WHERE version = {CURRENT_VERSION_SQL} AND customer_id = :customer_id)
        OR EXISTS (SELECT 1 FROM insights.interactions
                   WHERE version = {CURRENT_VERSION_SQL} AND customer_id = :customer_id)
""")  # nosec B608 # built from constants; values are bound


class PostgresSemanticRepository(AbstractSemanticRepository):
    """Semantic queries over the served data version."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        # (data version, vocabulary): the vocabulary changes only when a load lands.
        self._cache: tuple[int, SemanticVocabulary] | None = None

    def together(self, work: Callable[[], _R]) -> _R:
        if _HELD.get() is not None:
            return work()
        return self._together(work)

    @retry_if_partition_detached
    def _together(self, work: Callable[[], _R]) -> _R:
        # Once more from the start if a load detached a partition under a plan: the
        # transaction it aborted cannot run the next statement. REPEATABLE READ: one
        # snapshot for every read of the work, even while a load commits.
        snapshot = self._engine.connect().execution_options(isolation_level="REPEATABLE READ")
        with snapshot as connection:
            connection.execute(_NO_JIT)
            token = _HELD.set(connection)
            try:
                return work()
            finally:
                _HELD.reset(token)

    def _read(self, work: Callable[[Connection], _R], *, small: bool = False) -> _R:
        """Run ``work`` on the connection held by ``together``, else on one of its own.

        ``small``: a rollup's statement, whose cost is far below JIT's threshold; on a
        connection of its own it runs as one autocommit statement (BEGIN, SET and ROLLBACK
        were three of its five round trips).
        """
        held = _HELD.get()
        return work(held) if held is not None else self._own(work, small)

    @retry_if_partition_detached
    def _own(self, work: Callable[[Connection], _R], small: bool) -> _R:
        if small:
            with single_statements(self._engine) as connection:
                return work(connection)
        with self._engine.connect() as connection:
            connection.execute(_NO_JIT)
            return work(connection)

    def _run(self, query: SemanticQuery, source: str) -> list[dict[str, Any]]:
        statement, params = build_sql(query, source)
        return self._read(
            lambda connection: [
                dict(row) for row in connection.execute(text(statement), params).mappings()
            ],
            small=relation_for(query, source) is not FACTS,
        )

    def vocabulary(self, version: int | None = None) -> SemanticVocabulary:
        cached = self._cache
        if version is not None and cached is not None and cached[0] == version:
            return cached[1]  # the round trip of the version check, and a checkout, spared
        return self._read(self._vocabulary, small=True)

    def _vocabulary(self, connection: Connection) -> SemanticVocabulary:
        version = connection.execute(_VERSION).scalar_one()
        cached = self._cache
        if cached is not None and cached[0] == version:
            return cached[1]
        values: dict[str, list[str]] = {name: [] for name in MONTHLY_DIMENSIONS}
        for dimension, value in connection.execute(_VOCABULARY):
            values[dimension].append(value)
        first, last = connection.execute(_DAYS).one()
        vocabulary = SemanticVocabulary(
            {name: tuple(sorted(found)) for name, found in values.items()}, first, last
        )
        with self._lock:
            self._cache = (version, vocabulary)
        return vocabulary

    def customer_exists(self, customer_id: int) -> bool:
        return self._read(
            lambda c: bool(c.execute(_CUSTOMER_EXISTS, {"customer_id": customer_id}).scalar_one()),
            small=True,
        )

    def examples(self, query: SemanticQuery, limit: int) -> list[Citation]:
        if any(item.dimension == "customer" for item in query.filters):
            statement, params = customer_citations(query)
        else:
            months = self._newest_months(query, limit)
            if not months:
                return []
            statement, params = citations_in_months(query, months)
        bound = {**params, "limit": limit}
        return self._read(lambda c: [Citation(*row) for row in c.execute(text(statement), bound)])

    def _newest_months(self, query: SemanticQuery, limit: int) -> list[date]:
        """Return the newest months that together hold ``limit`` matches (or all there are)."""
        statement, params = matches_per_month(query)
        counted = self._read(lambda c: c.execute(text(statement), params).all(), small=True)
        months, found = [], 0
        for month, count in counted:
            months.append(month)
            found += count
            if found >= limit:
                break
        return months
