"""Semantic queries computed by PostgreSQL, from the rollups where they answer, else the rows."""

import threading
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text

from repository.engine import retry_if_partition_detached
from repository.model import CURRENT_VERSION_SQL, UNKNOWN, UNKNOWN_SQL
from repository.semantic import (
    DAILY_DIMENSIONS,
    MAX_LIMIT,
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
# These statements run in milliseconds; PostgreSQL's JIT, triggered by the cost estimate of
# a month's scan, spent 44 ms compiling one at 1,000,000 interactions.
_NO_JIT = text("SET LOCAL jit = off")
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
    params["limit"] = query.limit or MAX_LIMIT
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
            connection.execute(_NO_JIT)
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
        if any(item.dimension == "customer" for item in query.filters):
            # One customer's rows come quickly through their (customer_id, occurred_at) index.
            conditions, params = _where(query, _FACTS)
            statement = f"""
                SELECT id, occurred_at::date AS day, customer_id, channel, topic
                FROM {_FACTS.name} WHERE {" AND ".join(conditions) or "true"}
                ORDER BY occurred_at DESC, id DESC LIMIT :limit
            """  # nosec B608 # built from constants; values are bound
        else:
            months = self._newest_months(query, limit)
            if not months:
                return []
            statement, params = _citations_in_months(query, months)
        with self._engine.connect() as connection:
            connection.execute(_NO_JIT)
            rows = connection.execute(text(statement), {**params, "limit": limit})
            return [Citation(*row) for row in rows]

    def _newest_months(self, query: SemanticQuery, limit: int) -> list[date]:
        """Return the newest months that together hold ``limit`` matches (or all there are)."""
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
            connection.execute(_NO_JIT)
            counted = connection.execute(text(statement), params).all()
        months, found = [], 0
        for month, count in counted:
            months.append(month)
            found += count
            if found >= limit:
                break
        return months


# A citation's customer type, read only for rows that pass every other condition.
_TYPE_OF_ROW = (
    "COALESCE((SELECT c.customer_type FROM insights.customers AS c "  # nosec B608 # constants
    f"WHERE c.version = i.version AND c.customer_id = i.customer_id), {UNKNOWN_SQL})"
)


def _citations_in_months(query: SemanticQuery, months: list[date]) -> tuple[str, dict[str, Any]]:
    """Return the SQL of the newest matching interactions inside ``months``.

    The rows are read from the interactions themselves, through the index that starts with
    the moment; the product needs no condition, since each month has one product and the
    months were chosen by the rollup under the same filters.
    """
    conditions, params = _where(
        replace(query, filters=()), _Relation("", "i.occurred_at", False, "")
    )
    windows = []
    for k, month in enumerate(months):
        windows.append(f"(i.occurred_at >= :m{k} AND i.occurred_at < :n{k})")
        params[f"m{k}"] = datetime(month.year, month.month, 1)
        params[f"n{k}"] = datetime(month.year + month.month // 12, month.month % 12 + 1, 1)
    conditions += [f"i.version = {CURRENT_VERSION_SQL}", f"({' OR '.join(windows)})"]
    for position, item in enumerate(query.filters):
        if item.dimension == "product":
            continue
        values = list(item.values)
        if item.dimension == "customer_type":
            column = _TYPE_OF_ROW
        else:
            # Spelled as the natural-key index spells it (no value is ever ''), so the index
            # tests channel, topic and sentiment and only matching rows are read from disk.
            column = f"COALESCE(i.{item.dimension}, '')"
            values = ["" if value == UNKNOWN else value for value in values]
        test = f"{column} = ANY(CAST(:c{position} AS text[]))"
        params[f"c{position}"] = values
        conditions.append(f"NOT ({test})" if item.op == "not_equals" else test)
    statement = f"""
        SELECT i.id, i.occurred_at::date AS day, i.customer_id, i.channel, i.topic
        FROM insights.interactions AS i WHERE {" AND ".join(conditions)}
        ORDER BY i.occurred_at DESC, i.id DESC LIMIT :limit
    """  # nosec B608 # built from constants; values are bound
    return statement, params
