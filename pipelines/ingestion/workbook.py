"""Read a workbook sheet straight into columns of cells, typed as pandas' reader typed them.

``pd.read_excel`` sends every cell of a sheet through a Python function and then through its
text parser: for a million-row sheet that was three quarters of the ingestion's reading time
and most of its memory. Here calamine's rows are taken a block at a time and turned into one
object array per column, and only the cells pandas would change are converted: whole-number
floats to int, dates to datetimes. The cells come out as ``pd.read_excel(header=None,
dtype=object, keep_default_na=False)`` gave them.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from pipelines.ingestion.cells import type_groups

Column = npt.NDArray[Any]
# Rows turned into columns at a time: the row lists of one block only are alive at once.
BLOCK_ROWS = 65_536


def sheet_columns(book: Any, name: str) -> list[Column]:
    """Return the cells of sheet ``name`` from its first row, one object array per column."""
    sheet = book.get_sheet_by_name(name)
    rows, blocks = sheet.iter_rows(), []
    # Columns whose texts were mostly distinct in a block (the dates): later blocks of
    # theirs are left as read, not factorized for nothing (0.2 s per million-row sheet).
    distinct: set[int] = set()
    with _no_cyclic_gc():
        while block := list(itertools.islice(rows, BLOCK_ROWS)):
            columns = zip(*block, strict=True)
            blocks.append([_as_pandas_cells(c, i, distinct) for i, c in enumerate(columns)])
    if not blocks:
        return []
    return [np.concatenate(parts) for parts in zip(*blocks, strict=True)]


def top_rows(columns: list[Column], count: int) -> list[list[object]]:
    """Return the first ``count`` rows of a sheet read by columns, as lists of cells."""
    height = len(columns[0]) if columns else 0
    return [[column[row] for column in columns] for row in range(min(count, height))]


def data_frame(columns: list[Column], first_row: int, names: list[object]) -> pd.DataFrame:
    """Return the rows from ``first_row`` on as a frame of object columns named ``names``."""
    data = {position: column[first_row:] for position, column in enumerate(columns)}
    frame = pd.DataFrame(data, dtype=object) if data else pd.DataFrame()
    return frame.set_axis(names, axis=1)


def _as_pandas_cells(cells: tuple[object, ...], column: int, distinct: set[int]) -> Column:
    """Convert the cells pandas' reader converted: whole floats to int, dates to datetimes."""
    values = _objects(cells)
    for kind, positions in type_groups(values):
        if kind is str and len(positions) == len(values):
            values = _shared_texts(values, column, distinct)
        elif kind is float:
            values[positions] = _objects(int(v) if v.is_integer() else v for v in values[positions])
        elif kind is dt.date:  # a datetime is a date too, but pandas kept it as it was
            values[positions] = _objects(
                dt.datetime(v.year, v.month, v.day) for v in values[positions]
            )
    return values


def _shared_texts(values: Column, column: int, distinct: set[int]) -> Column:
    """Point equal texts of a block at one string object when the column repeats itself.

    A channel read 65,536 times is stored once per block. (One object per text across
    blocks took a dictionary lookup per distinct text and block: 0.3 s of CPU per million
    rows, to save 13 MiB of customer ids.)
    """
    if column in distinct:
        return values
    codes, uniques = pd.factorize(values)
    if len(uniques) * 2 > len(values):  # mostly distinct: nothing to gain
        distinct.add(column)
        return values
    return values if (codes < 0).any() else uniques[codes]


def _objects(items: Any) -> Column:
    """Collect items in an object array (numpy must not turn large ints into numbers)."""
    return np.fromiter(items, dtype=object)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cycle collector: a million fresh row lists would make it rescan the heap."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
