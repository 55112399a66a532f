"""Statistics reports: validate filters, count through the repository, total, render CSV."""

import csv
import io
from collections import Counter
from typing import Any

from api.errors import InvalidParameter
from repository.model import SENTIMENTS, UNKNOWN
from repository.statistics import AbstractStatisticsRepository, InteractionFilter

# A text cell starting with one of these is read as a formula by spreadsheets (OWASP's
# CSV injection rule); a leading apostrophe makes it plain text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Query parameter -> filter dimension.
FILTER_PARAMETERS = {
    "channel": "channel",
    "sentiment": "sentiment",
    "topic": "topic",
    "customer_type": "customer_type",
}
# Dimensions whose values are fixed in code, so a 422 may list them. The others are data
# (issue 13: a 422 does not enumerate stored values); their message points to the overview.
FIXED_VALUES = {"sentiment": (*SENTIMENTS, UNKNOWN)}


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
    known = _known_values(repository, args)
    chosen: dict[str, tuple[str, ...]] = {}
    for parameter, dimension in FILTER_PARAMETERS.items():
        canonical = {value.lower(): value for value in known[dimension]}
        values = args.get(parameter) or []
        unknown = [v for v in values if v.lower() not in canonical]
        if unknown:
            errors[parameter] = [_unknown_values_problem(parameter, unknown)]
        chosen[parameter] = tuple(canonical[v.lower()] for v in values if v.lower() in canonical)
    if errors:
        raise InvalidParameter({"query": errors})
    return InteractionFilter(
        date_from,
        date_to,
        chosen["channel"],
        chosen["sentiment"],
        chosen["topic"],
        chosen["customer_type"],
    )


def _known_values(
    repository: AbstractStatisticsRepository, args: dict[str, Any]
) -> dict[str, set[str]]:
    """Return the values each filter accepts: UNKNOWN always, as every breakdown shows it."""
    # Looking up the data's values costs a query: only pay for it when one is needed.
    asked = any(args.get(p) for p in FILTER_PARAMETERS if FILTER_PARAMETERS[p] not in FIXED_VALUES)
    stored = repository.filter_values() if asked else {}
    return {
        dimension: set(FIXED_VALUES.get(dimension, stored.get(dimension, set()))) | {UNKNOWN}
        for dimension in FILTER_PARAMETERS.values()
    }


def _unknown_values_problem(parameter: str, unknown: list[str]) -> str:
    """Say which values are unknown, and where the valid ones can be read."""
    problem = f"unknown value(s) {', '.join(map(repr, unknown))}"
    dimension = FILTER_PARAMETERS[parameter]
    if dimension in FIXED_VALUES:
        return f"{problem}; expected one of: {', '.join(FIXED_VALUES[dimension])}"
    return f"{problem}; the statistics overview (by_{dimension}) lists the values the data has"


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
        "filters": {**echo_filters(filters), "granularity": granularity},
    }


def overview_report(
    repository: AbstractStatisticsRepository, filters: InteractionFilter
) -> dict[str, Any]:
    """Return totals, counts per dimension and the first and last interaction."""
    reach = repository.reach(filters)
    report: dict[str, Any] = {"totals": {"customers": reach["customers"]}}
    for dimension in ("channel", "sentiment", "topic", "customer_type"):
        rows = repository.interaction_counts(filters, (dimension,))
        report[f"by_{dimension}"] = {row[dimension]: row["interactions"] for row in rows}
    report["totals"]["interactions"] = sum(report["by_channel"].values())
    for moment in ("first_interaction", "last_interaction"):
        report[moment] = reach[moment].isoformat(timespec="minutes") if reach[moment] else None
    report["filters"] = echo_filters(filters)
    return report


def timeseries_report(
    repository: AbstractStatisticsRepository,
    filters: InteractionFilter,
    granularity: str,
    group_by: str,
) -> dict[str, Any]:
    """Return interaction counts per period and value of ``group_by``."""
    rows = repository.interaction_counts(filters, (group_by,), granularity)
    ordered = [
        {"period": r["period"], group_by: r[group_by], "interactions": r["interactions"]}
        for r in rows
    ]
    filters_echo = {**echo_filters(filters), "granularity": granularity, "group_by": group_by}
    return {"data": ordered, "filters": filters_echo}


def echo_filters(filters: InteractionFilter) -> dict[str, Any]:
    """Return the applied filters as the response shows them."""
    return {
        "from": filters.date_from.isoformat() if filters.date_from else None,
        "to": filters.date_to.isoformat() if filters.date_to else None,
        "channel": list(filters.channels),
        "sentiment": list(filters.sentiments),
        "topic": list(filters.topics),
        "customer_type": list(filters.customer_types),
    }


def rows_as_csv(rows: list[dict[str, Any]], granularity: str | None) -> str:
    """Render the rows as CSV with a header, the period first when there is one."""
    columns = (["period"] if granularity else []) + ["product", "customer_type", "interactions"]
    return table_as_csv(rows, columns)


def timeseries_as_csv(report: dict[str, Any]) -> str:
    """Render a timeseries report's rows as CSV: period, the grouped dimension, interactions."""
    return table_as_csv(report["data"], ["period", report["filters"]["group_by"], "interactions"])


# The overview as a table: one row per figure, named by its section of the JSON form.
OVERVIEW_COLUMNS = ["section", "name", "value"]


def overview_as_csv(report: dict[str, Any]) -> str:
    """Render an overview as CSV rows of (section, name, value), in the JSON form's order."""
    rows = [{"section": "totals", "name": k, "value": v} for k, v in report["totals"].items()]
    for dimension in ("channel", "sentiment", "topic", "customer_type"):
        section = f"by_{dimension}"
        rows += [{"section": section, "name": k, "value": v} for k, v in report[section].items()]
    rows += [
        {"section": "span", "name": moment, "value": report[moment]}
        for moment in ("first_interaction", "last_interaction")
    ]
    return table_as_csv(rows, OVERVIEW_COLUMNS)


def table_as_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """Render rows as CSV with a header, every text cell made inert for spreadsheets."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: inert_cell(value) for key, value in row.items()} for row in rows)
    return buffer.getvalue()


def inert_cell(value: Any) -> Any:
    """Return a text cell a spreadsheet cannot run as a formula; other cells unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
