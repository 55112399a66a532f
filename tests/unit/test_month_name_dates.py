"""Dates whose month is a word: read in the usual orders, refused when anything is left to guess."""

import datetime as dt

import pandas as pd
import pytest

from pipelines.ingestion.cleaning import clean
from tests.unit.test_cleaning import interaction, only_value, raw_sheets, reasons


def occurred_at(value) -> pd.Timestamp:
    cleaned = clean(raw_sheets(interactions=[interaction(date_start=value)]))
    return only_value(cleaned.interactions, "occurred_at")


class TestMonthNameDates:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("7 Mar 2020 10:00", dt.datetime(2020, 3, 7, 10)),
            ("8 March 2020", dt.datetime(2020, 3, 8)),
            ("March 8, 2020", dt.datetime(2020, 3, 8)),
            ("Mar 8 2020 14:30", dt.datetime(2020, 3, 8, 14, 30)),
            ("2020-Mar-07", dt.datetime(2020, 3, 7)),
            ("07-mar-2020 09:05:07", dt.datetime(2020, 3, 7, 9, 5, 7)),
            ("SEPT 30, 2021", dt.datetime(2021, 9, 30)),
            ("1st May 2021", dt.datetime(2021, 5, 1)),
            ("December 22nd, 2019 at 11:45 PM", dt.datetime(2019, 12, 22, 23, 45)),
            ("Feb. 29, 2020 12:10am", dt.datetime(2020, 2, 29, 0, 10)),
            ("Sat, 7 Mar 2020 10:00", dt.datetime(2020, 3, 7, 10)),
            ("Saturday 7 March 2020", dt.datetime(2020, 3, 7)),
            ("  7\xa0Mar   2020 ", dt.datetime(2020, 3, 7)),
            ("\ufeff7 Mar\u200b 2020", dt.datetime(2020, 3, 7)),
        ],
    )
    def test_an_unambiguous_date_is_read(self, value, expected):
        assert occurred_at(value) == pd.Timestamp(expected)

    @pytest.mark.parametrize(
        "value",
        [
            "7 Mar 20",  # is 20 the year or the day?
            "Mar 2020",  # no day
            "7 March",  # no year
            "31 Feb 2020",
            "29 Feb 2021",
            "0 Mar 2020",
            "7 Mrz 2020",  # not an English month
            "Mon 7 Mar 2020",  # 7 March 2020 was a Saturday
            "7 Mar 2020 25:00",
            "7 Mar 2020 10:60",
            "7 Mar 2020 10:00:60",
            "7 Mar 2020 14:30 pm",
            "7 Mar 2020 0:30 am",
            "7 Mar 2020 10:00 UTC",  # an offset the naive column cannot keep
            "2020 7 Mar",
            "March 2020 8",
            "7 Mar 2020 Mar",
            "the 7th of March 2020",
            "0000 Mar 01",
        ],
    )
    def test_an_ambiguous_or_impossible_one_is_quarantined(self, value):
        cleaned = clean(raw_sheets(interactions=[interaction(date_start=value)]))
        assert cleaned.interactions.empty
        assert reasons(cleaned, "interactions") == {2: "invalid_date"}

    def test_numeric_dates_are_still_read_day_first(self):
        assert occurred_at("04/10/2019 08:00") == pd.Timestamp(2019, 10, 4, 8)

    def test_the_same_moment_written_two_ways_is_one_interaction(self):
        rows = [
            interaction(date_start="07/03/2020 10:00"),
            interaction(date_start="7 Mar 2020 10:00"),
        ]
        assert reasons(clean(raw_sheets(interactions=rows)), "interactions") == {3: "duplicate_row"}
