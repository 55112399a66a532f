"""Turn a question into semantic queries, deterministically: the planner of the mock model.

The question's words are matched to the data's vocabulary (terms.py), its periods read
(time_phrases.py) and its customer ids checked; what remains must be ordinary question
words (wording.py), or the question is not answered. The kind of question follows from
its words: a share, a trend, a comparison, a ranking, one customer's history, a count.
"""

import re
from dataclasses import dataclass, field

from pipelines.content.facts import NUMBER_WORDS
from pipelines.research import wording as w
from pipelines.research.terms import (
    Mention,
    build_index,
    correct_spelling,
    find_mentions,
    plain_words,
    tokens,
)
from pipelines.research.time_phrases import Period, find_periods
from repository.model import UNKNOWN
from repository.semantic import OrderBy, QueryFilter, SemanticQuery, SemanticVocabulary

CAPABILITIES = (
    "I can count interactions or customers; rank the products, topics, channels, "
    "sentiments, customer types or customers (top, most, least N); compare two values or "
    "two periods; show a trend per month, quarter or year; give a share; and summarise one "
    "customer's history. Name values as the data does (e.g. a channel, a topic, a customer "
    "type) and periods as a year, Q1 2021, March 2020, between 2020-01-01 and 2020-06-30 "
    "or the last 6 months."
)
_CUSTOMER = re.compile(
    r"\b(?:customer|client)s?\s*(?:id|number|no\.?|nr\.?)?\s*#?\s*(\d{1,10})\b", re.I
)
_COUNT_WORD = r"\d{1,3}|" + "|".join(NUMBER_WORDS)
_TOP_N = re.compile(rf"\b(top|bottom|first)\s+({_COUNT_WORD})\b", re.I)
_N_MOST = re.compile(
    rf"\b({_COUNT_WORD})\s+(?=(?:most|least|biggest|largest|smallest|busiest|"
    r"quietest|highest|lowest|fewest|best|worst|main|leading)\b)",
    re.I,
)


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


@dataclass(frozen=True)
class NotAnswerable:
    """Why the question gets no answer."""

    reason: str


@dataclass
class _Parsed:
    words: list[str]
    plural: set[int]  # positions of words written in the plural ("topics")
    mentions: list[Mention]
    periods: list[Period]
    customers: list[int]
    top: int | None
    free: set[str]  # words outside every value, period and id


def _number(text: str) -> int:
    return int(text) if text.isdigit() else NUMBER_WORDS[text.lower()]


def _parse(question: str, vocabulary: SemanticVocabulary) -> _Parsed | NotAnswerable:
    text = question.replace("%", " percent ")
    customers = [int(m.group(1)) for m in _CUSTOMER.finditer(text)]
    text = _CUSTOMER.sub(" customerref ", text)
    periods = find_periods(text, vocabulary.last_day)
    for period in sorted(periods, key=lambda p: -p.start):
        text = text[: period.start] + " periodref " + text[period.end :]
    top = None
    if match := _TOP_N.search(text) or _N_MOST.search(text):
        top = _number(match.group(2) if match.re is _TOP_N else match.group(1))
        text = (
            text[: match.start()]
            + (match.group(1) if match.re is _TOP_N else "")
            + text[match.end() :]
        )
    index = build_index(tuple(sorted(vocabulary.values.items())))
    words = correct_spelling(tokens(text), index, w.FILLER)
    mentions = find_mentions(words, index)
    taken = {i for m in mentions for i in range(m.start, m.end)}
    free = [word for i, word in enumerate(words) if i not in taken]
    unknown = [word for word in free if word not in w.FILLER]
    if unknown:
        return NotAnswerable(
            f"I could not match {', '.join(repr(u) for u in dict.fromkeys(unknown))} to the "
            f"data's vocabulary or to a question I can answer. {CAPABILITIES}"
        )
    plural = {i for i, word in enumerate(plain_words(text)) if word != words[i]}
    return _Parsed(words, plural, mentions, periods, customers, top, set(free))


def _filters(mentions: list[Mention], customers: list[int]) -> tuple[QueryFilter, ...]:
    by_dimension: dict[str, list[str]] = {}
    for mention in mentions:
        values = by_dimension.setdefault(mention.dimension, [])
        if mention.value not in values:
            values.append(mention.value)
    if customers:
        by_dimension["customer"] = [str(c) for c in dict.fromkeys(customers)]
    return tuple(
        QueryFilter(d, "equals" if len(v) == 1 else "in", tuple(v)) for d, v in by_dimension.items()
    )


def scope_text(filters: tuple[QueryFilter, ...], period: Period | None) -> str:
    """Describe filters and period in words, e.g. "channel Email, 2020-01-01 to 2020-12-31"."""
    parts = [f"{f.dimension.replace('_', ' ')} {' or '.join(f.values)}" for f in filters]
    if period is not None:
        start = period.date_from.isoformat() if period.date_from else "the first interaction"
        end = period.date_to.isoformat() if period.date_to else "the latest interaction"
        parts.append(f"{start} to {end}")
    return ", ".join(parts) if parts else "all interactions"


def _target(parsed: _Parsed) -> str | None:
    """Return the dimension the question ranks, compares or breaks down, if it names one."""
    words, free = parsed.words, parsed.free
    typed = {m.end for m in parsed.mentions if m.dimension == "customer_type"}
    for position, word in enumerate(words):
        if word == "customer" and position + 1 < len(words) and words[position + 1] == "type":
            return "customer_type"
    for dimension, names in w.TARGETS:
        for position, word in enumerate(words):
            if word in names and word in free and position not in typed:
                if dimension == "customer" and _counts_customers(parsed, position, ranks=False):
                    continue
                return dimension
    if free & w.DISCUSS:
        return "topic"
    return "customer" if "who" in free else None


def _plural(parsed: _Parsed, target: str) -> bool:
    """Tell whether the question names its target in the plural ("which topics")."""
    names = dict(w.TARGETS).get(target, frozenset())
    return any(word in names and i in parsed.plural for i, word in enumerate(parsed.words))


def _counts_customers(parsed: _Parsed, position: int, ranks: bool = True) -> bool:
    """Tell whether "customer" at ``position`` is what is counted ("how many Red customers")."""
    named = {i for m in parsed.mentions for i in range(m.start, m.end)}
    if parsed.words[position + 1 : position + 2] == ["interaction"]:  # "customers' interactions"
        return False
    for i in range(position - 1, -1, -1):
        word = parsed.words[i]
        if word in w.CUSTOMERS_MEASURE:
            return True
        if i in named or word in ("of", "the"):
            continue
        return word in w.COUNT | w.SHARE | ((w.RANK_DOWN | w.RANK_UP) if ranks else set())
    return False


def _measure(parsed: _Parsed) -> str:
    words = parsed.words
    counted = (i for i, word in enumerate(words) if word in ("customer", "client"))
    return "customers" if any(_counts_customers(parsed, i) for i in counted) else "interactions"


_ADJECTIVE_UNITS = {
    "daily": "day",
    "weekly": "week",
    "monthly": "month",
    "quarterly": "quarter",
    "yearly": "year",
    "annual": "year",
    "annually": "year",
}


def _granularity(parsed: _Parsed) -> str | None:
    """Return the period a trend is asked per ("monthly", "per quarter", "over time": month)."""
    words = parsed.words
    for word in words:
        if word in _ADJECTIVE_UNITS:
            return _ADJECTIVE_UNITS[word]
    for before, word in zip(words, words[1:], strict=False):
        unit = next((u for u, names in w.TREND_UNITS.items() if word in names), None)
        if unit and before in w.PER:
            return unit
    return "month" if parsed.free & w.TREND else None


def _query(measure: str, filters, period: Period | None, **shape) -> SemanticQuery:
    start, end = (period.date_from, period.date_to) if period else (None, None)
    return SemanticQuery(
        measures=(measure,), date_from=start, date_to=end, filters=filters, **shape
    )


def _share_split(parsed: _Parsed) -> tuple[list[Mention], list[Mention]]:
    """Return (the mentions a share is of, the mentions of the whole it is a share of)."""
    words, mentions = parsed.words, parsed.mentions
    share_at = next(i for i, word in enumerate(words) if word in w.SHARE)
    among = next((i for i, word in enumerate(words) if word in w.BASE_SPLIT), None)
    if among is not None:
        return [m for m in mentions if m.start < among], [m for m in mentions if m.start > among]
    verb = next((i for i, word in enumerate(words) if word in w.PREDICATE and i > share_at), None)
    if verb is not None:
        return [m for m in mentions if m.start > verb], [m for m in mentions if m.start < verb]
    return mentions[-1:], mentions[:-1]


def _compared(parsed: _Parsed) -> str | None:
    """Return the dimension of which the question names two or more values, if any."""
    seen: dict[str, set[str]] = {}
    for mention in parsed.mentions:
        seen.setdefault(mention.dimension, set()).add(mention.value)
    return next((d for d, values in seen.items() if len(values) >= 2), None)


def plan_question(
    question: str, vocabulary: SemanticVocabulary, customer_exists
) -> Plan | NotAnswerable:
    """Return the plan answering ``question``, or why it cannot be answered."""
    parsed = _parse(question, vocabulary)
    if isinstance(parsed, NotAnswerable):
        return parsed
    missing = [c for c in parsed.customers if not customer_exists(c)]
    if missing:
        return NotAnswerable(f"The data holds no customer {missing[0]}. {CAPABILITIES}")
    if len(parsed.periods) > 2:
        return NotAnswerable(f"The question names more than two periods. {CAPABILITIES}")
    free, target = parsed.free, _target(parsed)
    # Customers ranked are ranked by their interactions: each counts as one customer.
    measure = "interactions" if target == "customer" else _measure(parsed)
    filters = _filters(parsed.mentions, parsed.customers)
    period = parsed.periods[0] if len(parsed.periods) == 1 else None
    scope = scope_text(filters, period)
    if free & w.SHARE:
        return _share_plan(parsed, measure, target, period)
    if (granularity := _granularity(parsed)) and not parsed.periods[1:]:
        dims = (target,) if target and target != "customer" else ()
        query = _query(measure, filters, period, dimensions=dims, granularity=granularity)
        return Plan("trend", (Step("trend", query),), measure, scope, target)
    compared = _compared(parsed)
    if len(parsed.periods) == 2:
        steps = tuple(Step(p.label, _query(measure, filters, p)) for p in parsed.periods)
        return Plan("comparison", steps, measure, scope_text(filters, None), "period")
    if compared and free & (w.COMPARE | {"or", "and"}) and not free & (w.RANK_DOWN | w.RANK_UP):
        query = _query(measure, filters, period, dimensions=(compared,))
        return Plan("comparison", (Step("comparison", query),), measure, scope, compared)
    ranked = free & (w.RANK_DOWN | w.RANK_UP)
    asks_which = free & {"which", "what"} and not free & w.COUNT
    if target and (ranked or asks_which) and (ranked or not _plural(parsed, target)):
        return _ranking_plan(parsed, measure, target, filters, period, scope)
    if target and (free & (w.PER | {"breakdown", "split"}) or asks_which):
        order = (OrderBy(measure, "desc"),)
        query = _query(measure, filters, period, dimensions=(target,), order=order)
        return Plan("breakdown", (Step("breakdown", query),), measure, scope, target)
    if parsed.customers and not free & w.COUNT:
        return _history_plan(filters, period, scope)
    if free & w.COUNT or parsed.mentions:
        return Plan("count", (Step("total", _query(measure, filters, period)),), measure, scope)
    return NotAnswerable(f"I could not tell what to count or rank. {CAPABILITIES}")


def _ranking_plan(parsed, measure, target, filters, period, scope) -> Plan:
    direction = "asc" if parsed.free & w.RANK_UP else "desc"
    if target != "customer" and not any(f.dimension == target for f in filters):
        # "Which channel ..." asks among the named channels: a missing one is no answer.
        filters = (*filters, QueryFilter(target, "not_equals", (UNKNOWN,)))
    listed = parsed.free & {"top", "bottom"} or _plural(parsed, target)
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


def _share_plan(parsed: _Parsed, measure, target, period) -> Plan | NotAnswerable:
    subject, base = _share_split(parsed)
    if not subject:
        if not target or target == "customer":
            return NotAnswerable(f"I could not tell what the share is of. {CAPABILITIES}")
        filters = _filters(base, parsed.customers)
        query = _query(
            measure, filters, period, dimensions=(target,), order=(OrderBy(measure, "desc"),)
        )
        return Plan(
            "share", (Step("breakdown", query),), measure, scope_text(filters, period), target
        )
    whole = _filters(base, parsed.customers)
    part = _filters(base + subject, parsed.customers)
    steps = (
        Step("matching", _query(measure, part, period)),
        Step("whole", _query(measure, whole, period)),
    )
    context = {"part": scope_text(_filters(subject, []), None), "whole": scope_text(whole, period)}
    return Plan("share", steps, measure, scope_text(part, period), context=context)
