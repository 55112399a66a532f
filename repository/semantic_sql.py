"""The SQL of semantic queries: which relation answers one, and its statement.

The rollups answer where they hold every column a query touches: the daily product x
customer-type rollup, the monthly rollup per pair of dimensions (migration 0019) for up
to two of the others, the full monthly rollup for more; the rows (interaction_facts)
otherwise. All give the same rows; tests/integration/test_semantic_contract.py checks it.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from repository.model import CURRENT_VERSION_SQL, UNKNOWN, UNKNOWN_SQL
from repository.semantic import (
    DAILY_DIMENSIONS,
    MAX_LIMIT,
    MONTHLY_DIMENSIONS,
    PERIOD,
    ROLLUP,
    SemanticQuery,
)


@dataclass(frozen=True)
class _Relation:
    """A table or view a query can read, and how its columns are spelled."""

    name: str
    time: str  # its day or month column, or the moment of the interaction
    versioned: bool  # rollups hold every version; the facts view only the served one
    count: str  # the interactions measure
    pairs: bool = False  # the monthly rollup per pair of dimensions (migration 0019)


_SUM = "COALESCE(sum(interactions), 0)"  # zero, not NULL, when nothing matches
_DAILY = _Relation("insights.interaction_daily_product_type", "day", True, _SUM)
_MONTHLY = _Relation("insights.interaction_monthly_rollup", "month", True, _SUM)
_PAIRS = _Relation("insights.interaction_monthly_pairs", "month", True, _SUM, pairs=True)
FACTS = _Relation("insights.interaction_facts", "occurred_at", False, "count(*)")
# The pair whose rows answer a query on one dimension: its partner with the fewest values.
_PARTNER = {
    "customer_type": "sentiment",
    "channel": "customer_type",
    "topic": "customer_type",
    "sentiment": "customer_type",
}
_PAIR_ORDER = ("customer_type", "channel", "topic", "sentiment")  # as the migration names pairs

# Every expression below comes from these fixed lookups, never from a request.
COLUMNS = {
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


def _used(query: SemanticQuery) -> set[str]:
    return set(query.dimensions) | {item.dimension for item in query.filters}


def relation_for(query: SemanticQuery, source: str) -> _Relation:
    if source != ROLLUP:
        return FACTS
    used = _used(query)
    if used <= DAILY_DIMENSIONS:
        return _DAILY
    return monthly_for(used) if used <= MONTHLY_DIMENSIONS else FACTS


def monthly_for(used: set[str]) -> _Relation:
    """Return the smallest monthly rollup holding ``used``: the pairs unless 3 or more."""
    return _PAIRS if len(used - {"product"}) <= 2 else _MONTHLY


def _pair(used: set[str]) -> str:
    """Return the name of the pair whose rows hold ``used`` (at most two, product aside)."""
    named = used - {"product"}
    if not named:  # any pair's rows count every interaction once
        named = {"customer_type", "sentiment"}
    elif len(named) == 1:
        named.add(_PARTNER[next(iter(named))])
    return "+".join(name for name in _PAIR_ORDER if name in named)


def where(query: SemanticQuery, relation: _Relation) -> tuple[list[str], dict[str, Any]]:
    """Return the conditions of ``query`` on ``relation`` and their bound values."""
    conditions = [f"version = {CURRENT_VERSION_SQL}"] if relation.versioned else []
    params: dict[str, Any] = {}
    if relation.pairs:
        conditions.append("pair = :pair")
        params["pair"] = _pair(_used(query))
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
            test = f"{COLUMNS[item.dimension]} = ANY(CAST(:{name} AS text[]))"
            params[name] = list(item.values)
        conditions.append(f"NOT ({test})" if item.op == "not_equals" else test)
    return conditions, params


def build_sql(query: SemanticQuery, source: str) -> tuple[str, dict[str, Any]]:
    """Return the SQL of ``query`` on the relation ``source`` picks, and its parameters."""
    relation = relation_for(query, source)
    selected = [f"{COLUMNS[name]} AS {name}" for name in query.dimensions]
    if query.granularity:
        selected.insert(0, _PERIODS[query.granularity].format(t=relation.time) + f" AS {PERIOD}")
    measures = {"interactions": relation.count, "customers": "count(DISTINCT customer_id)"}
    selected += [f"{measures[name]}::bigint AS {name}" for name in query.measures]
    groups = len(selected) - len(query.measures)
    group_by = f"GROUP BY {', '.join(str(i + 1) for i in range(groups))}" if groups else ""
    conditions, params = where(query, relation)
    filtered = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    # Byte order for text, as Python sorts: the fakes and the tests order alike.
    order = ", ".join(
        f"q.{item.by}{'' if item.by in _UNCOLLATED else _BYTE_ORDER} {_DIRECTIONS[item.direction]}"
        for item in query.sort_keys()
    )
    params["limit"] = query.limit or MAX_LIMIT
    statement = f"""
        SELECT * FROM (SELECT {", ".join(selected)} FROM {relation.name} {filtered} {group_by}) AS q
        {"ORDER BY " + order if order else ""} LIMIT :limit
    """  # nosec B608 # built from constants; values are bound
    return statement, params


def customer_citations(query: SemanticQuery) -> tuple[str, dict[str, Any]]:
    """Return the SQL of the newest interactions of the customer(s) ``query`` filters on."""
    # One customer's rows come quickly through their (customer_id, occurred_at) index.
    conditions, params = where(query, FACTS)
    statement = f"""
        SELECT id, occurred_at::date AS day, customer_id, channel, topic
        FROM {FACTS.name} WHERE {" AND ".join(conditions) or "true"}
        ORDER BY occurred_at DESC, id DESC LIMIT :limit
    """  # nosec B608 # built from constants; values are bound
    return statement, params


def matches_per_month(query: SemanticQuery) -> tuple[str, dict[str, Any]]:
    """Return the SQL of the interactions matching ``query``'s filters per month, newest first.

    Months that overlap the query's dates count whole; citations then read inside them.
    """
    undated = replace(query, dimensions=(), date_from=None, date_to=None)
    rollup = monthly_for({item.dimension for item in query.filters})
    conditions, params = where(undated, rollup)
    if query.date_from is not None:
        conditions.append("month >= date_trunc('month', CAST(:date_from AS date))")
        params["date_from"] = query.date_from
    if query.date_to is not None:
        conditions.append("month <= CAST(:date_to AS date)")
        params["date_to"] = query.date_to
    statement = f"""
        SELECT month, sum(interactions) FROM {rollup.name} WHERE {" AND ".join(conditions)}
        GROUP BY month ORDER BY month DESC
    """  # nosec B608 # built from constants; values are bound
    return statement, params


# A citation's customer type, read only for rows that pass every other condition.
_TYPE_OF_ROW = (
    "COALESCE((SELECT c.customer_type FROM insights.customers AS c "  # nosec B608 # constants
    f"WHERE c.version = i.version AND c.customer_id = i.customer_id), {UNKNOWN_SQL})"
)
# The same test where Unknown is not asked for. As a semi-join the planner estimates it
# from the customer types' statistics: it then walks the moment's index newest first and
# stops at the limit (0.7 ms for Red and Negative in a month), where the subquery above,
# estimated at 0.5% of rows, made it read and sort the whole month (62 ms).
_OF_TYPES = (
    "EXISTS (SELECT 1 FROM insights.customers AS c WHERE c.version = i.version "
    "AND c.customer_id = i.customer_id AND c.customer_type = ANY(CAST(:{p} AS text[])))"
)


def citations_in_months(query: SemanticQuery, months: list[date]) -> tuple[str, dict[str, Any]]:
    """Return the SQL of the newest matching interactions inside ``months``.

    The rows are read from the interactions themselves, through the index that starts with
    the moment; the product needs no condition, since each month has one product and the
    months were chosen by the rollup under the same filters.
    """
    conditions, params = where(
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
        if item.dimension == "customer_type" and item.op != "not_equals" and UNKNOWN not in values:
            conditions.append(_OF_TYPES.format(p=f"c{position}"))
            params[f"c{position}"] = values
            continue
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
