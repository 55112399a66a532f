"""The numpy reader of the usual date layout agrees with the general date parser."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from pipelines.ingestion import usual_dates
from pipelines.ingestion.cleaning import clean
from pipelines.ingestion.dates import parse_dates
from pipelines.ingestion.usual_dates import parse_usual_dates
from tests.unit.test_cleaning import interaction, raw_sheets, reasons

# Texts in the usual layout that are possible dates: the fast reader must read them.
POSSIBLE = [
    "03/11/2023 16:10", "01/01/0001 00:00", "31/12/9999 23:59", "29/02/2020 23:59",
    "31/01/2021 00:00", "30/04/2021 12:30", "01/01/1970 00:00", "31/12/1969 23:59",
]  # fmt: skip
# Texts it must leave to the general parser: other layouts, impossible dates, other digits.
LEFT = [
    "29/02/2021 10:00", "31/04/2021 10:00", "00/01/2020 10:00", "01/00/2020 10:00",
    "01/13/2020 10:00", "01/01/0000 10:00", "01/01/2020 24:00", "01/01/2020 23:60",
    "1/1/2020 10:00", "01/01/2020 1:00", "01/01/2020 10:00 ", " 01/01/2020 10:00",
    "01-01-2020 10:00", "01/01/2020T10:00", "2020-01-01 10:00", "01/01/2020 10:00:00",
    "٠١/٠١/٢٠٢٠ 10:00", "０1/01/2020 10:00", "01/01/2020\u00a010:00", "01/01/2020 10.00",
    "0a/01/2020 10:00", "01/01/2020 10:0\x00", "", "yesterday", None, float("nan"),
    dt.datetime(2020, 1, 1, 10), pd.Timestamp("2020-01-01 10:00"), 43831, True,
]  # fmt: skip


def cells(values: list) -> np.ndarray:
    return np.array(values, dtype=object)


class TestParseUsualDates:
    def test_possible_dates_in_the_layout_are_read_as_the_general_parser_reads_them(self):
        parsed, read = parse_usual_dates(cells(POSSIBLE))
        assert read.all()
        assert parsed.tolist() == parse_dates(cells(POSSIBLE)).tolist()

    @pytest.mark.parametrize("value", LEFT)
    def test_anything_else_is_left_unread(self, value):
        parsed, read = parse_usual_dates(cells([value, "03/11/2023 16:10"]))
        assert read.tolist() == [False, True]
        assert np.isnat(parsed[0])

    def test_mixed_columns_read_their_texts_only(self):
        column = cells([dt.datetime(2020, 1, 1), "03/11/2023 16:10", 5, None, "01/02/2020 10:00"])
        parsed, read = parse_usual_dates(column)
        assert read.tolist() == [False, True, False, False, True]
        assert parsed[4] == np.datetime64("2020-02-01T10:00", "us")

    def test_blocks_of_rows_are_each_put_back_in_place(self, monkeypatch):
        monkeypatch.setattr(usual_dates, "_BLOCK_ROWS", 2)
        values = ["bad", *POSSIBLE, "x" * 16]
        parsed, read = parse_usual_dates(cells(values))
        assert read.tolist() == [False] + [True] * len(POSSIBLE) + [False]
        assert parsed[1:-1].tolist() == parse_dates(cells(POSSIBLE)).tolist()

    def test_a_column_without_texts_reads_nothing(self):
        parsed, read = parse_usual_dates(cells([None, 5, dt.date(2020, 1, 1)]))
        assert not read.any()
        assert np.isnat(parsed).all()


class TestCleaningWithUsualDates:
    def test_every_text_is_read_to_the_same_date_as_before(self):
        values = POSSIBLE + LEFT  # one customer each: equal dates are no duplicates
        rows = [interaction(date_start=v, customer_id=str(i + 1)) for i, v in enumerate(values)]
        cleaned = clean(raw_sheets(interactions=rows))
        expected = parse_dates(cells(values))
        kept = cleaned.interactions.set_index("source_row")["occurred_at"]
        for row, value in enumerate(expected, start=2):
            if np.isnat(value):
                assert reasons(cleaned, "interactions").get(row) == "invalid_date"
            else:
                assert kept[row] == value

    def test_a_usual_date_over_a_lower_cell_limit_is_too_long(self):
        rows = [interaction(date_start="03/11/2023 16:10"), interaction(date_start="4/3/2020")]
        cleaned = clean(raw_sheets(interactions=rows), max_cell_chars=15)
        assert reasons(cleaned, "interactions") == {2: "value_too_long"}
        assert cleaned.interactions["source_row"].tolist() == [3]
