"""Parse interaction dates: day-first or ISO texts and date cells, to naive datetimes."""

from __future__ import annotations

import datetime as dt
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
_TIME_ZERO = np.datetime64("1900-01-01", "us")  # the day strptime gives a bare time
_FIRST_DAY = np.datetime64("0001-01-01", "us")  # PostgreSQL has no year 0


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
