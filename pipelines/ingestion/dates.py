"""Parse interaction dates to naive datetimes: day-first, ISO and month-name texts, date cells.

A month written as a word is unambiguous, so "7 Mar 2020 10:00", "March 8, 2020" or
"Sat 7 March 2020 2:30 pm" are read in any of the usual orders (day month year, month day
year, year month day); a numeric date is read day first, as ever.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from pipelines.ingestion.cells import type_groups
from pipelines.ingestion.rules import normalise_text

NO_DATE = np.datetime64("NaT", "us")
_DATE_CELLS = (dt.date, np.datetime64)  # datetime and pd.Timestamp are dates too
_ISO_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
)
_DAY_FIRST_FORMATS = ("%d/%m/%Y",)
_TIME_FORMATS = ("%H:%M", "%H:%M:%S")
_CLOCK_FORMATS = (*_TIME_FORMATS, "%I:%M %p", "%I:%M:%S %p")
_TIME_ZERO = np.datetime64("1900-01-01", "us")  # the day strptime gives a bare time
_FIRST_DAY = np.datetime64("0001-01-01", "us")  # PostgreSQL has no year 0
_MONTHS = {
    name: number
    for number, names in enumerate(
        ["jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
         "aug august", "sep sept september", "oct october", "nov november", "dec december"],
        start=1,
    )
    for name in names.split()
}  # fmt: skip
_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        ["mon monday", "tue tues tuesday", "wed wednesday", "thu thur thurs thursday",
         "fri friday", "sat saturday", "sun sunday"]
    )
    for name in names.split()
}  # fmt: skip
# A time closing a month-name date: "10:00", "14:30:05", "at 2:30 pm", "2:30p.m.". Minutes and
# seconds stop at 59 here because strptime would read a 60th second as the next minute.
_TIME_TAIL = re.compile(
    r"[\s,]+(?:at\s+)?([0-9]{1,2}:[0-5][0-9](?::[0-5][0-9])?)(?:\s*([ap])\.?m\.?)?$"
)
_DATE_WORDS = re.compile(r"[^\s,./-]+")  # spaces, commas, dots, slashes and hyphens separate
_DAY = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)?")
_YEAR = re.compile(r"[0-9]{4}")
_WORD_ORDERS = ("dmy", "mdy", "ymd")  # d: day, m: month name, y: four-digit year


def parse_dates(cells: npt.NDArray[Any]) -> npt.NDArray[np.datetime64]:
    """Parse distinct cells (texts or date cells) to naive datetimes; NaT if impossible."""
    parsed = np.full(len(cells), NO_DATE)
    for kind, positions in type_groups(cells):
        if issubclass(kind, _DATE_CELLS):
            dates = pd.Series(cells[positions], dtype=object)
            parsed[positions] = pd.to_datetime(dates, errors="coerce").to_numpy("datetime64[us]")
        elif issubclass(kind, str):
            parsed[positions] = _parse_date_texts(cells[positions])
    return parsed  # numbers, times, booleans: not dates


def _parse_date_texts(texts: npt.NDArray[Any]) -> npt.NDArray[np.datetime64]:
    """Parse distinct texts as they are; tidy those that fail (rule 3), then try month names."""
    parsed = _parse_tidy_dates(texts)
    retry = np.flatnonzero(np.isnat(parsed))
    tidied = np.array([normalise_text(text) or "" for text in texts[retry]], dtype=object)
    parsed[retry] = _parse_tidy_dates(tidied)
    worded = np.isnat(parsed[retry])
    parsed[retry[worded]] = _parse_month_names(tidied[worded])
    return parsed


def _parse_tidy_dates(texts: npt.NDArray[Any]) -> npt.NDArray[np.datetime64]:
    """Parse ISO texts whole and day-first texts by parts; NaT for anything else."""
    # strptime reads seconds 60 and 61 as leap seconds; wall-clock times never have them.
    leap = np.array([text.endswith((":60", ":61")) for text in texts], dtype=bool)
    day_first = np.array(["/" in text for text in texts], dtype=bool) & ~leap
    # Only a text with "-" after its four-digit year may be ISO. A strptime that fails costs
    # ten that succeed: month-name texts must not try the five ISO formats in turn.
    iso = ~day_first & ~leap
    iso[iso] = [text[4:5] == "-" for text in texts[iso]]
    parsed = np.full(len(texts), NO_DATE)
    parsed[iso] = _parse_formats(texts[iso], _ISO_FORMATS)
    parsed[day_first] = _parse_day_first(texts[day_first])
    parsed[parsed < _FIRST_DAY] = NO_DATE
    return parsed


def _parse_day_first(texts: npt.NDArray[Any]) -> npt.NDArray[np.datetime64]:
    """Parse "d/m/yyyy[ H:MM[:SS]]" texts from their date part and their time part."""
    # pandas parses day-first formats ten times slower than ISO ones, but the date and
    # time parts each have few distinct values: parse those once.
    days = _parse_distinct([text.partition(" ")[0] for text in texts], _DAY_FIRST_FORMATS)
    times = _parse_distinct([text.partition(" ")[2] or "0:00" for text in texts], _TIME_FORMATS)
    return days + (times - _TIME_ZERO)


def _parse_month_names(texts: npt.NDArray[Any]) -> npt.NDArray[np.datetime64]:
    """Parse tidied texts whose month is a word, from their date part and their time part."""
    parts = [_split_time(text.lower()) for text in texts]
    codes, distinct_days = pd.factorize(np.array([day for day, _ in parts], dtype=object))
    dated = np.array([_month_name_day(words) for words in distinct_days], dtype="datetime64[us]")
    clock = _parse_distinct([time for _, time in parts], _CLOCK_FORMATS)
    return dated[codes] + (clock - _TIME_ZERO)


def _split_time(text: str) -> tuple[str, str]:
    """Split "7 mar 2020 2:30 pm" into "7 mar 2020" and "2:30 pm" (midnight if no time)."""
    match = _TIME_TAIL.search(text)
    if match is None:
        return text, "0:00"
    clock = match[1] if match[2] is None else f"{match[1]} {match[2]}m"
    return text[: match.start()], clock


def _month_name_day(words: str) -> np.datetime64:
    """Read a lower-case day, month name and year in a usual order, after an optional weekday."""
    tokens = _DATE_WORDS.findall(words)
    weekday = _WEEKDAYS.get(tokens[0]) if len(tokens) == 4 else None
    tokens = tokens[1:] if weekday is not None else tokens
    words_read = [_date_word(token) for token in tokens]
    order = "".join(kind for kind, _ in words_read)
    if order not in _WORD_ORDERS:
        return NO_DATE
    fields = dict(words_read)
    try:
        date = dt.date(fields["y"], fields["m"], fields["d"])
    except ValueError:  # 31 February, year 0
        return NO_DATE
    if weekday is not None and date.weekday() != weekday:
        return NO_DATE  # "Mon 7 Mar 2020" was a Saturday: which of the two was meant?
    return np.datetime64(date, "us")


def _date_word(token: str) -> tuple[str, int]:
    """Tell a month name (m), a four-digit year (y) and a day (d) apart, with its number."""
    if token in _MONTHS:
        return "m", _MONTHS[token]
    if _YEAR.fullmatch(token):
        return "y", int(token)
    if day := _DAY.fullmatch(token):
        return "d", int(day[1])
    return "?", 0


def _parse_distinct(texts: list[str], formats: tuple[str, ...]) -> npt.NDArray[np.datetime64]:
    """Parse texts that repeat a lot, each distinct one once."""
    codes, uniques = pd.factorize(np.asarray(texts, dtype=object))
    return _parse_formats(uniques, formats)[codes]


def _parse_formats(texts: npt.NDArray[Any], formats: tuple[str, ...]) -> npt.NDArray[np.datetime64]:
    """Parse each text with the first format that fits it exactly; NaT when none does."""
    pending = pd.Series(texts, dtype=object)
    parsed = np.full(len(texts), NO_DATE)
    for date_format in formats:
        todo = np.isnat(parsed)
        attempt = pd.to_datetime(pending[todo], format=date_format, errors="coerce")
        parsed[todo] = attempt.to_numpy("datetime64[us]")
    return parsed
