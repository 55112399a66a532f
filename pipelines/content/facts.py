"""Hold a text to the numbers, dates and channels of the data its model was shown.

A claim is a number (digits, or a word from "one" to "twenty"), a date (ISO, "25 January
2024", "January 25, 2024", "25/01/2024", "Jan 2024", a bare year, a month or weekday
name), a clock time, or a channel named as the way of contact ("by email", "on the
phone", "your chatbot conversation"). The grounding is built by reading the prompt's data
values with the same reader, so a claim passes exactly when the data carried it; a full
date in the data also backs its parts (its year, month, day and weekday).

Word ordinals ("first", "second") and "one" in idioms ("one of", "no one") are not read as
claims: they are far more often English than figures.
"""

import re
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any

from pipelines.ingestion.rules import CHANNEL_SYNONYMS

_NUMBER_NAMES = (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
)  # fmt: skip
NUMBER_WORDS = {word: value for value, word in enumerate(_NUMBER_NAMES, start=1)}
_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}
MONTHS |= {name[:3]: number for name, number in MONTHS.items()} | {"sept": 9}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# "may" is a verb far more often than a month: only "May" is read as one.
_MONTH = "|".join(sorted(set(MONTHS) - {"may"}, key=len, reverse=True)) + "|(?-i:May)"
# A standalone month name counts only when capitalised, and never "May" (a verb first).
_MONTH_ALONE = "|".join(name.capitalize() for name in _MONTH_NAMES if name != "may")
_ORDINAL = r"(?:st|nd|rd|th)?"
# One pass over the text; earlier alternatives win, so a date is never read as numbers.
_CLAIM = re.compile(
    rf"""
    (?P<iso>\b(?P<iy>\d{{4}})-(?P<im>\d{{1,2}})-(?P<id>\d{{1,2}})
        (?:[T\ ](?P<ih>\d{{1,2}}):(?P<imin>\d{{2}})(?::\d{{2}}(?:\.\d+)?)?)?)(?!\d)
    |(?P<slash>\b(?P<s1>\d{{1,2}})/(?P<s2>\d{{1,2}})/(?P<sy>\d{{4}})\b)
    |(?P<dmy>\b(?P<dd>\d{{1,2}}){_ORDINAL}(?:\s+of)?\s+(?P<dm>{_MONTH})\b\.?
        (?:,?\s+(?P<dy>\d{{4}})\b)?)
    |(?P<mdy>\b(?P<mm>{_MONTH})\.?\s+(?P<md>\d{{1,2}}){_ORDINAL}\b(?:,?\s+(?P<my>\d{{4}})\b)?)
    |(?P<monthyear>\b(?P<ym>{_MONTH})\.?,?\s+(?P<yy>\d{{4}})\b)
    |(?P<month>\b(?-i:{_MONTH_ALONE})\b)
    |(?P<weekday>\b(?:{"|".join(WEEKDAYS)})s?\b)
    |(?P<time>\b(?P<th>\d{{1,2}}):(?P<tm>\d{{2}})\b)
    |(?P<number>(?<![\w.,])(?:\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d+)(?:\.\d+)?)
    |(?P<word>\b(?:{"|".join(NUMBER_WORDS)})\b)
    """,
    re.IGNORECASE | re.VERBOSE,
)
# "one" in these is English, not a count.
_ONE_IDIOM = re.compile(
    r"\b(?:no|any|each|every|which|this|that|the right)\s+one\b|\bone\s+(?:of|another|day)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")
# Words that can begin a claim, besides digits.
_STARTS = {*MONTHS, *WEEKDAYS, *(day + "s" for day in WEEKDAYS), *NUMBER_WORDS}
# A channel is claimed as the way of contact: after "by", "via", ... or before "conversation".
_CHANNEL_LEAD = r"(?:by|via|through|over|on|using)\s+(?:(?:a|an|the|our|your)\s+)?"
_CHANNEL_TAIL = r"\s+(?:conversation|interaction|contact|exchange|message|session|enquiry)"

Key = tuple[Any, ...]
# Channel synonyms keyed by their words ("e mail"), mapped to the casefolded channel.
_SYNONYMS = {
    " ".join(_WORD.findall(k.casefold())): v.casefold() for k, v in CHANNEL_SYNONYMS.items()
}


@dataclass(frozen=True)
class Claim:
    """One fact a text states: how it was written, and the keys any of which backs it."""

    text: str
    keys: tuple[Key, ...]
    start: int = 0  # where the text states it


@dataclass(frozen=True)
class Grounding:
    """What the data shown to the model backs: claim keys, and its names as word tuples."""

    keys: frozenset[Key]
    # Every data string as casefolded words, indexed by its first word.
    phrases: dict[str, frozenset[tuple[str, ...]]]


def _match_claim(match: re.Match[str]) -> Claim:
    groups, text = match.groupdict(), match.group(0)
    kind = match.lastgroup
    if kind == "iso":
        keys: tuple[Key, ...] = (("date", int(groups["iy"]), int(groups["im"]), int(groups["id"])),)
        if groups["ih"]:
            keys = (*keys, ("time", int(groups["ih"]), int(groups["imin"])))
        return Claim(text, keys)
    if kind == "slash":
        first, second, year = int(groups["s1"]), int(groups["s2"]), int(groups["sy"])
        return Claim(text, (("date", year, second, first), ("date", year, first, second)))
    if kind in ("dmy", "mdy"):
        prefix = "d" if kind == "dmy" else "m"
        day = int(groups[f"{prefix}d"])
        month = MONTHS[groups[f"{prefix}m"].lower()]
        written_year = groups["dy" if kind == "dmy" else "my"]
        key = ("date", int(written_year), month, day) if written_year else ("day", month, day)
        return Claim(text, (key,))
    if kind == "monthyear":
        return Claim(text, (("month", int(groups["yy"]), MONTHS[groups["ym"].lower()]),))
    if kind == "month":
        return Claim(text, (("monthname", MONTHS[text.lower()]),))
    if kind == "weekday":
        return Claim(text, (("weekday", WEEKDAYS.index(text.lower().rstrip("s"))),))
    if kind == "time":
        return Claim(text, (("time", int(groups["th"]), int(groups["tm"])),))
    if kind == "word":
        return Claim(text, (("number", str(NUMBER_WORDS[text.lower()])),))
    return _number_claim(text)


def _number_claim(text: str) -> Claim:
    value = text.replace(",", "")
    if "." in value:
        value = value.rstrip("0").rstrip(".")
    else:
        value = str(int(value))
        if len(text) == 4 and 1900 <= int(value) <= 2099:
            return Claim(text, (("year", int(value)),))
    return Claim(text, (("number", value),))


def claims(text: str) -> Iterator[Claim]:
    """Yield every number, date and time ``text`` states, in order."""
    # Blanked to the same length, so positions still point into ``text``.
    text = _ONE_IDIOM.sub(lambda m: " " * len(m.group(0)), text)
    end = 0
    # Trying the claim pattern only where a word could start one is four times faster
    # than letting it scan every character.
    for word in _WORD.finditer(text):
        start = word.start()
        if start < end or not (word.group(0)[0].isdecimal() or word.group(0).lower() in _STARTS):
            continue
        match = _CLAIM.match(text, start)
        if match is not None:
            end = match.end()
            yield replace(_match_claim(match), start=start)


def _implied(key: Key) -> Iterator[Key]:
    """Yield the key and the smaller claims it backs: a date backs its year, month, day."""
    yield key
    kind = key[0]
    if kind == "date":
        year, month, day = key[1:]
        yield from (("month", year, month), ("day", month, day), ("number", str(day)))
        with suppress(ValueError):  # an impossible date in the data backs no weekday
            yield ("weekday", date(year, month, day).weekday())
    if kind in ("date", "month"):
        yield from (("year", key[1]), ("monthname", key[2]))


def _strings(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        # An interaction's row id is a reference, not a fact to tell a customer: counted as
        # a number it would back "your 12 conversations" for a customer with 3.
        for key, item in value.items():
            if key != "id":
                yield from _strings(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item)
    elif value is not None:
        yield value


def words(text: str) -> tuple[str, ...]:
    """Return the casefolded words of ``text``: how names and channels are compared."""
    return tuple(_WORD.findall(text.casefold()))


def ground(values: Iterable[Any]) -> Grounding:
    """Return what ``values`` (the prompt's data, JSON-ready) back, read as a text is read."""
    keys: set[Key] = set()
    phrases: dict[str, set[tuple[str, ...]]] = {}
    for value in _strings(list(values)):
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            value = str(value)
        backed, phrase = _string_grounding(str(value))
        keys.update(backed)
        if phrase:
            phrases.setdefault(phrase[0], set()).add(phrase)
    return Grounding(frozenset(keys), {k: frozenset(v) for k, v in phrases.items()})


# The same names, dates and labels recur in every customer's data: a campaign batch
# grounds each distinct string once (measured: ground() went from 3.5 to ~1 ms a draft).
@lru_cache(maxsize=65_536)
def _string_grounding(text: str) -> tuple[frozenset[Key], tuple[str, ...]]:
    """Return what one data string backs, and its words (the phrase it names)."""
    keys: set[Key] = set()
    for claim in claims(text):
        for key in claim.keys:
            keys.update(_implied(key))
    for number in _WORD.findall(text):
        if number.isdecimal():
            keys.add(("number", str(int(number))))
    phrase = words(text)
    if phrase:
        keys.update(_channel_keys(phrase))
    return frozenset(keys), phrase


def _channel_keys(phrase: tuple[str, ...]) -> Iterator[Key]:
    """Yield a channel key for each word, pair of words and the whole of a data string."""
    pairs = (" ".join(phrase[i : i + 2]) for i in range(len(phrase)))
    for name in (*phrase, *pairs, " ".join(phrase)):
        yield ("channel", _canonical(name))


def _canonical(channel: str) -> str:
    return _SYNONYMS.get(channel, channel)


@lru_cache(maxsize=16)
def _channel_pattern(channels: frozenset[str]) -> re.Pattern[str]:
    # A name without any word (all punctuation) could match anywhere: it is left out.
    names = ({" ".join(words(name)) for name in channels} | set(_SYNONYMS)) - {""}
    # Words of a name may be written with any separator: "e-mail", "chat bot".
    spelled = "|".join(
        r"\W+".join(map(re.escape, name.split())) for name in sorted(names, key=len, reverse=True)
    )
    return re.compile(
        rf"\b{_CHANNEL_LEAD}(?P<a>{spelled})\b|\b(?P<b>{spelled}){_CHANNEL_TAIL}s?\b",
        re.IGNORECASE,
    )


def channel_claims(text: str, channels: frozenset[str]) -> Iterator[Claim]:
    """Yield every channel of ``channels`` (or a synonym) ``text`` names as a way of contact."""
    for match in _channel_pattern(channels).finditer(text):
        name = " ".join(words(match.group("a") or match.group("b")))
        yield Claim(match.group(0), (("channel", _canonical(name)),), match.start())


def unbacked(text: str, grounding: Grounding, channels: frozenset[str]) -> list[str]:
    """Return each claim of ``text`` that ``grounding`` does not back, as written."""
    found = sorted([*claims(text), *channel_claims(text, channels)], key=lambda c: c.start)
    return [c.text for c in found if not any(key in grounding.keys for key in c.keys)]
