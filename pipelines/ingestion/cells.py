"""Apply rules to whole columns through their distinct cells, one call per distinct value."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

Positions = npt.NDArray[np.intp]
Flags = npt.NDArray[np.bool_]
_MAX_KEYS = np.iinfo(np.int64).max


def texts_only(values: npt.NDArray[Any]) -> bool:
    """Tell whether the cells are all texts or empty (as any CSV column's are)."""
    return pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty")


def type_groups(values: npt.NDArray[Any]) -> list[tuple[type, Positions]]:
    """Group cell positions by Python type, since 1 == 1.0 == True would merge as values."""
    if texts_only(values):
        return [(str, np.arange(len(values)))]  # strings and empty cells only: one group
    # map(type, ...) runs in C: no Python code per row.
    kind_codes, kinds = pd.factorize(
        np.fromiter(map(type, values), dtype=object, count=len(values))
    )
    return [(kind, np.flatnonzero(kind_codes == code)) for code, kind in enumerate(kinds)]


@dataclass(frozen=True)
class Distinct:
    """A column as its distinct cells and, per row, the code of its cell (-1: an empty cell)."""

    codes: Positions
    cells: npt.NDArray[Any]
    is_text: Flags  # per distinct cell

    @classmethod
    def of(cls, column: pd.Series) -> Distinct:
        """Factorize a column, keeping cells of different types apart."""
        values = column.to_numpy(dtype=object)
        if texts_only(values):  # as in any CSV: factorize them at once
            codes, cells = pd.factorize(values)
            return cls(codes.astype(np.intp), cells, np.full(len(cells), True))
        groups = type_groups(values)
        if len(groups) == 1:  # cells of one other type (and empty cells)
            codes, cells = pd.factorize(values)
            return cls(codes.astype(np.intp), cells, np.full(len(cells), groups[0][0] is str))
        codes = np.full(len(values), -1, dtype=np.intp)
        parts, is_text, count = [], [], 0
        for kind, positions in groups:
            group_codes, group_cells = pd.factorize(values[positions])
            codes[positions] = np.where(group_codes < 0, -1, group_codes + count)
            parts.append(group_cells)
            is_text.append(np.full(len(group_cells), issubclass(kind, str)))
            count += len(group_cells)
        return cls(codes, np.concatenate(parts), np.concatenate(is_text))

    def spread(self, results: npt.NDArray[Any], empty: object) -> npt.NDArray[Any]:
        """Give each row the result of its distinct cell, and ``empty`` to empty cells."""
        # The last entry is the empty result: code -1 indexes it.
        return np.append(results, np.array([empty], dtype=results.dtype))[self.codes]

    def apply(
        self, rule: Callable[[Any], object], dtype: npt.DTypeLike = object
    ) -> npt.NDArray[Any]:
        """Apply ``rule`` once per distinct cell and once to an empty cell; spread the results."""
        return self.spread(np.array([rule(cell) for cell in self.cells], dtype=dtype), rule(None))

    def longer_than(self, max_chars: int) -> Flags:
        """Flag the distinct texts longer than ``max_chars`` characters."""
        texts = self.cells if self.is_text.all() else self.cells[self.is_text]
        flags = np.zeros(len(self.cells), dtype=bool)
        # max() over map(len) runs in C; the per-text flags are only needed when it is too long.
        if max(map(len, texts), default=0) > max_chars:
            lengths = np.fromiter(map(len, texts), dtype=np.intp, count=len(texts))
            flags[self.is_text] = lengths > max_chars
        return flags

    def without(self, flags: Flags) -> Distinct:
        """Return the same column with the flagged distinct cells read as empty texts."""
        cells = self.cells.copy()
        cells[flags] = ""
        return Distinct(self.codes, cells, self.is_text)


def row_keys(columns: list[npt.NDArray[Any]]) -> npt.NDArray[np.int64]:
    """Number each row's combination of values across equally long columns: equal rows, equal keys.

    Each column's values are factorized and the codes combined in mixed radix; the keys so
    far are renumbered densely whenever the next column would overflow int64.
    """
    keys, size = np.zeros(len(columns[0]) if columns else 0, dtype=np.int64), 1
    for column in columns:
        codes, uniques = pd.factorize(column)  # -1 for NaN and None: empty equals empty
        radix = len(uniques) + 1
        if size * radix > _MAX_KEYS:
            keys, numbered = pd.factorize(keys)
            size = len(numbered)
        keys = keys * radix + (codes + 1)
        size *= radix
    return keys


def map_cells(
    column: pd.Series, rule: Callable[[Any], object], dtype: npt.DTypeLike = object
) -> npt.NDArray[Any]:
    """Apply ``rule`` once per distinct cell and spread the results back over the column."""
    return Distinct.of(column).apply(rule, dtype)
