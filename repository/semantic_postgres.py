"""Semantic queries computed by PostgreSQL, from the rollups where they answer, else the rows."""

import threading
from datetime import date
from typing import Any

from sqlalchemy import Engine, text

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

    @retry_if_partition_detached
    def _run(self, query: SemanticQuery, source: str) -> list[dict[str, Any]]:
        statement, params = build_sql(query, source)
        if relation_for(query, source) is FACTS:
            with self._engine.connect() as connection:
                connection.execute(_NO_JIT)
                rows = connection.execute(text(statement), params).mappings()
                return [dict(row) for row in rows]
        # A rollup's statement costs far below JIT's threshold: one statement, no
        # transaction around it (BEGIN and ROLLBACK were two of its four round trips).
        with single_statements(self._engine) as connection:
            return [dict(row) for row in connection.execute(text(statement), params).mappings()]

    @retry_if_partition_detached
    def vocabulary(self) -> SemanticVocabulary:
        with single_statements(self._engine) as connection:
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

    @retry_if_partition_detached
    def customer_exists(self, customer_id: int) -> bool:
        with self._engine.connect() as connection:
            found = connection.execute(_CUSTOMER_EXISTS, {"customer_id": customer_id})
            return bool(found.scalar_one())

    @retry_if_partition_detached
    def examples(self, query: SemanticQuery, limit: int) -> list[Citation]:
        if any(item.dimension == "customer" for item in query.filters):
            statement, params = customer_citations(query)
        else:
            months = self._newest_months(query, limit)
            if not months:
                return []
            statement, params = citations_in_months(query, months)
        with self._engine.connect() as connection:
            connection.execute(_NO_JIT)
            rows = connection.execute(text(statement), {**params, "limit": limit})
            return [Citation(*row) for row in rows]

    def _newest_months(self, query: SemanticQuery, limit: int) -> list[date]:
        """Return the newest months that together hold ``limit`` matches (or all there are)."""
        statement, params = matches_per_month(query)
        with single_statements(self._engine) as connection:
            counted = connection.execute(text(statement), params).all()
        months, found = [], 0
        for month, count in counted:
            months.append(month)
            found += count
            if found >= limit:
                break
        return months
