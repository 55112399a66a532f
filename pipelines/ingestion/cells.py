"""Apply rules to whole columns through their distinct cells, one call per distinct value."""

from __future__ import annotations

from collections.abc import Callable
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


def map_cells(
    column: pd.Series, rule: Callable[[Any], object], dtype: npt.DTypeLike = object
) -> npt.NDArray[Any]:
    """Apply ``rule`` once per distinct cell and spread the results back over the column."""
    codes, uniques = factorize_cells(column)
    # The last entry is rule(None): code -1 (an empty cell) indexes it.
    table = np.array([*(rule(value) for value in uniques), rule(None)], dtype=dtype)
    return table[codes]
