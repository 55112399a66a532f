"""Read a question: its periods, customer ids, top-N, the data's values, and what it asks.

The question's words are matched to the data's vocabulary (terms.py), its periods read
(time_phrases.py) and its customer ids taken; what remains must be ordinary question
words (wording.py). The readers below then tell what is counted, ranked or compared.
"""

import re
from dataclasses import dataclass

from pipelines.content.facts import NUMBER_WORDS
from pipelines.research import wording as w
from pipelines.research.terms import (
    Mention,
    build_index,
    correct_spelling,
    find_mentions,
    plain_words,
    possessive_positions,
    tokens,
)
from pipelines.research.time_phrases import Period, find_periods
from repository.semantic import SemanticVocabulary

CAPABILITIES = (
    "I can count interactions or customers; rank the products, topics, channels, "
    "sentiments, customer types or customers (top, most, least N); compare two values or "
    "two periods; show a trend per month, quarter or year; give a share; and summarise one "
    "customer's history. Name values as the data does (e.g. a channel, a topic, a customer "
    "type) and periods as a year, Q1 2021, March 2020, between 2020-01-01 and 2020-06-30 "
    "or the last 6 months."
)
_CUSTOMER = re.compile(
    r"\b(?:customer|client)s?\s*(?:id|number|no\.?|nr\.?)?s?\s*#?\s*"
    r"(\d{1,10}(?:\s*(?:,|and|or|&|vs\.?|versus)\s*#?\s*\d{1,10}\b)*)\b",
    re.I,
)
_COUNT_WORD = r"\d{1,3}|" + "|".join(NUMBER_WORDS)
_TOP_N = re.compile(rf"\b(top|bottom|first|which|what)\s+({_COUNT_WORD})\b", re.I)
_N_MOST = re.compile(
    rf"\b({_COUNT_WORD})\s+(?=(?:most|least|biggest|largest|smallest|busiest|"
    r"quietest|highest|lowest|fewest|best|worst|main|leading)\b)",
    re.I,
)


@dataclass(frozen=True)
class NotAnswerable:
    """Why the question gets no answer."""

    reason: str


@dataclass
class Parsed:
    words: list[str]
    plural: set[int]  # positions of words written in the plural ("topics")
    mentions: list[Mention]
    periods: list[Period]
    customers: list[int]
    top: int | None
    free: set[str]  # words outside every value, period and id
    possessive: set[int]  # positions of possessives ("Red customers' emails")
    excluded: list[Mention]  # values the question leaves out ("non-email")


def _number(text: str) -> int:
    return int(text) if text.isdigit() else NUMBER_WORDS[text.lower()]


def parse(question: str, vocabulary: SemanticVocabulary) -> Parsed | NotAnswerable:
    text = question.replace("%", " percent ")
    customers = [int(n) for m in _CUSTOMER.finditer(text) for n in re.findall(r"\d+", m.group(1))]
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
    words = correct_spelling(tokens(text), index, w.FILLER | w.NEGATORS)
    mentions = find_mentions(words, index)
    negated, links = _negations(words, mentions)
    taken = {i for m in mentions for i in range(m.start, m.end)} | links
    free = [word for i, word in enumerate(words) if i not in taken]
    unknown = [word for word in free if word not in w.FILLER]
    if unknown:
        return NotAnswerable(
            f"I could not match {', '.join(repr(u) for u in dict.fromkeys(unknown))} to the "
            f"data's vocabulary or to a question I can answer. {CAPABILITIES}"
        )
    plural = {i for i, word in enumerate(plain_words(text)) if word != words[i]}
    possessive = possessive_positions(text)
    kept = [m for i, m in enumerate(mentions) if i not in negated]
    excluded = [m for i, m in enumerate(mentions) if i in negated]
    return Parsed(words, plural, kept, periods, customers, top, set(free), possessive, excluded)


def _negations(words: list[str], mentions: list[Mention]) -> tuple[set[int], set[int]]:
    """Return which mentions are negated ("excluding Chatbot and Post") and the positions
    of the words that negate them."""
    negated: set[int] = set()
    links: set[int] = set()
    for index, mention in enumerate(mentions):
        position, between = mention.start - 1, list[int]()
        while position >= 0 and words[position] in w.NEGATION_LINKS and len(between) < 2:
            between.append(position)
            position -= 1
        if position >= 0 and words[position] in w.NEGATORS:
            negated.add(index)
            links.update([position, *between])
            continue
        if index - 1 not in negated:
            continue
        previous = mentions[index - 1]
        joined = all(words[i] in ("and", "or", "nor") for i in range(previous.end, mention.start))
        if joined and previous.dimension == mention.dimension:
            negated.add(index)  # "excluding Chatbot and Post"
    return negated, links


def target_of(parsed: Parsed) -> str | None:
    """Return the dimension the question ranks, compares or breaks down, if it names one."""
    words, free = parsed.words, parsed.free
    typed = {m.end for m in parsed.mentions if m.dimension == "customer_type"}
    for position, word in enumerate(words):
        if word in w.CUSTOMER_NOUNS and words[position + 1 : position + 2] == ["type"]:
            return "customer_type"
        after = words[position + 1 : position + 3]
        if word in w.KIND and len(after) == 2 and after[0] == "of" and after[1] in w.CUSTOMER_NOUNS:
            return "customer_type"  # "which type of customer"
    for dimension, names in w.TARGETS:
        for position, word in enumerate(words):
            if word in names and word in free and position not in typed:
                if dimension == "customer" and counts_customers(parsed, position, ranks=False):
                    continue
                return dimension
    if free & w.DISCUSS:
        return "topic"
    return "customer" if "who" in free else None


def plural(parsed: Parsed, target: str) -> bool:
    """Tell whether the question names its target in the plural ("which topics")."""
    names = dict(w.TARGETS).get(target, frozenset())
    return any(word in names and i in parsed.plural for i, word in enumerate(parsed.words))


def names_target(parsed: Parsed, target: str) -> bool:
    """Tell whether the question names its target's own word ("which channel"), not only a
    verb that implies it ("what was discussed": the topics)."""
    names = dict(w.TARGETS).get(target, frozenset())
    if target == "customer_type":
        names = names | w.KIND
    return any(word in names for word in parsed.free)


def counts_customers(parsed: Parsed, position: int, ranks: bool = True) -> bool:
    """Tell whether "customer" at ``position`` is what is counted ("how many Red customers")."""
    named = {i for m in parsed.mentions for i in range(m.start, m.end)}
    if position in parsed.possessive or parsed.words[position + 1 : position + 2] == [
        "interaction"
    ]:
        return False  # "Red customers' emails", "customer interactions": interactions counted
    for i in range(position - 1, -1, -1):
        word = parsed.words[i]
        if word in w.CUSTOMERS_MEASURE:
            return True
        if i in named or word in ("of", "the"):
            continue
        return word in w.COUNT | w.SHARE | ((w.RANK_DOWN | w.RANK_UP) if ranks else set())
    return False


def measure_of(parsed: Parsed) -> str:
    words = parsed.words
    counted = (i for i, word in enumerate(words) if word in w.CUSTOMER_NOUNS)
    return "customers" if any(counts_customers(parsed, i) for i in counted) else "interactions"


_ADJECTIVE_UNITS = {
    "daily": "day",
    "weekly": "week",
    "monthly": "month",
    "quarterly": "quarter",
    "yearly": "year",
    "annual": "year",
    "annually": "year",
}
_UNIT_NOUNS = frozenset(w.TREND_UNITS)  # the nouns: "month", not "monthly"


def granularity_of(parsed: Parsed) -> str | None:
    """Return the period a trend is asked per ("monthly", "per quarter", "over time": month)."""
    words = parsed.words
    for word in words:
        if word in _ADJECTIVE_UNITS:
            return _ADJECTIVE_UNITS[word]
    for first, between, second in zip(words, words[1:], words[2:], strict=False):
        if between == "over" and first == second and _unit_of(first):  # "year over year"
            return _unit_of(first)
    for before, word in zip(words, words[1:], strict=False):
        unit = next((u for u, names in w.TREND_UNITS.items() if word in names), None)
        if unit and before in w.PER:
            return unit
    over_time = any(a == "over" and b == "time" for a, b in zip(words, words[1:], strict=False))
    return "month" if parsed.free & w.TREND or over_time else None


def _unit_of(word: str) -> str | None:
    return next((unit for unit, names in w.TREND_UNITS.items() if word in names), None)


def ranked_unit(parsed: Parsed) -> str | None:
    """Return the period a question ranks ("which month had the most", "busiest quarter")."""
    words, free = parsed.words, parsed.free
    ranks = free & (w.RANK_DOWN | w.RANK_UP)
    for position, word in enumerate(words):
        unit = _unit_of(word) if word in _UNIT_NOUNS else None
        if unit is None or (position and words[position - 1] in w.PER):
            continue
        if ranks or (position and words[position - 1] in ("which", "what")):
            return unit
    return None


def ranks_several_periods(parsed: Parsed) -> bool:
    """Tell whether the ranked period is named in the plural ("which months")."""
    return any(word in _UNIT_NOUNS and i in parsed.plural for i, word in enumerate(parsed.words))


def share_split(parsed: Parsed) -> tuple[list[Mention], list[Mention]]:
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


def compared_dimension(parsed: Parsed) -> str | None:
    """Return the dimension of which the question names two or more values, if any."""
    seen: dict[str, set[str]] = {}
    for mention in parsed.mentions:
        seen.setdefault(mention.dimension, set()).add(mention.value)
    return next((d for d, values in seen.items() if len(values) >= 2), None)
