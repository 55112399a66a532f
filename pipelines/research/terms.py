"""Find the data's own values in a question: products, topics, channels, sentiments, types.

Names and question are compared as words, casefolded, with plurals and possessives
folded ("Red customers'" -> "red customer"), so wording and punctuation do not matter.
A distinctive part of a longer name counts too ("efficacy" for "Drug Efficacy") when it
belongs to that one value; a misspelt word close to one word of the vocabulary is read
as that word. The vocabulary is read from the data, never listed here.
"""

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pipelines.ingestion.rules import CHANNEL_SYNONYMS

_WORD = re.compile(r"[^\W_]+")
# Words that shape a question rather than name a value: never enough alone to name one.
STRUCTURE_WORDS = frozenset(
    [
        "interaction",
        "customer",
        "client",
        "product",
        "topic",
        "subject",
        "theme",
        "channel",
        "medium",
        "sentiment",
        "mood",
        "tone",
        "type",
        "segment",
        "discussion",
        "discuss",
        "discussed",
        "concern",
        "data",
        "the",
        "and",
        "of",
        "a",
        "an",
        "in",
        "on",
        "for",
        "with",
        "about",
        "by",
        "to",
    ]
)
# Priority when one name is a value of several dimensions and the context does not decide.
DIMENSION_ORDER = ("customer_type", "product", "channel", "topic", "sentiment")
# Words next to a name that tell which dimension it belongs to.
_CONTEXT = {
    "customer_type": {"customer", "client", "type", "segment"},
    "product": {"product"},
    "channel": {"channel", "via", "through", "medium"},
    "topic": {"topic", "about", "subject", "theme"},
    "sentiment": {"sentiment", "mood", "tone"},
}


def stem(word: str) -> str:
    """Fold a plural or third-person ``s`` away: inquiries -> inquiry, emails -> email."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def plain_words(text: str) -> list[str]:
    """Return the question's words, casefolded, possessives dropped."""
    return _WORD.findall(re.sub(r"['’]s\b", "", text.casefold()))


def possessive_positions(text: str) -> set[int]:
    """Return the positions (as plain_words counts them) of words written as possessives."""
    marked = re.sub(r"(['’])s\b", r"\1", text.casefold())
    return {
        i
        for i, match in enumerate(_WORD.finditer(marked))
        if marked[match.end() : match.end() + 1] in ("'", "’")
    }


def tokens(text: str) -> list[str]:
    """Return the question's words, casefolded and stemmed, possessives dropped."""
    return [stem(word) for word in plain_words(text)]


@dataclass(frozen=True)
class Mention:
    """A value of the data named by the question's words ``start``..``end`` (exclusive)."""

    dimension: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class TermIndex:
    """The vocabulary by word sequence: full names first, then distinctive parts."""

    full: dict[tuple[str, ...], frozenset[tuple[str, str]]]
    partial: dict[tuple[str, ...], frozenset[tuple[str, str]]]
    words: frozenset[str]
    longest: int


def _names(values: dict[str, tuple[str, ...]]) -> Iterable[tuple[tuple[str, ...], str, str]]:
    for dimension, names in values.items():
        for name in names:
            yield tuple(tokens(name)), dimension, name
    channels = {name.casefold(): name for name in values.get("channel", ())}
    for synonym, channel in CHANNEL_SYNONYMS.items():
        if channel.casefold() in channels:
            yield tuple(tokens(synonym)), "channel", channels[channel.casefold()]


@lru_cache(maxsize=8)
def build_index(values: tuple[tuple[str, tuple[str, ...]], ...]) -> TermIndex:
    """Index a vocabulary given as ((dimension, names), ...)."""
    full: dict[tuple[str, ...], set[tuple[str, str]]] = {}
    parts: dict[tuple[str, ...], set[tuple[str, str]]] = {}
    for key, dimension, name in _names(dict(values)):
        if not key:
            continue
        full.setdefault(key, set()).add((dimension, name))
        for size in range(1, len(key)):
            for start in range(len(key) - size + 1):
                part = key[start : start + size]
                if not set(part) <= STRUCTURE_WORDS and not (size == 1 and len(part[0]) < 4):
                    parts.setdefault(part, set()).add((dimension, name))
    partial = {k: frozenset(v) for k, v in parts.items() if len(v) == 1 and k not in full}
    known = {word for key in full for word in key}
    longest = max((len(k) for k in full), default=1)
    return TermIndex({k: frozenset(v) for k, v in full.items()}, partial, frozenset(known), longest)


def correct_spelling(words: list[str], index: TermIndex, keep: frozenset[str]) -> list[str]:
    """Replace a long word close to exactly one vocabulary word by that word."""
    corrected = []
    for word in words:
        if len(word) >= 5 and word not in index.words and word not in keep:
            close = difflib.get_close_matches(word, index.words, n=2, cutoff=0.84)
            word = close[0] if len(close) == 1 else word
        corrected.append(word)
    return corrected


def _pick(found: frozenset[tuple[str, str]], words: list[str], start: int, end: int):
    if len(found) == 1:
        return next(iter(found))
    around = set(words[max(0, start - 1) : start]) | set(words[end : end + 2])
    for dimension, name in sorted(found, key=lambda f: DIMENSION_ORDER.index(f[0])):
        if around & _CONTEXT[dimension]:
            return dimension, name
    return min(found, key=lambda f: DIMENSION_ORDER.index(f[0]))


def find_mentions(words: list[str], index: TermIndex) -> list[Mention]:
    """Return the values ``words`` name, longest first where names overlap."""
    mentions, start = [], 0
    while start < len(words):
        for size in range(min(index.longest, len(words) - start), 0, -1):
            key = tuple(words[start : start + size])
            found = index.full.get(key) or index.partial.get(key)
            if found:
                dimension, name = _pick(found, words, start, start + size)
                mentions.append(Mention(dimension, name, start, start + size))
                start += size
                break
        else:
            start += 1
    return mentions
