"""Apply rules to whole columns through their distinct cells, one call per distinct value."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

Positions = npt.NDArray[np.intp]


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


@dataclass(frozen=True)
class Distinct:
    """A column as its distinct cells and, per row, the code of its cell (-1: an empty cell)."""

    codes: Positions
    cells: npt.NDArray[Any]

    @classmethod
    def of(cls, column: pd.Series) -> Distinct:
        """Factorize a column, keeping cells of different types apart."""
        codes, uniques = factorize_cells(column)
        cells = np.empty(len(uniques), dtype=object)
        cells[:] = uniques
        return cls(codes, cells)

    def spread(self, results: npt.NDArray[Any], empty: object) -> npt.NDArray[Any]:
        """Give each row the result of its distinct cell, and ``empty`` to empty cells."""
        # The last entry is the empty result: code -1 indexes it.
        return np.append(results, np.array([empty], dtype=results.dtype))[self.codes]


def map_cells(
    column: pd.Series, rule: Callable[[Any], object], dtype: npt.DTypeLike = object
) -> npt.NDArray[Any]:
    """Apply ``rule`` once per distinct cell and spread the results back over the column."""
    distinct = Distinct.of(column)
    return distinct.spread(
        np.array([rule(cell) for cell in distinct.cells], dtype=dtype), rule(None)
    )
