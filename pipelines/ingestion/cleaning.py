"""Clean the raw workbook sheets into loadable frames, quarantining rows instead of dropping them.

Each sheet runs through a chain of small steps over one working frame. The working frame keeps
the original cells (prefixed ``original:``, see ``audit``), adds the cleaned columns under their
output names, and records in ``reason`` the first rule a row fails. A step only rejects rows
that no earlier step rejected, so the order of the steps is the order in which the rules are
checked; one rule comes before all: a cell longer than the limit rejects its row as
``value_too_long`` whichever step reads it, and no other rule reads that cell.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from pipelines.ingestion.audit import (
    ORIGINAL,
    REPAIRED,
    all_repairs,
    header_repairs,
    quarantine_frame,
    repairs_frame,
    stack,
)
from pipelines.ingestion.cells import Distinct, Flags, row_keys
from pipelines.ingestion.dates import NO_DATE, parse_dates
from pipelines.ingestion.limits import Limits
from pipelines.ingestion.rules import (
    CHANNEL_SYNONYMS,
    SENTIMENTS,
    cell_text,
    clean_channel,
    clean_sentiment,
    clean_text,
    clean_title,
    parse_customer_ids,
    parse_month,
    repair_rule,
)
from pipelines.ingestion.usual_dates import USUAL_LAYOUT, parse_usual_dates

__all__ = [
    "CHANNEL_SYNONYMS",
    "QUARANTINE_REASONS",
    "SENTIMENTS",
    "SHEETS",
    "CleanedData",
    "clean",
]

SHEETS = ("customers", "interactions", "products")
QUARANTINE_REASONS = (
    "invalid_customer_id",
    "invalid_date",
    "invalid_month",
    "missing_product",
    "duplicate_row",
    "conflicting_duplicate",
    "value_too_long",
)

_OUTPUT_COLUMNS = {
    "customers": ["customer_id", "occupation", "customer_type", "source_row"],
    "interactions": ["occurred_at", "customer_id", "channel", "topic", "sentiment", "source_row"],
    "products": ["month", "product", "source_row"],
}
# Text columns per sheet: source column -> (output column, rule). Repairs cover these only.
_TEXT_RULES: dict[str, dict[str, tuple[str, Callable[[object], str | None]]]] = {
    "customers": {
        "occupation": ("occupation", clean_text),
        "type": ("customer_type", clean_title),
    },
    "interactions": {
        "channel": ("channel", clean_channel),
        "topic": ("topic", clean_title),
        "sentiment": ("sentiment", clean_sentiment),
    },
    "products": {"product": ("product", clean_title)},
}
# Per text column, an integer per row: equal cleaned values, equal codes (-1 for none).
# Comparing rows by these is several times cheaper than by their texts.
CODE = "code:"


@dataclass(frozen=True)
class CleanedData:
    """The clean rows of every sheet, the rows held back with a reason, and the repairs made."""

    customers: pd.DataFrame
    interactions: pd.DataFrame
    product_months: pd.DataFrame
    quarantine: pd.DataFrame
    repairs: pd.DataFrame


def clean(
    raw: Mapping[str, pd.DataFrame], max_cell_chars: int = Limits.max_cell_chars
) -> CleanedData:
    """Clean the customers, interactions and products sheets read from the workbook."""
    steps = {"customers": _customers, "interactions": _interactions, "products": _products}
    worked = {s: _start(raw[s]).pipe(steps[s], max_cell_chars) for s in SHEETS}
    kept = {sheet: _kept_rows(sheet, frame) for sheet, frame in worked.items()}
    quarantined = [quarantine_frame(s, frame, max_cell_chars) for s, frame in worked.items()]
    repaired = [_repairs(sheet, frame) for sheet, frame in worked.items()]
    return CleanedData(
        customers=kept["customers"],
        interactions=kept["interactions"],
        product_months=kept["products"],
        quarantine=stack(quarantined),
        repairs=all_repairs(header_repairs(raw, max_cell_chars) + repaired),
    )


def _customers(frame: pd.DataFrame, max_chars: int) -> pd.DataFrame:
    """Check ids, clean text, then keep the first row of each customer id."""
    return (
        frame.pipe(_with_customer_id, max_chars)
        .pipe(_with_text, "customers", max_chars)
        .pipe(_flag_repeats, "customer_id", ["occupation", "customer_type"])
    )


def _interactions(frame: pd.DataFrame, max_chars: int) -> pd.DataFrame:
    """Check ids and dates, clean text, then keep the first of identical interactions."""
    return (
        frame.pipe(_with_customer_id, max_chars)
        .pipe(_with_occurred_at, max_chars)
        .pipe(_with_text, "interactions", max_chars)
        .pipe(_flag_identical, ["occurred_at", "customer_id", *_codes("interactions")])
    )


def _products(frame: pd.DataFrame, max_chars: int) -> pd.DataFrame:
    """Check months and products, then keep the first row of each month."""
    return (
        frame.pipe(_with_month, max_chars)
        .pipe(_with_text, "products", max_chars)
        .pipe(_flag_missing_product)
        .pipe(_flag_repeats, "month", ["product"])
    )


def _start(raw: pd.DataFrame) -> pd.DataFrame:
    """Set the original cells aside, in source row order, with no rejection reason yet."""
    rows = raw.sort_values("source_row", kind="stable").reset_index(drop=True)
    originals = rows.drop(columns="source_row").add_prefix(ORIGINAL)
    return originals.assign(
        source_row=rows["source_row"].astype("int64"),
        # Categorical: the reason is tested and set once per rule on every row, and on a
        # million rows isna() and mask() over codes take a hundredth of their object time.
        reason=pd.Series(
            pd.Categorical.from_codes(np.full(len(rows), -1), categories=QUARANTINE_REASONS),
            index=rows.index,
        ),
    )


def _reject(frame: pd.DataFrame, failed: pd.Series, reason: str) -> pd.DataFrame:
    """Give ``reason`` to the failed rows that no earlier rule rejected."""
    fresh = failed & frame["reason"].isna()
    return frame.assign(reason=frame["reason"].mask(fresh, reason))


def _reject_too_long(frame: pd.DataFrame, too_long: Flags) -> pd.DataFrame:
    """Give ``value_too_long`` to rows with a cell over the limit, whatever they failed before."""
    if not too_long.any():  # as good as always: skip rewriting the reasons
        return frame
    return frame.assign(reason=frame["reason"].mask(too_long, "value_too_long"))


def _screened(column: pd.Series, max_chars: int) -> tuple[Distinct, Flags]:
    """Factorize a source column with its too long cells read as empty; flag their rows."""
    distinct = Distinct.of(column)
    too_long = distinct.longer_than(max_chars)
    if not too_long.any():  # as good as always: no row to flag
        return distinct, np.zeros(len(column), dtype=bool)
    return distinct.without(too_long), distinct.spread(too_long, False)


def _with_customer_id(frame: pd.DataFrame, max_chars: int) -> pd.DataFrame:
    """Parse customer ids (0 stands for invalid) and reject rows without a valid one."""
    ids, too_long = _screened(frame[ORIGINAL + "customer_id"], max_chars)
    checked = frame.assign(customer_id=ids.spread(parse_customer_ids(ids.cells, ids.is_text), 0))
    checked = _reject_too_long(checked, too_long)
    return _reject(checked, checked["customer_id"] == 0, "invalid_customer_id")


def _with_occurred_at(frame: pd.DataFrame, max_chars: int) -> pd.DataFrame:
    """Parse interaction dates and reject rows whose date is impossible or unreadable."""
    cells = frame[ORIGINAL + "date_start"]
    # Most dates share one layout, read at once; the distinct others are parsed one by one.
    occurred, usual = parse_usual_dates(cells.to_numpy(dtype=object))
    usual &= len(USUAL_LAYOUT) <= max_chars  # else they are too long: screened below
    dates, too_long = _screened(cells[~usual], max_chars)
    occurred[~usual] = dates.spread(parse_dates(dates.cells), NO_DATE)
    checked = frame.assign(occurred_at=occurred)
    checked = _reject_too_long(checked, _spread_flags(too_long, ~usual))
    return _reject(checked, checked["occurred_at"].isna(), "invalid_date")


def _spread_flags(flags: Flags, rows: Flags) -> Flags:
    """Return ``flags`` of the chosen ``rows`` as flags of every row (False elsewhere)."""
    spread = np.zeros(len(rows), dtype=bool)
    spread[rows] = flags
    return spread


def _with_month(frame: pd.DataFrame, max_chars: int) -> pd.DataFrame:
    """Parse product months to their first day and reject rows without a valid month."""
    months, too_long = _screened(frame[ORIGINAL + "month"], max_chars)
    checked = frame.assign(month=months.apply(parse_month, "datetime64[us]"))
    checked = _reject_too_long(checked, too_long)
    return _reject(checked, checked["month"].isna(), "invalid_month")


def _with_text(frame: pd.DataFrame, sheet: str, max_chars: int) -> pd.DataFrame:
    """Clean the sheet's text columns; mark each cell a rule changed with its trimmed original."""
    columns, too_long = {}, np.zeros(len(frame), dtype=bool)
    for source, (target, rule) in _TEXT_RULES[sheet].items():
        texts, column_too_long = _screened(frame[ORIGINAL + source], max_chars)
        cleaned = [rule(value) for value in texts.cells]
        repaired = [_repaired(source, *pair) for pair in zip(texts.cells, cleaned, strict=True)]
        columns[target] = _text_column(texts, cleaned, frame)
        columns[REPAIRED + source] = _text_column(texts, repaired, frame)
        columns[CODE + target] = _text_codes(texts, cleaned)
        too_long |= column_too_long
    return _reject_too_long(frame.assign(**columns), too_long)


def _repaired(column: str, value: object, cleaned: str | None) -> str | None:
    """Return a cell's trimmed original text if a repair rule changed it, else None."""
    original = cell_text(value)
    if original is None or repair_rule(column, original, cleaned) is None:
        return None
    return original.strip()


def _text_column(texts: Distinct, per_cell: list[str | None], frame: pd.DataFrame) -> pd.Series:
    """Spread one text per distinct cell over the rows of ``frame`` (None for empty cells)."""
    values = texts.spread(np.array(per_cell, dtype=object), None)
    # dtype=object: pandas 3 would otherwise infer "str" and turn None into NaN. No copy:
    # the array is fresh (a copy of a million cells cost 10 ms per column).
    return pd.Series(values, index=frame.index, dtype=object, copy=False)


def _text_codes(texts: Distinct, per_cell: list[str | None]) -> npt.NDArray[np.intp]:
    """Number the cleaned texts from their few distinct values and spread the numbers over rows."""
    codes, _ = pd.factorize(np.array(per_cell, dtype=object))  # None: -1, as empty cells
    return texts.spread(codes, -1)


def _codes(sheet: str) -> list[str]:
    """Name the code columns of the sheet's cleaned text columns."""
    return [CODE + target for target, _ in _TEXT_RULES[sheet].values()]


def _flag_missing_product(frame: pd.DataFrame) -> pd.DataFrame:
    """Reject month rows without a product: they carry no information."""
    return _reject(frame, frame["product"].isna(), "missing_product")


def _flag_identical(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Reject repeats of an earlier valid row with the same values (integer or date columns)."""
    valid = frame["reason"].isna().to_numpy()
    keys = row_keys([frame[column].to_numpy()[valid].astype(np.int64) for column in columns])
    repeated = np.zeros(len(frame), dtype=bool)
    repeated[valid] = pd.Series(keys).duplicated().to_numpy()
    return _reject(frame, pd.Series(repeated, index=frame.index), "duplicate_row")


def _flag_repeats(frame: pd.DataFrame, key: str, values: list[str]) -> pd.DataFrame:
    """Keep the first valid row per key; later rows are duplicates or, if they differ, conflicts."""
    valid = frame.loc[frame["reason"].isna(), [key, *values]]
    repeat = valid.duplicated(key)
    # Compare each row with the kept (first) row of its key, not with any earlier row.
    variant = valid.groupby(values, dropna=False, sort=False).ngroup()
    same = variant == variant.groupby(valid[key], sort=False).transform("first")
    duplicate = (repeat & same).reindex(frame.index, fill_value=False)
    conflict = (repeat & ~same).reindex(frame.index, fill_value=False)
    return frame.pipe(_reject, duplicate, "duplicate_row").pipe(
        _reject, conflict, "conflicting_duplicate"
    )


def _kept_rows(sheet: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Select the rows no rule rejected, with the sheet's output columns."""
    return frame.loc[frame["reason"].isna(), _OUTPUT_COLUMNS[sheet]].reset_index(drop=True)


def _repairs(sheet: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Log the repairs of the sheet's text columns."""
    return repairs_frame(
        sheet, frame, {source: rule for source, (_, rule) in _TEXT_RULES[sheet].items()}
    )
