"""Check the fields that consent and contact changes share: ids, sources, free text."""

import re

from repository.errors import InvalidInput

MAX_CUSTOMER_ID = 2_147_483_647  # customer ids are PostgreSQL INTEGERs
SOURCE_PATTERN = r"^[a-z][a-z0-9_-]{0,31}$"  # as the tables' CHECK constraints say
MAX_REASON_CHARS = 500
MAX_DISPLAY_NAME_CHARS = 200
_SOURCE = re.compile(SOURCE_PATTERN)
_DIGITS = re.compile(r"\d{1,10}")


def customer_id_of(raw: str) -> int:
    """Return the customer id written in ``raw``.

    Raises:
        InvalidInput: not a whole number from 1 to 2147483647.
    """
    text = raw.strip()
    if not _DIGITS.fullmatch(text) or not 1 <= int(text) <= MAX_CUSTOMER_ID:
        raise InvalidInput(
            f"customer_id must be a whole number from 1 to {MAX_CUSTOMER_ID}, got {text[:20]!r}",
            field="customer_id",
        )
    return int(text)


def checked_source(raw: str) -> str:
    """Return ``raw`` trimmed if it is a valid source name (``api``, ``import``, ...)."""
    text = raw.strip()
    if not _SOURCE.fullmatch(text):
        raise InvalidInput(
            "source must be 1 to 32 lower-case letters, digits, '_' or '-', starting with a "
            f"letter, got {text[:40]!r}",
            field="source",
        )
    return text


def optional_text(raw: str | None, field: str, max_chars: int) -> str | None:
    """Return ``raw`` trimmed, None when empty.

    Raises:
        InvalidInput: longer than ``max_chars`` or holding control characters.
    """
    text = (raw or "").strip()
    if len(text) > max_chars:
        raise InvalidInput(f"{field} is longer than {max_chars} characters", field=field)
    if any(ord(char) < 32 or ord(char) == 127 for char in text):
        raise InvalidInput(f"{field} holds a control character", field=field)
    return text or None
