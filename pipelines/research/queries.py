"""Validate a semantic query as a caller writes it and turn it into a ``SemanticQuery``.

Names (measures, dimensions, granularities, operators, directions) must be the layer's
own; values are matched case-insensitively to the data's vocabulary and returned in its
spelling. Every problem is collected, so one answer names them all.
"""

from datetime import date
from typing import Any

from pipelines.ingestion.rules import MAX_CUSTOMER_ID
from repository.errors import InvalidInput
from repository.semantic import (
    DIMENSIONS,
    DIRECTIONS,
    GRANULARITIES,
    MAX_LIMIT,
    MEASURES,
    OPERATORS,
    PERIOD,
    OrderBy,
    QueryFilter,
    SemanticQuery,
    SemanticVocabulary,
)


class InvalidQuery(InvalidInput):
    """A semantic query names something unknown; ``problems`` maps each field to its problems."""

    def __init__(self, problems: dict[str, list[str]]) -> None:
        described = "; ".join(f"{name}: {' '.join(found)}" for name, found in problems.items())
        super().__init__(f"Invalid query: {described}")
        self.problems = problems


def _unknown(kind: str, names: list[str], allowed: tuple[str, ...]) -> str:
    return f"unknown {kind} {', '.join(map(repr, names))}; expected one of: {', '.join(allowed)}"


class _Problems(dict):
    def add(self, field: str, problem: str) -> None:
        self.setdefault(field, []).append(problem)


def _names(raw: list[str], allowed: tuple[str, ...], kind: str, field: str, problems) -> tuple:
    unknown = [name for name in raw if name not in allowed]
    if unknown:
        problems.add(field, _unknown(kind, unknown, allowed))
    return tuple(dict.fromkeys(name for name in raw if name in allowed))


def _customer_id(text: str) -> bool:
    """Tell whether ``text`` can be a customer id (ASCII digits within PostgreSQL INTEGER)."""
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_CUSTOMER_ID


def canonical_values(
    dimension: str, values: list[str], vocabulary: SemanticVocabulary, customer_exists
) -> tuple[tuple[str, ...], list[str]]:
    """Return the values in the data's spelling, and those the data does not hold."""
    if dimension == "customer":
        known = [v for v in values if _customer_id(v) and customer_exists(int(v))]
        return tuple(str(int(v)) for v in known), [v for v in values if v not in known]
    canonical = {value.casefold(): value for value in vocabulary.values.get(dimension, ())}
    found = tuple(canonical[v.casefold()] for v in values if v.casefold() in canonical)
    return found, [v for v in values if v.casefold() not in canonical]


def _filters(raw: list[dict], vocabulary, customer_exists, problems) -> tuple[QueryFilter, ...]:
    filters = []
    for position, item in enumerate(raw):
        field = f"filters[{position}]"
        dimension, op, values = item["dimension"], item.get("op", "in"), list(item["values"])
        if dimension not in DIMENSIONS:
            problems.add(field, _unknown("dimension", [dimension], DIMENSIONS))
            continue
        if op not in OPERATORS:
            problems.add(field, _unknown("operator", [op], OPERATORS))
        if op == "equals" and len(values) != 1:
            problems.add(field, "equals takes exactly one value; use in for several")
        found, unknown = canonical_values(dimension, values, vocabulary, customer_exists)
        if unknown:
            problems.add(field, f"unknown {dimension} value(s) {', '.join(map(repr, unknown))}")
        filters.append(QueryFilter(dimension, op, found))
    return tuple(filters)


def _order(raw: list[dict], columns: tuple[str, ...], problems) -> tuple[OrderBy, ...]:
    order = []
    for position, item in enumerate(raw):
        by, direction = item["by"], item.get("direction", "asc")
        if by not in columns:
            problems.add(f"order[{position}]", _unknown("column", [by], columns))
        elif direction not in DIRECTIONS:
            problems.add(f"order[{position}]", _unknown("direction", [direction], DIRECTIONS))
        else:
            order.append(OrderBy(by, direction))
    return tuple(order)


def _day(raw: dict[str, Any], name: str, problems) -> date | None:
    """Read ``from``/``to`` as the API schema loads it (date_from) or as JSON has it (from)."""
    value = raw.get(f"date_{name}", raw.get(name))
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.add(f"time.{name}", f"{value!r} is not an ISO date (YYYY-MM-DD)")
        return None


def _time(raw: dict[str, Any], problems) -> tuple[str | None, date | None, date | None]:
    granularity = raw.get("granularity")
    date_from, date_to = _day(raw, "from", problems), _day(raw, "to", problems)
    if granularity is not None and granularity not in GRANULARITIES:
        problems.add("time.granularity", _unknown("granularity", [granularity], GRANULARITIES))
    if date_from and date_to and date_from > date_to:
        problems.add("time.from", f"must not be after time.to ({date_to.isoformat()})")
    return granularity, date_from, date_to


def build_query(
    raw: dict[str, Any], vocabulary: SemanticVocabulary, customer_exists
) -> SemanticQuery:
    """Return the validated, canonical query ``raw`` describes.

    Raises:
        InvalidQuery: a name is not the layer's, or a value is not the data's.
    """
    problems = _Problems()
    measures = _names(
        raw.get("measures") or ["interactions"], MEASURES, "measure", "measures", problems
    )
    dimensions = _names(
        raw.get("dimensions") or [], DIMENSIONS, "dimension", "dimensions", problems
    )
    granularity, date_from, date_to = _time(raw.get("time") or {}, problems)
    filters = _filters(raw.get("filters") or [], vocabulary, customer_exists, problems)
    period = (PERIOD,) if granularity else ()
    order = _order(raw.get("order") or [], (*period, *dimensions, *measures), problems)
    limit = raw.get("limit")
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        problems.add("limit", f"must be between 1 and {MAX_LIMIT}")
    if problems:
        raise InvalidQuery(dict(problems))
    return SemanticQuery(
        measures, dimensions, granularity, date_from, date_to, filters, order, limit
    )


def describe_layer(vocabulary: SemanticVocabulary) -> dict[str, Any]:
    """Return what a query may name, with each dimension's values (none for customer ids)."""
    return {
        "measures": list(MEASURES),
        "dimensions": [
            {"name": name, "values": list(vocabulary.values[name]) if name != "customer" else None}
            for name in DIMENSIONS
        ],
        "granularities": list(GRANULARITIES),
        "operators": list(OPERATORS),
        "first_day": vocabulary.first_day,
        "last_day": vocabulary.last_day,
    }
