"""Unit tests for the column helpers of the cleaning step (pipelines/ingestion/cells.py)."""

import numpy as np
import pandas as pd

from pipelines.ingestion.cells import row_keys, texts_only


def same_groups(keys: np.ndarray, frame: pd.DataFrame) -> bool:
    """Tell whether ``keys`` group the rows exactly as the frame's values do."""
    expected = frame.groupby(list(frame.columns), dropna=False, sort=False).ngroup()
    return bool((pd.factorize(keys)[0] == expected.to_numpy()).all())


class TestRowKeys:
    def test_equal_rows_get_equal_keys_and_different_rows_different_ones(self):
        columns = [np.array([5, 5, 5, 6]), np.array([1, 1, 2, 1]), np.array([-1, -1, -1, -1])]
        keys = row_keys(columns)
        assert keys[0] == keys[1]
        assert len({keys[0], keys[2], keys[3]}) == 3

    def test_keys_stay_exact_when_the_combinations_would_overflow_int64(self):
        # Five columns of 65,535 distinct values: a radix of 2**16 each, so without the
        # renumbering the first column would be shifted out of int64 and rows differing
        # only there would share a key: (0, 1, 1, 1, 1) and (1, 1, 1, 1, 1).
        values = np.arange(65_535)
        columns = [np.append(values, 0)] + [np.append(values, 1) for _ in range(4)]
        keys = row_keys(columns)
        assert keys[-1] != keys[1]
        assert same_groups(keys, pd.DataFrame({i: column for i, column in enumerate(columns)}))

    def test_empty_cells_equal_each_other_and_no_value(self):
        nan = float("nan")
        columns = [np.array([1.0, 2.0, nan, 1.0, nan]), np.array([5.0, 6.0, 6.0, nan, 6.0])]
        keys = row_keys(columns)
        assert keys[2] == keys[4]
        assert len(set(keys[:4].tolist())) == 4

    def test_a_large_int64_value_is_a_value_like_any_other(self):
        big = np.iinfo(np.int64).max
        columns = [np.array([big, big, big - 1]), np.array([0, 0, 0])]
        keys = row_keys(columns)
        assert keys[0] == keys[1] != keys[2]

    def test_no_columns_give_no_keys(self):
        assert len(row_keys([])) == 0


class TestTextsOnly:
    def test_texts_and_empty_cells_are_texts_only(self):
        assert texts_only(np.array(["a", None, float("nan"), ""], dtype=object))
        assert texts_only(np.array([None, None], dtype=object))

    def test_any_other_cell_is_not(self):
        assert not texts_only(np.array(["a", 1], dtype=object))
        assert not texts_only(np.array(["a", b"a"], dtype=object))
        assert not texts_only(np.array([True, "a"], dtype=object))
