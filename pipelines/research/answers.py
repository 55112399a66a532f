"""Put a plan's query results into words and figures: every number is a result's own.

The only figure computed here is a share, a percentage of two counts the answer also
states. Dates are those of the question's period, as the queries ran them.
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from pipelines.research.planner import Plan
from repository.semantic import PERIOD, QueryFilter, QueryResult, SemanticQuery

CITATIONS = 10


@dataclass(frozen=True)
class Composed:
    """The answer's text and figures, and the queries whose interactions exemplify it."""

    answer: str
    figures: list[dict[str, Any]]
    evidence: list[tuple[SemanticQuery, int]]  # (query, how many examples from it)


def _label(row: dict[str, Any], dimension: str) -> str:
    value = row[dimension]
    return f"customer {value}" if dimension == "customer" else str(value)


def _listed(pairs: list[tuple[str, Any]], most: int = 24) -> str:
    shown = ", ".join(f"{label} ({value})" for label, value in pairs[:most])
    return shown + (f" and {len(pairs) - most} more" if len(pairs) > most else "")


def _narrowed(query: SemanticQuery, dimension: str, value: Any) -> SemanticQuery:
    kept = tuple(f for f in query.filters if f.dimension != dimension)
    extra = QueryFilter(dimension, "equals", (str(value),))
    return replace(query, dimensions=(), order=(), limit=None, filters=(*kept, extra))


def _dim(plan: Plan) -> str:
    """Return the dimension a ranking, breakdown or comparison plan is about."""
    assert plan.target is not None, plan.kind  # every such plan names one
    return plan.target


def _count(plan: Plan, results: list[QueryResult]) -> Composed:
    n = results[0].rows[0][plan.measure]
    text = f"{n} {plan.measure} match {plan.scope}."
    return Composed(text, [{"label": plan.measure, "value": n}], [(plan.steps[0].query, CITATIONS)])


def _breakdown(plan: Plan, results: list[QueryResult]) -> Composed:
    pairs = [(_label(row, _dim(plan)), row[plan.measure]) for row in results[0].rows]
    if not pairs:
        return Composed(f"No {plan.measure} match {plan.scope}.", [], [])
    by = _dim(plan).replace("_", " ")
    text = f"{plan.measure.capitalize()} per {by} for {plan.scope}: {_listed(pairs)}."
    figures = [{"label": label, "value": value} for label, value in pairs]
    return Composed(text, figures, [(plan.steps[0].query, CITATIONS)])


def _ranking(plan: Plan, results: list[QueryResult]) -> Composed:
    rows, top, m = results[0].rows, plan.top or 1, plan.measure
    if not rows:
        return Composed(f"No {m} match {plan.scope}.", [], [])
    shown = rows[:top]
    pairs = [(_label(row, _dim(plan)), row[m]) for row in shown]
    word = "fewest" if plan.context.get("direction") == "asc" else "most"
    unit = plan.context.get("unit")
    by = f"{unit}s" if unit else f"{_dim(plan).replace('_', ' ')} values"
    if top == 1:
        name = pairs[0][0]
        text = f"{name[:1].upper()}{name[1:]} had the {word} {m} ({pairs[0][1]}) for {plan.scope}."
    else:
        text = f"The {len(pairs)} {by} with the {word} {m} for {plan.scope}: {_listed(pairs)}."
    if len(rows) > top and rows[top][m] == shown[-1][m]:
        tied = _label(rows[top], _dim(plan))
        text += f" The place is shared: {tied} has {rows[top][m]} as well."
    if unit and word == "fewest":
        # The layer returns the periods that have rows: an empty one cannot be ranked.
        text += f" {unit.capitalize()}s without any of these {m} are not ranked."
    figures = [{"label": label, "value": value} for label, value in pairs]
    first = shown[0][_dim(plan)]
    query = plan.steps[0].query
    query = _within(query, unit, first) if unit else _narrowed(query, _dim(plan), first)
    return Composed(text, figures, [(query, CITATIONS)])


def _within(query: SemanticQuery, unit: str, label: str) -> SemanticQuery:
    """Return ``query`` without its grouping, limited to the period ``label`` of ``unit``."""
    start, end = period_bounds(unit, label)
    start = max(start, query.date_from) if query.date_from else start
    end = min(end, query.date_to) if query.date_to else end
    return replace(query, granularity=None, order=(), limit=None, date_from=start, date_to=end)


def period_bounds(unit: str, label: str) -> tuple[date, date]:
    """Return the first and last day of a period as the layer labels it (2021-Q1, 2020-W05)."""
    if unit == "day":
        day = date.fromisoformat(label)
        return day, day
    if unit == "week":
        year, week = label.split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
        return monday, monday + timedelta(days=6)
    if unit == "quarter":
        year, quarter = label.split("-Q")
        first = date(int(year), 3 * int(quarter) - 2, 1)
        return first, _month_end(date(int(year), 3 * int(quarter), 1))
    if unit == "month":
        first = date.fromisoformat(f"{label}-01")
        return first, _month_end(first)
    return date(int(label), 1, 1), date(int(label), 12, 31)


def _month_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _compared_values(plan: Plan, results: list[QueryResult]) -> Composed:
    query, m = plan.steps[0].query, plan.measure
    values = next(f.values for f in query.filters if f.dimension == _dim(plan))
    counts = {str(row[_dim(plan)]): row[m] for row in results[0].rows}
    named = (lambda value: f"customer {value}") if _dim(plan) == "customer" else str
    pairs = [(named(value), counts.get(value, 0)) for value in values]
    return _comparison_text(plan, pairs, [_narrowed(query, _dim(plan), v) for v in values])


def _compared_periods(plan: Plan, results: list[QueryResult]) -> Composed:
    pairs = [
        (step.label, result.rows[0][plan.measure])
        for step, result in zip(plan.steps, results, strict=True)
    ]
    return _comparison_text(plan, pairs, [step.query for step in plan.steps])


def _comparison_text(plan: Plan, pairs, queries: list[SemanticQuery]) -> Composed:
    figures = [{"label": label, "value": value} for label, value in pairs]
    text = f"{plan.measure.capitalize()} for {plan.scope}: {_listed(pairs)}."
    if len(pairs) == 2:
        (a, x), (b, y) = pairs
        difference = x - y
        figures.append({"label": "difference", "value": difference})
        more = "more" if difference >= 0 else "fewer"
        text += f" {a} has {abs(difference)} {more} than {b}."
    share = max(1, CITATIONS // len(queries))
    return Composed(text, figures, [(query, share) for query in queries])


def _trend(plan: Plan, results: list[QueryResult]) -> Composed:
    rows, m = results[0].rows, plan.measure
    if not rows:
        return Composed(f"No {m} match {plan.scope}.", [], [])
    keys = [PERIOD, *plan.steps[0].query.dimensions]
    pairs = [(" ".join(str(row[k]) for k in keys), row[m]) for row in rows]
    unit = plan.steps[0].query.granularity
    peak = max(pairs, key=lambda pair: pair[1])
    text = f"{m.capitalize()} per {unit} for {plan.scope}: {_listed(pairs)}."
    text += f" Highest: {peak[0]} ({peak[1]})."
    figures = [{"label": label, "value": value} for label, value in pairs]
    return Composed(text, figures, [(plan.steps[0].query, CITATIONS)])


def _share(plan: Plan, results: list[QueryResult]) -> Composed:
    if len(results) == 1:
        return _share_breakdown(plan, results)
    part, whole = results[0].rows[0][plan.measure], results[1].rows[0][plan.measure]
    if not whole:
        return Composed(f"No {plan.measure} match {plan.context['whole']}.", [], [])
    percent = round(100 * part / whole, 1)
    text = (
        f"{percent}% of the {plan.measure} for {plan.context['whole']} match "
        f"{plan.context['part']}: {part} of {whole}."
    )
    figures = [
        {"label": "share_percent", "value": percent},
        {"label": "matching", "value": part},
        {"label": "whole", "value": whole},
    ]
    return Composed(text, figures, [(plan.steps[0].query, CITATIONS)])


def _share_breakdown(plan: Plan, results: list[QueryResult]) -> Composed:
    rows, m = results[0].rows, plan.measure
    whole = sum(row[m] for row in rows)
    if not whole:
        return Composed(f"No {m} match {plan.scope}.", [], [])
    pairs = [(_label(row, _dim(plan)), round(100 * row[m] / whole, 1)) for row in rows]
    listed = ", ".join(f"{label} {percent}%" for label, percent in pairs)
    text = (
        f"Share of the {whole} {m} per {_dim(plan).replace('_', ' ')} for {plan.scope}: {listed}."
    )
    figures = [{"label": label, "value": percent} for label, percent in pairs]
    return Composed(
        text, [*figures, {"label": "whole", "value": whole}], [(plan.steps[0].query, CITATIONS)]
    )


def _history(plan: Plan, results: list[QueryResult]) -> Composed:
    total = results[0].rows[0]["interactions"]
    topics = [(row["topic"], row["interactions"]) for row in results[1].rows]
    channels = [(row["channel"], row["interactions"]) for row in results[2].rows]
    text = f"{total} interactions match {plan.scope}."
    if total:
        text += f" Topics: {_listed(topics)}. Channels: {_listed(channels)}."
    figures = [{"label": "interactions", "value": total}]
    figures += [{"label": f"topic {name}", "value": n} for name, n in topics]
    figures += [{"label": f"channel {name}", "value": n} for name, n in channels]
    return Composed(text, figures, [(plan.steps[0].query, CITATIONS)])


def compose(plan: Plan, results: list[QueryResult]) -> Composed:
    """Return the answer to ``plan`` from its queries' ``results`` (one per step, in order)."""
    if plan.kind == "comparison":
        return (_compared_periods if plan.target == "period" else _compared_values)(plan, results)
    writers = {
        "count": _count,
        "breakdown": _breakdown,
        "ranking": _ranking,
        "trend": _trend,
        "share": _share,
        "history": _history,
    }
    return writers[plan.kind](plan, results)
