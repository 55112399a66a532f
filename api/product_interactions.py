"""Interactions per product and customer type: validate filters, count, total, render CSV."""

import csv
import io
from collections import Counter
from typing import Any

from repository.errors import InvalidInput
from repository.statistics import AbstractStatisticsRepository, InteractionFilter

# Query parameter -> filter dimension.
FILTER_PARAMETERS = {"channel": "channel", "sentiment": "sentiment", "topic": "topic"}


def build_filter(
    repository: AbstractStatisticsRepository, args: dict[str, Any]
) -> InteractionFilter:
    """Turn validated query arguments into a filter, matching values case-insensitively.

    Raises:
        InvalidInput: ``from`` is after ``to``, or a filter names a value the data lacks.
    """
    date_from, date_to = args.get("date_from"), args.get("date_to")
    errors: dict[str, list[str]] = {}
    if date_from and date_to and date_from > date_to:
        errors["from"] = [f"must not be after 'to' ({date_to.isoformat()})"]
    known = repository.filter_values()
    chosen: dict[str, tuple[str, ...]] = {}
    for parameter, dimension in FILTER_PARAMETERS.items():
        canonical = {value.lower(): value for value in known[dimension]}
        values = args.get(parameter) or []
        unknown = [v for v in values if v.lower() not in canonical]
        if unknown:
            errors[parameter] = [f"unknown value(s) {', '.join(map(repr, unknown))}"]
        chosen[parameter] = tuple(canonical[v.lower()] for v in values if v.lower() in canonical)
    if errors:
        detail = "; ".join(f"query parameter '{k}': {' '.join(v)}" for k, v in errors.items())
        raise InvalidInput(f"Invalid request: {detail}", {"query": errors})
    return InteractionFilter(
        date_from, date_to, chosen["channel"], chosen["sentiment"], chosen["topic"]
    )


def product_interactions_report(
    repository: AbstractStatisticsRepository, filters: InteractionFilter, granularity: str | None
) -> dict[str, Any]:
    """Return the long-format rows with their totals and the filters that produced them."""
    rows = repository.product_interactions(filters, granularity)
    by_product: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    for row in rows:
        by_product[row["product"]] += row["interactions"]
        by_type[row["customer_type"]] += row["interactions"]
    return {
        "data": rows,
        "totals": {
            "interactions": sum(by_product.values()),
            "by_product": dict(sorted(by_product.items())),
            "by_customer_type": dict(sorted(by_type.items())),
        },
        "filters": {
            "from": filters.date_from.isoformat() if filters.date_from else None,
            "to": filters.date_to.isoformat() if filters.date_to else None,
            "channel": list(filters.channels),
            "sentiment": list(filters.sentiments),
            "topic": list(filters.topics),
            "granularity": granularity,
        },
    }


def rows_as_csv(rows: list[dict[str, Any]], granularity: str | None) -> str:
    """Render the rows as CSV with a header, the period first when there is one."""
    columns = (["period"] if granularity else []) + ["product", "customer_type", "interactions"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
