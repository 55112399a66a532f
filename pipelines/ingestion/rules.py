"""Apply the cleaning rules to cell values, and to whole columns through their unique values."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

SENTIMENTS = ("Positive", "Neutral", "Negative")
CHANNEL_SYNONYMS = {
    "email": "Email",
    "e-mail": "Email",
    "call": "Call",
    "phone": "Call",
    "phone call": "Call",
    "telephone": "Call",
    "chatbot": "Chatbot",
    "chat bot": "Chatbot",
    "post": "Post",
    "letter": "Post",
}
MAX_CUSTOMER_ID = 2_147_483_647  # PostgreSQL INTEGER

NO_DATE = np.datetime64("NaT", "us")
_DATE_CELLS = (dt.date, np.datetime64)  # datetime and pd.Timestamp are dates too
# ASCII digits only: int() would also read other scripts' digits, and "never guess".
_ID_TEXT = re.compile(r"([0-9]+)(?:\.0+)?")
_MONTH_FIRST = re.compile(r"([0-9]{1,2})-([0-9]{4})")
_YEAR_FIRST = re.compile(r"([0-9]{4})-([0-9]{2})")
_ISO_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
)
_DAY_FIRST_FORMATS = ("%d/%m/%Y",)
_TIME_FORMATS = ("%H:%M", "%H:%M:%S")
_TIME_ZERO = np.datetime64("1900-01-01", "us")  # the day strptime gives a bare time
_FIRST_DAY = np.datetime64("0001-01-01", "us")  # PostgreSQL has no year 0

Positions = npt.NDArray[np.intp]


def is_empty(value: object) -> bool:
    """Tell whether a cell is empty (None, NaN, NaT)."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def cell_text(value: object) -> str | None:
    """Return a cell as its original text: ISO for date cells, str() otherwise, None if empty."""
    if isinstance(value, str):
        return value
    if is_empty(value):
        return None
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).isoformat()
    return str(value)


def normalise_text(value: object) -> str | None:
    """Trim, drop BOMs and collapse inner whitespace (tabs, NBSP) to one space; None if empty."""
    text = cell_text(value)
    if text is None:
        return None
    return " ".join(text.replace("\ufeff", "").split()) or None


def title_words(text: str) -> str:
    """Capitalise each space-separated word (unlike str.title, "o'brien" stays "O'brien")."""
    return " ".join(word[:1].upper() + word[1:].lower() for word in text.split(" "))


def clean_title(value: object) -> str | None:
    """Normalise a cell and title-case each word."""
    text = normalise_text(value)
    return None if text is None else title_words(text)


def clean_channel(value: object) -> str | None:
    """Map a channel to its canonical name, or title-case a channel the table does not know."""
    text = normalise_text(value)
    if text is None:
        return None
    return CHANNEL_SYNONYMS.get(text.lower()) or title_words(text)


def clean_sentiment(value: object) -> str | None:
    """Return Positive, Neutral or Negative whatever the case; None for anything else."""
    text = clean_title(value)
    return text if text in SENTIMENTS else None


def repair_rule(column: str, original: str | None, cleaned: str | None) -> str | None:
    """Name the rule that changed ``original`` into ``cleaned``; None if only trimmed or empty."""
    normalised = normalise_text(original)
    if original is None or normalised is None or cleaned == original.strip():
        return None
    if cleaned is None:
        return "unrecognised_sentiment"
    if column == "channel" and normalised.lower() in CHANNEL_SYNONYMS:
        return "synonym" if cleaned.lower() != normalised.lower() else "normalised"
    return "normalised"


def parse_customer_id(value: object) -> int:
    """Return the customer id a cell holds, or 0 unless it is a positive PostgreSQL INTEGER."""
    if isinstance(value, bool):  # True == 1, but a tick box is not an id
        return 0
    if isinstance(value, int | np.integer):
        number = int(value)
    elif isinstance(value, float | np.floating):
        number = int(value) if value.is_integer() else 0
    else:
        match = _ID_TEXT.fullmatch(normalise_text(value) or "")
        digits = match[1].lstrip("0") if match else ""
        # Length first: int() of thousands of digits is slow and may raise.
        number = int(digits) if 0 < len(digits) <= 10 else 0
    return number if 0 < number <= MAX_CUSTOMER_ID else 0


def parse_month(value: object) -> dt.datetime | None:
    """Return the first day of the month a cell names (M-YYYY, YYYY-MM or a date cell)."""
    if is_empty(value):
        return None
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, 1)
    text = normalise_text(value) or ""
    if match := _MONTH_FIRST.fullmatch(text):
        month, year = int(match[1]), int(match[2])
    elif match := _YEAR_FIRST.fullmatch(text):
        year, month = int(match[1]), int(match[2])
    else:
        return None
    return dt.datetime(year, month, 1) if 1 <= month <= 12 and year >= 1 else None


def type_groups(values: npt.NDArray[Any]) -> list[tuple[type, Positions]]:
    """Group cell positions by Python type, since 1 == 1.0 == True would merge as values."""
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return [(str, np.arange(len(values)))]  # strings and empty cells only: one group
    # map(type, ...) runs in C: no Python code per row.
    kind_codes, kinds = pd.factorize(
        np.fromiter(map(type, values), dtype=object, count=len(values))
    )
    return [(kind, np.flatnonzero(kind_codes == code)) for code, kind in enumerate(kinds)]


def factorize_cells(column: pd.Series) -> tuple[Positions, list[object]]:
    """Return a code per cell (-1 when empty) and the distinct cells, kept apart by type."""
    values = column.to_numpy(dtype=object)
    codes = np.full(len(values), -1, dtype=np.intp)
    uniques: list[object] = []
    for _, positions in type_groups(values):
        group_codes, group_uniques = pd.factorize(values[positions])
        codes[positions] = np.where(group_codes < 0, -1, group_codes + len(uniques))
        uniques.extend(group_uniques)
    return codes, uniques


def map_cells(
    column: pd.Series, rule: Callable[[Any], object], dtype: npt.DTypeLike = object
) -> npt.NDArray[Any]:
    """Apply ``rule`` once per distinct cell and spread the results back over the column."""
    codes, uniques = factorize_cells(column)
    # The last entry is rule(None): code -1 (an empty cell) indexes it.
    table = np.array([*(rule(value) for value in uniques), rule(None)], dtype=dtype)
    return table[codes]


def parse_dates(column: pd.Series) -> npt.NDArray[np.datetime64]:
    """Parse day-first or ISO texts and date cells to naive datetimes; NaT if impossible."""
    values = column.to_numpy(dtype=object)
    parsed = np.full(len(values), NO_DATE)
    for kind, positions in type_groups(values):
        if issubclass(kind, _DATE_CELLS):
            cells = pd.Series(values[positions], dtype=object)
            parsed[positions] = pd.to_datetime(cells, errors="coerce").to_numpy("datetime64[us]")
        elif issubclass(kind, str):
            parsed[positions] = _parse_date_texts(values[positions])
    return parsed  # numbers, times, booleans: not dates


def _parse_date_texts(texts: npt.NDArray[Any]) -> npt.NDArray[np.datetime64]:
    """Parse each distinct text; those that fail as they are get rule 3 and a second try."""
    codes, uniques = pd.factorize(texts)
    parsed = _parse_tidy_dates(uniques)
    retry = np.flatnonzero(np.isnat(parsed))
    tidied = np.array([normalise_text(text) or "" for text in uniques[retry]], dtype=object)
    parsed[retry] = _parse_tidy_dates(tidied)
    return np.append(parsed, NO_DATE)[codes]


def _parse_tidy_dates(texts: npt.NDArray[Any]) -> npt.NDArray[np.datetime64]:
    """Parse ISO texts whole and day-first texts by parts; NaT for anything else."""
    # strptime reads seconds 60 and 61 as leap seconds; wall-clock times never have them.
    leap = np.array([text.endswith((":60", ":61")) for text in texts], dtype=bool)
    day_first = np.array(["/" in text for text in texts], dtype=bool) & ~leap
    iso = ~day_first & ~leap
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
