"""Apply the cleaning rules to single cell values: text, channels, sentiments, ids and months."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from repository.model import SENTIMENTS  # one vocabulary: cleaning and the API

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

# ASCII digits only: int() would also read other scripts' digits, and "never guess".
_ID_TEXT = re.compile(r"([0-9]+)(?:\.0+)?")
_PLAIN_ID = re.compile(r"[1-9][0-9]{0,8}")
_MONTH_FIRST = re.compile(r"([0-9]{1,2})-([0-9]{4})")
_YEAR_FIRST = re.compile(r"([0-9]{4})-([0-9]{2})")
# Characters that take no room on screen: soft hyphen, zero-width space, non-joiner and joiner,
# word joiner, and U+FEFF (a BOM, or a zero-width no-break space inside text). "E\u200bmail"
# looks like "Email" and must not become a channel of its own.
_DROP_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
# A leading BOM is left out: it is an encoding artefact, logged as a normalisation as ever.
_INVISIBLE_INSIDE = re.compile("[\u00ad\u200b-\u200d\u2060]|(?<=.)\ufeff", re.S)
# Control characters that str.split() does not count as whitespace: NUL, escape, DEL and the
# C1 controls. PostgreSQL cannot store NUL, and the others can rewrite a terminal that shows them.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


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
    """Trim, drop invisible characters, collapse whitespace (tabs, NBSP); None if empty."""
    text = cell_text(value)
    if text is None:
        return None
    if not text.isascii():  # every invisible character lies outside ASCII: most cells skip this
        text = text.translate(_DROP_INVISIBLE)
    return " ".join(text.split()) or None


def clean_text(value: object) -> str | None:
    """Normalise a text cell after removing its control characters."""
    text = cell_text(value)
    if text is not None and not text.isprintable():  # a cheap test that passes most cells
        text = _CONTROL.sub("", text)
    return normalise_text(text)


def title_words(text: str) -> str:
    """Capitalise each space-separated word (unlike str.title, "o'brien" stays "O'brien")."""
    return " ".join(word[:1].upper() + word[1:].lower() for word in text.split(" "))


def clean_title(value: object) -> str | None:
    """Clean a text cell and title-case each word."""
    text = clean_text(value)
    return None if text is None else title_words(text)


def clean_channel(value: object) -> str | None:
    """Map a channel to its canonical name, or title-case a channel the table does not know."""
    text = clean_text(value)
    if text is None:
        return None
    return CHANNEL_SYNONYMS.get(text.lower()) or title_words(text)


def clean_sentiment(value: object) -> str | None:
    """Return Positive, Neutral or Negative whatever the case; None for anything else."""
    text = clean_title(value)
    return text if text in SENTIMENTS else None


def repair_rule(column: str, original: str | None, cleaned: str | None) -> str | None:
    """Name the rule that changed ``original`` into ``cleaned``; None if only trimmed or empty."""
    if original is None or cleaned == original.strip():
        return None
    if _CONTROL.search(original):
        return "control_characters"
    if _INVISIBLE_INSIDE.search(original):
        return "invisible_characters"
    normalised = normalise_text(original)
    if normalised is None:
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


def parse_customer_ids(
    cells: npt.NDArray[Any], is_text: npt.NDArray[np.bool_]
) -> npt.NDArray[np.int64]:
    """Apply ``parse_customer_id`` to distinct cells; plain digit texts skip its Python call."""
    ids = np.zeros(len(cells), dtype=np.int64)
    texts = np.flatnonzero(is_text)
    # Nine digits or fewer, no leading zero: the rule would return int(text) unchanged.
    plain = np.fromiter(
        (match is not None for match in map(_PLAIN_ID.fullmatch, cells[texts])),
        dtype=bool, count=len(texts),
    )  # fmt: skip
    ids[texts[plain]] = cells[texts[plain]].astype(np.int64)
    rest = np.setdiff1d(np.arange(len(cells)), texts[plain], assume_unique=True)
    ids[rest] = np.fromiter(map(parse_customer_id, cells[rest]), dtype=np.int64, count=len(rest))
    return ids


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
