"""Damage clean cells the ways the real export is damaged: padding, case, junk, bad dates."""

from collections.abc import Callable, Mapping
from functools import partial

import numpy as np

from pipelines.ingestion.synthetic.draws import format_ids, two_digits
from pipelines.ingestion.synthetic.vocabulary import (
    BOM,
    CHANNEL_SYNONYMS,
    IMPOSSIBLE_DAYS,
    JUNK_DATES,
    JUNK_IDS,
)

Defect = Callable[[np.random.Generator, np.ndarray], np.ndarray]
_STRING = np.dtypes.StringDType()


def defect_counts(rows: int, rates: Mapping[str, float]) -> dict[str, int]:
    """Count rows per defect kind: the rounded rate, at least one while rows last."""
    counts, left = {}, rows
    for kind, rate in rates.items():
        counts[kind] = min(left, max(1, round(rows * rate)))
        left -= counts[kind]
    return counts


def corrupt(
    rng: np.random.Generator,
    column: np.ndarray,
    eligible: np.ndarray,
    rates: Mapping[str, float],
    defects: Mapping[str, Defect],
) -> None:
    """Give disjoint random eligible cells of a column one defect kind each, in place."""
    counts = defect_counts(len(eligible), rates)
    rows = rng.choice(eligible, size=sum(counts.values()), replace=False)
    start = 0
    for kind, count in counts.items():
        picked = rows[start : start + count]
        column[picked] = defects[kind](rng, column[picked])
        start += count


def defects_by_kind(max_id: int) -> dict[str, Defect]:
    """Map each defect kind to the function that damages clean cells that way."""
    return {
        "whitespace": _pad,
        "bom": partial(_affix, BOM, ""),
        "empty": partial(_replace, ("",)),
        "case": _recase,
        "inner_space": _double_inner_space,
        "synonym": partial(_replace, CHANNEL_SYNONYMS),
        "mixed": partial(_replace, ("Mixed",)),
        "decimal": partial(_affix, "", ".0"),
        "junk_id": partial(_replace, JUNK_IDS),
        "zero": partial(_replace, ("0",)),
        "negative": partial(_affix, "-", ""),
        "unknown": lambda rng, values: format_ids(max_id + rng.integers(1, 100, len(values))),
        **_date_defects(),
    }


def _date_defects() -> dict[str, Defect]:
    """Map each date defect kind to a rewrite of clean "dd/mm/yyyy HH:MM" cells."""

    def parts(values: np.ndarray) -> list[np.ndarray]:
        text = values.astype(_STRING)
        spans = ((0, 2), (3, 5), (6, 10), (11, 13), (14, 16))
        return [np.strings.slice(text, a, b).astype(object) for a, b in spans]

    def unpad(part: np.ndarray) -> np.ndarray:
        return part.astype(int).astype(str).astype(object)

    def iso(rng: np.random.Generator, values: np.ndarray, sep: str = " ") -> np.ndarray:
        d, m, y, hh, mm = parts(values)
        seconds = ":" + two_digits()[rng.integers(0, 60, len(values))] if sep == "T" else ""
        return y + "-" + m + "-" + d + sep + hh + ":" + mm + seconds

    def short(rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
        d, m, y, hh, mm = parts(values)
        return unpad(d) + "/" + unpad(m) + "/" + y + " " + unpad(hh) + ":" + mm

    return {
        "iso": iso,
        "iso_t": partial(iso, sep="T"),
        "short": short,
        "seconds": lambda rng, v: v + ":" + two_digits()[rng.integers(0, 60, len(v))],
        "impossible": lambda rng, v: _replace(IMPOSSIBLE_DAYS, rng, v) + _tail(v, 5),
        "junk_date": partial(_replace, JUNK_DATES),
    }


def _tail(values: np.ndarray, start: int) -> np.ndarray:
    """Return each string from position ``start`` on."""
    return np.strings.slice(values.astype(_STRING), start, None).astype(object)


def _pad(rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
    """Surround values with stray spaces before, after or both."""
    pick = _cycle(rng, 3, len(values))
    before, after = np.array([" ", "", " "], dtype=object), np.array(["", "  ", " "], dtype=object)
    return before[pick] + values + after[pick]


def _affix(prefix: str, suffix: str, rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
    """Put ``prefix`` before and ``suffix`` after every value."""
    return prefix + values + suffix


def _replace(choices: tuple[str, ...], rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
    """Replace every value by a random one of ``choices``."""
    return np.array(choices, dtype=object)[rng.integers(0, len(choices), len(values))]


def _recase(rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
    """Return lower-, upper- or sentence-case variants, each differing from the value."""
    text = values.astype(_STRING)
    lower, upper = np.strings.lower(text), np.strings.upper(text)
    sentence = np.strings.capitalize(text)
    # Single words are already in sentence case, so they fall back to lower case.
    sentence = np.where(sentence == text, lower, sentence)
    pick = _cycle(rng, 3, len(values))
    return np.where(pick == 0, lower, np.where(pick == 1, upper, sentence)).astype(object)


def _double_inner_space(rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
    """Double the first inner space of each value."""
    return np.strings.replace(values.astype(_STRING), " ", "  ", 1).astype(object)


def _cycle(rng: np.random.Generator, variants: int, count: int) -> np.ndarray:
    """Number ``count`` rows by variant in turn from a random start, so that each shows up."""
    return (rng.integers(0, variants) + np.arange(count)) % variants
