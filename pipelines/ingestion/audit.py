"""Build the audit trail of a cleaning: quarantined rows with their original cells, and repairs.

Both read the working frame of a sheet (see ``pipelines.ingestion.cleaning``): its original
cells under ``ORIGINAL`` + column, the trimmed original text of each repaired cell under
``REPAIRED`` + column, and ``reason``, set on the rows a rule rejected.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from pipelines.ingestion.cells import map_cells
from pipelines.ingestion.rules import cell_text, repair_rule

ORIGINAL = "original:"
REPAIRED = "repaired:"  # a cell's trimmed original text, where a rule changed it

_QUARANTINE_COLUMNS = ["sheet", "source_row", "reason", "original"]
_REPAIR_COLUMNS = [
    "sheet",
    "column",
    "original_value",
    "cleaned_value",
    "rule",
    "row_count",
    "first_source_row",
]
_REPAIR_TEXT_TYPES = {"sheet": "str", "column": "str", "original_value": "str", "rule": "str"}
# json.dumps(value, ensure_ascii=False) builds this encoder on every call: a third of the
# quarantine's time went there.
_JSON = json.JSONEncoder(ensure_ascii=False)


def quarantine_frame(sheet: str, frame: pd.DataFrame, max_chars: int) -> pd.DataFrame:
    """List the rejected rows with their reason and original cells as JSON."""
    rejected = frame[frame["reason"].notna()]
    names = {c: c.removeprefix(ORIGINAL) for c in rejected.columns if c.startswith(ORIGINAL)}
    originals = rejected[list(names)].rename(columns=names)
    quarantine = pd.DataFrame(
        {
            "sheet": sheet,
            "source_row": rejected["source_row"].to_numpy(dtype=np.int64),
            "reason": rejected["reason"].to_numpy(dtype=object),
            "original": _original_json(originals, max_chars),
        },
        columns=_QUARANTINE_COLUMNS,
    )
    return quarantine.astype({"sheet": "str", "reason": "str", "original": "str"})


def _original_json(originals: pd.DataFrame, max_chars: int) -> npt.NDArray[Any]:
    """Write each row as json.dumps(row, sort_keys=True, ensure_ascii=False) would, shortened."""
    # Built per column from the distinct cells: one json.dumps per distinct value, not per row.
    text = np.full(len(originals), "{", dtype=object)
    for position, name in enumerate(sorted(originals.columns)):
        cells = map_cells(originals[name], partial(_json_cell, max_chars=max_chars))
        key = json.dumps(name, ensure_ascii=False)
        text = text + (", " if position else "") + key + ": " + cells
    return text + "}"


def _json_cell(value: object, max_chars: int) -> str:
    """Encode a cell's original text as JSON (null when empty), cut short if over the limit."""
    text = cell_text(value)
    return _JSON.encode(None if text is None else _shortened(text, max_chars))


def _shortened(text: str, max_chars: int) -> str:
    """Return text fit to store: cut short if over the limit, NUL shown as U+2400."""
    if len(text) > max_chars:
        # The start shows what the cell was; storing megabytes of it would not help anyone.
        text = f"{text[:max_chars]}… ({len(text)} characters)"
    return _storable(text)


def _storable(text: str) -> str:
    """Show NUL characters as U+2400 (the symbol for null): PostgreSQL text cannot hold NUL."""
    return text.replace("\x00", "\u2400")


def repairs_frame(
    sheet: str, frame: pd.DataFrame, rules: Mapping[str, Callable[[object], str | None]]
) -> pd.DataFrame:
    """Log the repairs ``rules`` made to the sheet's cells, counting only rows that stayed clean."""
    # Quarantined rows are left out: their original cells are in the quarantine already.
    kept = frame.loc[frame["reason"].isna(), ["source_row", *(REPAIRED + c for c in rules)]]
    return stack(
        [
            _column_repairs(sheet, source, rule, kept[REPAIRED + source], kept["source_row"])
            for source, rule in rules.items()
        ]
    )


def _column_repairs(
    sheet: str,
    column: str,
    rule: Callable[[object], str | None],
    repaired: pd.Series,
    source_rows: pd.Series,
) -> pd.DataFrame:
    """Count, per trimmed original value, the cells of one column that a rule changed."""
    # Unrepaired cells hold None, which groupby would leave out: left out first, so only
    # the few repaired cells are grouped (not a million, mostly None).
    chosen = repaired.notna().to_numpy()
    counts = (
        source_rows[chosen].groupby(repaired.to_numpy()[chosen], sort=True).agg(["size", "min"])
    )
    originals = [str(original) for original in counts.index]
    cleaned = [rule(original) for original in originals]
    return pd.DataFrame(
        {
            "sheet": sheet,
            "column": column,
            "original_value": pd.Series([_storable(text) for text in originals], dtype=object),
            "cleaned_value": pd.Series(cleaned, dtype=object),
            "rule": [repair_rule(column, *pair) for pair in zip(originals, cleaned, strict=True)],
            "row_count": counts["size"].to_numpy(dtype=np.int64),
            "first_source_row": counts["min"].to_numpy(dtype=np.int64),
        },
        columns=_REPAIR_COLUMNS,
    )


def header_repairs(raw: Mapping[str, pd.DataFrame], max_chars: int) -> list[pd.DataFrame]:
    """Log, per sheet, the rows the reader skipped above the header row (see ``sources``)."""
    repairs = []
    for sheet, frame in raw.items():
        above = frame.attrs.get("rows_above_header") or []
        if above:
            skipped = " | ".join(cell.strip() for row in above for cell in row)
            text = _shortened(skipped, max_chars)
            row = [sheet, "header", text, None, "rows_above_header", len(above), 1]
            repairs.append(pd.DataFrame([row], columns=_REPAIR_COLUMNS))
    return repairs


def all_repairs(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack the sheets' repairs with text columns typed as text."""
    return stack(frames).astype(_REPAIR_TEXT_TYPES)


def stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate frames that share their columns into one with a fresh index."""
    return pd.concat(frames, ignore_index=True)
