"""Semantic queries computed by PostgreSQL, from the rollups where they answer, else the rows."""

import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text

from repository.engine import retry_if_partition_detached
from repository.model import CURRENT_VERSION_SQL, UNKNOWN_SQL
from repository.semantic import (
    DAILY_DIMENSIONS,
    MONTHLY_DIMENSIONS,
    PERIOD,
    ROLLUP,
    AbstractSemanticRepository,
    Citation,
    SemanticQuery,
    SemanticVocabulary,
)


@dataclass(frozen=True)
class _Relation:
    """A table or view a query can read, and how its columns are spelled."""

    name: str
    time: str  # its day or month column, or the moment of the interaction
    versioned: bool  # rollups hold every version; the facts view only the served one
    count: str  # the interactions measure


_SUM = "COALESCE(sum(interactions), 0)"  # zero, not NULL, when nothing matches
_DAILY = _Relation("insights.interaction_daily_product_type", "day", True, _SUM)
_MONTHLY = _Relation("insights.interaction_monthly_rollup", "month", True, _SUM)
_FACTS = _Relation("insights.interaction_facts", "occurred_at", False, "count(*)")

# Every expression below comes from these fixed lookups, never from a request.
_COLUMNS = {
    "product": "product",
    "customer_type": "customer_type",
    "channel": f"COALESCE(channel, {UNKNOWN_SQL})",
    "topic": f"COALESCE(topic, {UNKNOWN_SQL})",
    "sentiment": f"COALESCE(sentiment, {UNKNOWN_SQL})",
    "customer": "customer_id",
}
_PERIODS = {
    "day": "to_char({t}, 'YYYY-MM-DD')",
    "week": "to_char(date_trunc('week', {t}), 'IYYY-\"W\"IW')",
    "month": "to_char({t}, 'YYYY-MM')",
    "quarter": "to_char({t}, 'YYYY-\"Q\"Q')",
    "year": "to_char({t}, 'YYYY')",
}
_DIRECTIONS = {"asc": "ASC", "desc": "DESC"}
_UNCOLLATED = frozenset({"customer", "interactions", "customers"})
_BYTE_ORDER = ' COLLATE "C"'

_VERSION = text("SELECT version FROM insights.data_version")
_VOCABULARY = text(f"""
    SELECT 'product', product FROM insights.interaction_monthly_rollup
    WHERE version = {CURRENT_VERSION_SQL} GROUP BY 2
    UNION ALL SELECT 'customer_type', customer_type FROM insights.interaction_monthly_rollup
    WHERE version = {CURRENT_VERSION_SQL} GROUP BY 2
    UNION ALL SELECT 'channel', {_COLUMNS["channel"]} FROM insights.interaction_monthly_rollup
    WHERE version = {CURRENT_VERSION_SQL} GROUP BY 2
    UNION ALL SELECT 'topic', {_COLUMNS["topic"]} FROM insights.interaction_monthly_rollup
    WHERE version = {CURRENT_VERSION_SQL} GROUP BY 2
    UNION ALL SELECT 'sentiment', {_COLUMNS["sentiment"]} FROM insights.interaction_monthly_rollup
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


def _relation(query: SemanticQuery, source: str) -> _Relation:
    if source != ROLLUP:
        return _FACTS
    used = set(query.dimensions) | {item.dimension for item in query.filters}
    return (
        _DAILY if used <= DAILY_DIMENSIONS else _MONTHLY if used <= MONTHLY_DIMENSIONS else _FACTS
    )


def _where(query: SemanticQuery, relation: _Relation) -> tuple[list[str], dict[str, Any]]:
    """Return the conditions of ``query`` on ``relation`` and their bound values."""
    conditions = [f"version = {CURRENT_VERSION_SQL}"] if relation.versioned else []
    params: dict[str, Any] = {}
    if query.date_from is not None:
        conditions.append(f"{relation.time} >= :date_from")
        params["date_from"] = datetime.combine(query.date_from, datetime.min.time())
    if query.date_to is not None:
        conditions.append(f"{relation.time} < :date_end")
        params["date_end"] = datetime.combine(query.date_to + timedelta(1), datetime.min.time())
    for position, item in enumerate(query.filters):
        name = f"f{position}"
        if item.dimension == "customer":
            test = f"customer_id = ANY(CAST(:{name} AS integer[]))"
            params[name] = [int(value) for value in item.values]
        else:
            test = f"{_COLUMNS[item.dimension]} = ANY(CAST(:{name} AS text[]))"
            params[name] = list(item.values)
        conditions.append(f"NOT ({test})" if item.op == "not_equals" else test)
    return conditions, params


def build_sql(query: SemanticQuery, source: str) -> tuple[str, dict[str, Any]]:
    """Return the SQL of ``query`` on the relation ``source`` picks, and its parameters."""
    relation = _relation(query, source)
    selected = [f"{_COLUMNS[name]} AS {name}" for name in query.dimensions]
    if query.granularity:
        selected.insert(0, _PERIODS[query.granularity].format(t=relation.time) + f" AS {PERIOD}")
    measures = {"interactions": relation.count, "customers": "count(DISTINCT customer_id)"}
    selected += [f"{measures[name]}::bigint AS {name}" for name in query.measures]
    groups = len(selected) - len(query.measures)
    group_by = f"GROUP BY {', '.join(str(i + 1) for i in range(groups))}" if groups else ""
    conditions, params = _where(query, relation)
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    # Byte order for text, as Python sorts: the fakes and the tests order alike.
    order = ", ".join(
        f"q.{item.by}{'' if item.by in _UNCOLLATED else _BYTE_ORDER} {_DIRECTIONS[item.direction]}"
        for item in query.sort_keys()
    )
    params["limit"] = query.limit
    statement = f"""
        SELECT * FROM (SELECT {", ".join(selected)} FROM {relation.name} {where} {group_by}) AS q
        {"ORDER BY " + order if order else ""} LIMIT :limit
    """  # nosec B608 # built from constants; values are bound
    return statement, params


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
        with self._engine.connect() as connection:
            return [dict(row) for row in connection.execute(text(statement), params).mappings()]

    @retry_if_partition_detached
    def vocabulary(self) -> SemanticVocabulary:
        with self._engine.connect() as connection:
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
        if not any(item.dimension == "customer" for item in query.filters):
            # Without a customer (whose own index is quick) the rows are scanned newest first
            # until enough match: the rollup names the months that hold them, so a rare
            # combination does not make the scan run through years of other interactions.
            narrowed = self._newest_months(query, limit)
            if narrowed is None:
                return []
            query = narrowed
        conditions, params = _where(query, _FACTS)
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        statement = f"""
            SELECT id, occurred_at::date AS day, customer_id, channel, topic FROM {_FACTS.name}
            {where} ORDER BY occurred_at DESC, id DESC LIMIT :limit
        """  # nosec B608 # built from constants; values are bound
        with self._engine.connect() as connection:
            rows = connection.execute(text(statement), {**params, "limit": limit})
            return [Citation(*row) for row in rows]

    def _newest_months(self, query: SemanticQuery, limit: int) -> SemanticQuery | None:
        """Return ``query`` bounded to the newest months holding ``limit`` matches (None: none)."""
        undated = replace(query, date_from=None, date_to=None)
        conditions, params = _where(undated, _MONTHLY)
        if query.date_from is not None:
            conditions.append("month >= date_trunc('month', CAST(:date_from AS date))")
            params["date_from"] = query.date_from
        if query.date_to is not None:
            conditions.append("month <= CAST(:date_to AS date)")
            params["date_to"] = query.date_to
        statement = f"""
            SELECT month, sum(interactions) FROM {_MONTHLY.name} WHERE {" AND ".join(conditions)}
            GROUP BY month ORDER BY month DESC
        """  # nosec B608 # built from constants; values are bound
        with self._engine.connect() as connection:
            months = connection.execute(text(statement), params).all()
        if not months:
            return None
        found, needed = 0, 0
        while needed < len(months) - 1 and found + months[needed][1] < limit:
            found += months[needed][1]
            needed += 1
        oldest = months[needed][0]
        newest_end = (months[0][0].replace(day=28) + timedelta(days=4)).replace(day=1)
        start = max(query.date_from or oldest, oldest)
        end = min(query.date_to or newest_end, newest_end - timedelta(days=1))
        return replace(query, date_from=start, date_to=end)
