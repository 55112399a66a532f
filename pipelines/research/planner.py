"""Turn a question into semantic queries, deterministically: the planner of the mock model.

reading.py reads the question; the kind of question follows from its words: a share, a
trend, a comparison, a ranking, a breakdown, one customer's history, a count. Each kind
becomes one or more semantic queries, run by the assistant and put into words by
answers.py.
"""

from dataclasses import dataclass, field

from pipelines.ingestion.rules import MAX_CUSTOMER_ID
from pipelines.research import wording as w
from pipelines.research.reading import (
    CAPABILITIES,
    NotAnswerable,
    Parsed,
    compared_dimension,
    granularity_of,
    measure_of,
    names_target,
    parse,
    plural,
    ranked_unit,
    ranks_several_periods,
    share_split,
    target_of,
)
from pipelines.research.terms import Mention
from pipelines.research.time_phrases import Period
from repository.model import UNKNOWN
from repository.semantic import (
    PERIOD,
    OrderBy,
    QueryFilter,
    SemanticQuery,
    SemanticVocabulary,
)

__all__ = ["CAPABILITIES", "NotAnswerable", "Plan", "Step", "plan_question", "scope_text"]


@dataclass(frozen=True)
class Step:
    """One semantic query of a plan and what it stands for in the answer."""

    label: str
    query: SemanticQuery


@dataclass(frozen=True)
class Plan:
    """What the question asks, the queries that answer it, and how to read them."""

    kind: str  # count, breakdown, ranking, comparison, trend, share, history
    steps: tuple[Step, ...]
    measure: str
    scope: str  # the filters and period in words
    target: str | None = None
    top: int | None = None
    evidence: tuple[QueryFilter, ...] = ()  # filters narrowing the citations further
    context: dict = field(default_factory=dict)


def _filters(
    mentions: list[Mention], customers: list[int], excluded: list[Mention] | None = None
) -> tuple[QueryFilter, ...]:
    grouped: dict[tuple[str, bool], list[str]] = {}
    for mention, left_out in [(m, False) for m in mentions] + [(m, True) for m in excluded or []]:
        values = grouped.setdefault((mention.dimension, left_out), [])
        if mention.value not in values:
            values.append(mention.value)
    if customers:
        grouped[("customer", False)] = [str(c) for c in dict.fromkeys(customers)]
    return tuple(
        QueryFilter(d, "not_equals" if out else "equals" if len(v) == 1 else "in", tuple(v))
        for (d, out), v in grouped.items()
    )


def scope_text(filters: tuple[QueryFilter, ...], period: Period | None) -> str:
    """Describe filters and period in words, e.g. "channel Email, 2020-01-01 to 2020-12-31"."""
    parts = [
        f"{f.dimension.replace('_', ' ')} other than {' and '.join(f.values)}"
        if f.op == "not_equals"
        else f"{f.dimension.replace('_', ' ')} {' or '.join(f.values)}"
        for f in filters
    ]
    if period is not None:
        start = period.date_from.isoformat() if period.date_from else "the first interaction"
        end = period.date_to.isoformat() if period.date_to else "the latest interaction"
        parts.append(f"{start} to {end}")
    return ", ".join(parts) if parts else "all interactions"


def _query(measure: str, filters, period: Period | None, **shape) -> SemanticQuery:
    start, end = (period.date_from, period.date_to) if period else (None, None)
    return SemanticQuery(
        measures=(measure,), date_from=start, date_to=end, filters=filters, **shape
    )


def plan_question(
    question: str, vocabulary: SemanticVocabulary, customer_exists
) -> Plan | NotAnswerable:
    """Return the plan answering ``question``, or why it cannot be answered."""
    parsed = parse(question, vocabulary)
    if isinstance(parsed, NotAnswerable):
        return parsed
    missing = [c for c in parsed.customers if c > MAX_CUSTOMER_ID or not customer_exists(c)]
    if missing:
        return NotAnswerable(f"The data holds no customer {missing[0]}. {CAPABILITIES}")
    if len(parsed.periods) > 2:
        return NotAnswerable(f"The question names more than two periods. {CAPABILITIES}")
    free, target = parsed.free, target_of(parsed)
    # Customers ranked are ranked by their interactions: each counts as one customer.
    measure = "interactions" if target == "customer" else measure_of(parsed)
    filters = _filters(parsed.mentions, parsed.customers, parsed.excluded)
    period = parsed.periods[0] if len(parsed.periods) == 1 else None
    scope = scope_text(filters, period)
    if free & w.SHARE:
        return _share_plan(parsed, measure, target, period)
    if (granularity := granularity_of(parsed)) and not parsed.periods[1:]:
        dims = (target,) if target and target != "customer" else ()
        query = _query(measure, filters, period, dimensions=dims, granularity=granularity)
        return Plan("trend", (Step("trend", query),), measure, scope, target)
    if not target and (unit := ranked_unit(parsed)):
        return _period_ranking_plan(parsed, measure, unit, filters, period, scope)
    several = len(set(parsed.customers)) > 1
    compared = compared_dimension(parsed) or ("customer" if several else None)
    if len(parsed.periods) == 2:
        steps = tuple(Step(p.label, _query(measure, filters, p)) for p in parsed.periods)
        return Plan("comparison", steps, measure, scope_text(filters, None), "period")
    ranks = free & (w.RANK_DOWN | w.RANK_UP)
    if compared and (free & w.THAN or free & (w.COMPARE | {"or", "and"}) and not ranks):
        query = _query(measure, filters, period, dimensions=(compared,))
        return Plan("comparison", (Step("comparison", query),), measure, scope, compared)
    asks_which = free & {"which", "what"} and not free & w.COUNT
    # "Which channel ..." wants one; "which channels", "what was discussed", "rank the ..." all.
    one = names_target(parsed, target) and not plural(parsed, target) if target else False
    lists_all = free & w.BREAKDOWN and not parsed.top
    if target and not lists_all and (ranks or (asks_which and one)):
        return _ranking_plan(parsed, measure, target, filters, period, scope)
    if target and (free & (w.PER | w.BREAKDOWN) or asks_which):
        order = (OrderBy(measure, "desc"),)
        query = _query(measure, filters, period, dimensions=(target,), order=order)
        return Plan("breakdown", (Step("breakdown", query),), measure, scope, target)
    if parsed.customers and not free & w.COUNT:
        return _history_plan(filters, period, scope)
    if free & w.COUNT or parsed.mentions or (parsed.periods and "interaction" in free):
        return Plan("count", (Step("total", _query(measure, filters, period)),), measure, scope)
    return NotAnswerable(f"I could not tell what to count or rank. {CAPABILITIES}")


def _ranking_plan(parsed, measure, target, filters, period, scope) -> Plan:
    direction = "asc" if parsed.free & w.RANK_UP else "desc"
    if target != "customer" and not any(
        f.dimension == target and f.op != "not_equals" for f in filters
    ):
        # "Which channel ..." asks among the named channels: a missing one is no answer.
        left_out = [f for f in filters if f.dimension == target]
        kept = tuple(f for f in filters if f.dimension != target)
        values = (*(left_out[0].values if left_out else ()), UNKNOWN)
        filters = (*kept, QueryFilter(target, "not_equals", values))
    listed = parsed.free & {"top", "bottom"} or plural(parsed, target)
    top = parsed.top or (3 if listed else 1)
    order = (OrderBy(measure, direction),)
    # One row more than asked: it tells whether the last place is shared.
    query = _query(measure, filters, period, dimensions=(target,), order=order, limit=top + 1)
    return Plan(
        "ranking",
        (Step("ranking", query),),
        measure,
        scope,
        target,
        top,
        context={"direction": direction},
    )


def _period_ranking_plan(parsed, measure, unit, filters, period, scope) -> Plan:
    """ "Which month had the most ...": the periods of ``unit`` ranked by ``measure``."""
    direction = "asc" if parsed.free & w.RANK_UP else "desc"
    listed = parsed.free & {"top", "bottom"} or ranks_several_periods(parsed)
    top = parsed.top or (3 if listed else 1)
    order = (OrderBy(measure, direction),)
    query = _query(measure, filters, period, granularity=unit, order=order, limit=top + 1)
    context = {"direction": direction, "unit": unit}
    return Plan("ranking", (Step("ranking", query),), measure, scope, PERIOD, top, context=context)


def _history_plan(filters, period, scope) -> Plan:
    desc = (OrderBy("interactions", "desc"),)
    steps = (
        Step("total", _query("interactions", filters, period)),
        Step("topics", _query("interactions", filters, period, dimensions=("topic",), order=desc)),
        Step(
            "channels", _query("interactions", filters, period, dimensions=("channel",), order=desc)
        ),
    )
    return Plan("history", steps, "interactions", scope, "customer")


def _share_plan(parsed: Parsed, measure, target, period) -> Plan | NotAnswerable:
    subject, base = share_split(parsed)
    if not subject:
        if not target or target == "customer":
            return NotAnswerable(f"I could not tell what the share is of. {CAPABILITIES}")
        filters = _filters(base, parsed.customers, parsed.excluded)
        query = _query(
            measure, filters, period, dimensions=(target,), order=(OrderBy(measure, "desc"),)
        )
        return Plan(
            "share", (Step("breakdown", query),), measure, scope_text(filters, period), target
        )
    whole = _filters(base, parsed.customers, parsed.excluded)
    part = _filters(base + subject, parsed.customers, parsed.excluded)
    steps = (
        Step("matching", _query(measure, part, period)),
        Step("whole", _query(measure, whole, period)),
    )
    context = {"part": scope_text(_filters(subject, []), None), "whole": scope_text(whole, period)}
    return Plan("share", steps, measure, scope_text(part, period), context=context)
