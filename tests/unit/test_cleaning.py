"""Unit tests for the pure cleaning step: one class per cleaning rule, then the contracts."""

import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipelines.ingestion.cleaning import (
    CHANNEL_SYNONYMS,
    QUARANTINE_REASONS,
    SENTIMENTS,
    SHEETS,
    CleanedData,
    clean,
)

COLUMNS = {
    "customers": ["customer_id", "occupation", "type"],
    "interactions": ["date_start", "channel", "customer_id", "topic", "sentiment"],
    "products": ["month", "product"],
}
CLEAN_FRAME = {
    "customers": "customers",
    "interactions": "interactions",
    "products": "product_months",
}

MIGRATIONS = Path(__file__).resolve().parents[2] / "artifacts" / "migrations"


def raw_sheets(customers=(), interactions=(), products=()) -> dict[str, pd.DataFrame]:
    """Build reader-shaped sheets from dicts: object columns, source_row counting from 2."""
    rows = {"customers": customers, "interactions": interactions, "products": products}
    sheets = {}
    for sheet, records in rows.items():
        frame = pd.DataFrame(
            [[record.get(c) for c in COLUMNS[sheet]] for record in records],
            columns=COLUMNS[sheet],
            dtype=object,
        )
        frame["source_row"] = np.arange(2, len(frame) + 2, dtype=np.int64)
        sheets[sheet] = frame
    return sheets


def customer(**cells) -> dict:
    """Return a valid customers row with some cells replaced."""
    return {"customer_id": "1", "occupation": "Nurse", "type": "Red", **cells}


def interaction(**cells) -> dict:
    """Return a valid interactions row with some cells replaced."""
    defaults = {"date_start": "01/02/2020 10:00", "channel": "Email", "customer_id": "1"}
    return {**defaults, "topic": "Billing", "sentiment": "Positive", **cells}


def product(**cells) -> dict:
    """Return a valid products row with some cells replaced."""
    return {"month": "01-2020", "product": "Widget", **cells}


def reasons(cleaned: CleanedData, sheet: str) -> dict[int, str]:
    """Map each quarantined source row of a sheet to its reason."""
    rows = cleaned.quarantine[cleaned.quarantine["sheet"] == sheet]
    return dict(zip(rows["source_row"], rows["reason"], strict=True))


def only_value(frame: pd.DataFrame, column: str):
    """Return the single clean value of a column, failing unless exactly one row is clean."""
    assert len(frame) == 1, frame
    return frame[column].iloc[0]


def repairs_of(cleaned: CleanedData, column: str) -> list[tuple]:
    """List a column's repairs as (original, cleaned, rule, row count, first source row)."""
    rows = cleaned.repairs[cleaned.repairs["column"] == column]
    fields = ["original_value", "cleaned_value", "rule", "row_count", "first_source_row"]
    return [tuple(row) for row in rows[fields].itertuples(index=False)]


ACCEPTED_IDS = [
    ("17", 17),
    (" 17 ", 17),
    ("\t17\xa0", 17),
    ("17.0", 17),
    ("17.00", 17),
    (17.0, 17),
    (17, 17),
    (np.int64(17), 17),
    ("0017", 17),
    ("2147483647", 2147483647),
    (2147483647.0, 2147483647),
]
# \u0661\u0667 is 17 in Arabic-Indic digits: int() would read it, the rule must not.
REJECTED_IDS = [
    "12in",
    "abc",
    "",
    "   ",
    None,
    float("nan"),
    "0",
    0,
    0.0,
    "-3",
    -3,
    "1.5",
    1.5,
    "1e3",
    2**40,
    "2147483648",
    "+17",
    "1 7",
    "17.",
    "\u0661\u0667",
    True,
    dt.datetime(2020, 1, 1),
]


class TestCustomerIds:
    @pytest.mark.parametrize(("value", "expected"), ACCEPTED_IDS)
    @pytest.mark.parametrize("sheet", ["customers", "interactions"])
    def test_a_positive_integer_is_accepted_with_whitespace_or_a_zero_fraction(
        self, sheet, value, expected
    ):
        record = customer if sheet == "customers" else interaction
        cleaned = clean(raw_sheets(**{sheet: [record(customer_id=value)]}))
        assert only_value(getattr(cleaned, sheet), "customer_id") == expected

    @pytest.mark.parametrize("value", REJECTED_IDS)
    @pytest.mark.parametrize("sheet", ["customers", "interactions"])
    def test_anything_else_is_quarantined_as_an_invalid_customer_id(self, sheet, value):
        record = customer if sheet == "customers" else interaction
        cleaned = clean(raw_sheets(**{sheet: [record(customer_id=value)]}))
        assert getattr(cleaned, sheet).empty
        assert reasons(cleaned, sheet) == {2: "invalid_customer_id"}

    def test_an_interaction_with_an_unknown_customer_is_kept(self):
        sheets = raw_sheets(
            customers=[customer(customer_id="1")], interactions=[interaction(customer_id="99")]
        )
        assert only_value(clean(sheets).interactions, "customer_id") == 99


class TestInteractionDates:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("04/10/2019", dt.datetime(2019, 10, 4)),
            ("4/3/2020 9:05", dt.datetime(2020, 3, 4, 9, 5)),
            ("04/03/2020 09:05:07", dt.datetime(2020, 3, 4, 9, 5, 7)),
            ("31/12/2020 23:59", dt.datetime(2020, 12, 31, 23, 59)),
            ("29/02/2020", dt.datetime(2020, 2, 29)),
            ("2020-03-04", dt.datetime(2020, 3, 4)),
            ("2020-03-04 09:05", dt.datetime(2020, 3, 4, 9, 5)),
            ("2020-03-04 09:05:07", dt.datetime(2020, 3, 4, 9, 5, 7)),
            ("2020-03-04T09:05", dt.datetime(2020, 3, 4, 9, 5)),
            ("2020-03-04T09:05:07", dt.datetime(2020, 3, 4, 9, 5, 7)),
            (" 04/03/2020  09:05 ", dt.datetime(2020, 3, 4, 9, 5)),
            ("\ufeff04/03/2020\t09:05", dt.datetime(2020, 3, 4, 9, 5)),
            (dt.datetime(2020, 3, 4, 9, 5), dt.datetime(2020, 3, 4, 9, 5)),
            (dt.date(2020, 3, 4), dt.datetime(2020, 3, 4)),
            (pd.Timestamp("2020-03-04 09:05"), dt.datetime(2020, 3, 4, 9, 5)),
        ],
    )
    def test_day_first_iso_and_date_cells_are_accepted(self, value, expected):
        cleaned = clean(raw_sheets(interactions=[interaction(date_start=value)]))
        assert only_value(cleaned.interactions, "occurred_at") == pd.Timestamp(expected)

    def test_an_ambiguous_date_is_read_day_first(self):
        cleaned = clean(raw_sheets(interactions=[interaction(date_start="04/10/2019 08:00")]))
        assert only_value(cleaned.interactions, "occurred_at") == pd.Timestamp(2019, 10, 4, 8)

    @pytest.mark.parametrize(
        "value",
        [
            "31/02/2020", "13/13/2020", "00/01/2020", "2020-02-30", "2020-13-01", "yesterday",
            "", "  ", None, 43831, 43831.0, True, dt.time(9, 5), "04/10/19", "04-10-2019",
            "04/10/2019 25:00", "04/10/2019 09:60", "04/10/2019 09:05:60", "2020-01-01T",
            "04/10/2019T09:05", "04/10/2019 9am", "2020-01-01 09:05:00+01:00", "0000-01-01",
        ],
    )  # fmt: skip
    def test_an_impossible_or_unreadable_date_is_quarantined(self, value):
        cleaned = clean(raw_sheets(interactions=[interaction(date_start=value)]))
        assert cleaned.interactions.empty
        assert reasons(cleaned, "interactions") == {2: "invalid_date"}

    def test_an_invalid_customer_id_is_reported_before_an_invalid_date(self):
        sheets = raw_sheets(interactions=[interaction(customer_id="x", date_start="yesterday")])
        assert reasons(clean(sheets), "interactions") == {2: "invalid_customer_id"}

    def test_dates_are_naive_datetimes(self):
        sheets = raw_sheets(interactions=[interaction(date_start="2020-03-04 09:05")])
        occurred_at = clean(sheets).interactions["occurred_at"]
        assert pd.api.types.is_datetime64_dtype(occurred_at)
        assert getattr(occurred_at.dtype, "tz", None) is None


class TestTextWhitespace:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("Santa Claus", "Santa Claus"),
            ("  Santa   Claus ", "Santa Claus"),
            ("Santa\tClaus", "Santa Claus"),
            ("Santa\xa0Claus", "Santa Claus"),
            ("\ufeffSanta Claus", "Santa Claus"),
            ("Santa\n Claus", "Santa Claus"),
            ("santa CLAUS", "santa CLAUS"),
            (42, "42"),
            ("", None),
            ("  \t\xa0", None),
            ("\ufeff", None),
            (None, None),
            (float("nan"), None),
        ],
    )
    def test_occupation_is_trimmed_and_collapsed_with_its_case_kept(self, value, expected):
        cleaned = clean(raw_sheets(customers=[customer(occupation=value)]))
        assert only_value(cleaned.customers, "occupation") == expected


class TestChannel:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            *[(spelling, canonical) for spelling, canonical in CHANNEL_SYNONYMS.items()],
            ("E-Mail", "Email"),
            ("EMAIL", "Email"),
            (" Phone Call ", "Call"),
            ("phone  call", "Call"),
            ("TELEPHONE", "Call"),
            ("Chat\tBot", "Chatbot"),
            ("Letter", "Post"),
        ],
    )
    def test_synonyms_map_to_the_canonical_channel_whatever_the_case(self, value, expected):
        cleaned = clean(raw_sheets(interactions=[interaction(channel=value)]))
        assert only_value(cleaned.interactions, "channel") == expected

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("bird", "Bird"),
            ("carrier  pigeon", "Carrier Pigeon"),
            ("BOAT", "Boat"),
            ("o'brien", "O'brien"),
            ("x-ray", "X-ray"),
        ],
    )
    def test_an_unknown_channel_is_kept_and_title_cased_per_word(self, value, expected):
        cleaned = clean(raw_sheets(interactions=[interaction(channel=value)]))
        assert only_value(cleaned.interactions, "channel") == expected

    @pytest.mark.parametrize("value", [None, "", "   "])
    def test_an_empty_channel_becomes_none(self, value):
        cleaned = clean(raw_sheets(interactions=[interaction(channel=value)]))
        assert only_value(cleaned.interactions, "channel") is None


class TestTopic:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("side effects  discussion", "Side Effects Discussion"),
            ("BILLING", "Billing"),
            ("Billing", "Billing"),
            ("o'brien's case", "O'brien's Case"),
            (None, None),
            ("", None),
        ],
    )
    def test_topic_is_title_cased_per_word(self, value, expected):
        cleaned = clean(raw_sheets(interactions=[interaction(topic=value)]))
        assert only_value(cleaned.interactions, "topic") == expected

    def test_an_older_export_without_topic_or_sentiment_is_clean(self):
        rows = [interaction(topic=None, sentiment=None), interaction(date_start="2020-01-01")]
        cleaned = clean(raw_sheets(interactions=rows))
        assert cleaned.interactions["topic"].tolist() == [None, "Billing"]
        assert cleaned.interactions["sentiment"].tolist() == [None, "Positive"]


class TestSentiment:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            *[(s, s) for s in SENTIMENTS],
            (" negative ", "Negative"),
            ("POSITIVE", "Positive"),
            ("nEUTRAL", "Neutral"),
        ],
    )
    def test_the_three_sentiments_are_recognised_whatever_the_case(self, value, expected):
        cleaned = clean(raw_sheets(interactions=[interaction(sentiment=value)]))
        assert only_value(cleaned.interactions, "sentiment") == expected

    @pytest.mark.parametrize("value", ["Mixed", "good", "very positive"])
    def test_any_other_sentiment_becomes_none_with_a_repair(self, value):
        cleaned = clean(raw_sheets(interactions=[interaction(sentiment=value)]))
        assert only_value(cleaned.interactions, "sentiment") is None
        assert repairs_of(cleaned, "sentiment") == [(value, None, "unrecognised_sentiment", 1, 2)]

    @pytest.mark.parametrize("value", [None, "", "  "])
    def test_an_empty_sentiment_becomes_none_without_a_repair(self, value):
        cleaned = clean(raw_sheets(interactions=[interaction(sentiment=value)]))
        assert only_value(cleaned.interactions, "sentiment") is None
        assert cleaned.repairs.empty


class TestCustomerTypeAndOccupation:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [("RED", "Red"), ("orange", "Orange"), (" light  BLUE ", "Light Blue"), ("", None)],
    )
    def test_type_becomes_a_title_cased_customer_type(self, value, expected):
        cleaned = clean(raw_sheets(customers=[customer(type=value)]))
        assert only_value(cleaned.customers, "customer_type") == expected

    def test_occupation_keeps_its_case(self):
        cleaned = clean(raw_sheets(customers=[customer(occupation="santa CLAUS")]))
        assert only_value(cleaned.customers, "occupation") == "santa CLAUS"


class TestCustomerDuplicates:
    def test_a_repeat_identical_after_cleaning_is_a_duplicate_and_the_first_is_kept(self):
        rows = [customer(type="Red"), customer(customer_id=1.0, type=" RED ")]
        cleaned = clean(raw_sheets(customers=rows))
        assert cleaned.customers["source_row"].tolist() == [2]
        assert reasons(cleaned, "customers") == {3: "duplicate_row"}

    def test_a_repeat_with_different_values_is_a_conflict_and_the_first_is_kept(self):
        rows = [customer(occupation="Nurse"), customer(occupation="Doctor")]
        cleaned = clean(raw_sheets(customers=rows))
        assert only_value(cleaned.customers, "occupation") == "Nurse"
        assert reasons(cleaned, "customers") == {3: "conflicting_duplicate"}

    def test_each_repeat_is_compared_with_the_kept_first_row(self):
        rows = [
            customer(occupation="Nurse"),
            customer(occupation="Doctor"),
            customer(occupation="Doctor"),
            customer(occupation="Nurse"),
        ]
        cleaned = clean(raw_sheets(customers=rows))
        assert reasons(cleaned, "customers") == {
            3: "conflicting_duplicate",
            4: "conflicting_duplicate",
            5: "duplicate_row",
        }

    def test_empty_values_are_equal_to_each_other(self):
        rows = [customer(occupation=None), customer(occupation="  ")]
        assert reasons(clean(raw_sheets(customers=rows)), "customers") == {3: "duplicate_row"}

    def test_the_first_by_source_row_is_kept_whatever_the_frame_order(self):
        sheets = raw_sheets(customers=[customer(occupation="Nurse"), customer(occupation="Doctor")])
        sheets["customers"] = sheets["customers"].iloc[::-1]
        cleaned = clean(sheets)
        assert only_value(cleaned.customers, "occupation") == "Nurse"
        assert reasons(cleaned, "customers") == {3: "conflicting_duplicate"}

    def test_a_row_with_an_invalid_id_is_not_counted_as_a_first(self):
        rows = [customer(customer_id="x"), customer(customer_id="1")]
        cleaned = clean(raw_sheets(customers=rows))
        assert cleaned.customers["source_row"].tolist() == [3]
        assert reasons(cleaned, "customers") == {2: "invalid_customer_id"}


class TestInteractionDuplicates:
    def test_interactions_identical_after_cleaning_are_kept_once(self):
        rows = [
            interaction(date_start="04/10/2019 09:05", channel="Email", customer_id="1"),
            interaction(date_start="2019-10-04 09:05:00", channel="e-mail", customer_id=1.0),
            interaction(date_start=dt.datetime(2019, 10, 4, 9, 5), channel=" EMAIL"),
        ]
        cleaned = clean(raw_sheets(interactions=rows))
        assert cleaned.interactions["source_row"].tolist() == [2]
        assert reasons(cleaned, "interactions") == {3: "duplicate_row", 4: "duplicate_row"}

    def test_none_equals_none_when_comparing_interactions(self):
        rows = [interaction(topic=None, sentiment=None), interaction(topic="", sentiment=" ")]
        cleaned = clean(raw_sheets(interactions=rows))
        assert reasons(cleaned, "interactions") == {3: "duplicate_row"}

    @pytest.mark.parametrize(
        "change",
        [
            {"date_start": "01/02/2020 10:01"},
            {"customer_id": "2"},
            {"channel": "Call"},
            {"topic": "Dosage"},
            {"sentiment": "Negative"},
            {"sentiment": None},
        ],
    )
    def test_interactions_differing_in_any_column_are_all_kept(self, change):
        cleaned = clean(raw_sheets(interactions=[interaction(), interaction(**change)]))
        assert len(cleaned.interactions) == 2
        assert cleaned.quarantine.empty


class TestProductMonths:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("03-2021", dt.datetime(2021, 3, 1)),
            ("3-2021", dt.datetime(2021, 3, 1)),
            ("12-2021", dt.datetime(2021, 12, 1)),
            ("2021-03", dt.datetime(2021, 3, 1)),
            (" 2021-03 ", dt.datetime(2021, 3, 1)),
            (dt.date(2021, 3, 17), dt.datetime(2021, 3, 1)),
            (dt.datetime(2021, 3, 17, 15, 30), dt.datetime(2021, 3, 1)),
            (pd.Timestamp("2021-03-31 23:59"), dt.datetime(2021, 3, 1)),
        ],
    )
    def test_a_month_is_stored_as_its_first_day_at_midnight(self, value, expected):
        cleaned = clean(raw_sheets(products=[product(month=value)]))
        assert only_value(cleaned.product_months, "month") == pd.Timestamp(expected)

    @pytest.mark.parametrize(
        "value",
        ["13-2021", "00-2021", "2021-13", "2021-00", "2021-3", "", None, "March", "March 2021",
         "2021-03-15", "03/2021", "0000-03", 202103, 3.2021, True],
    )  # fmt: skip
    def test_an_invalid_month_is_quarantined(self, value):
        cleaned = clean(raw_sheets(products=[product(month=value)]))
        assert cleaned.product_months.empty
        assert reasons(cleaned, "products") == {2: "invalid_month"}

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("widget", "Widget"),
            ("  super   WIDGET ", "Super Widget"),
            ("o'brien's pill", "O'brien's Pill"),
        ],
    )
    def test_product_names_are_title_cased_per_word(self, value, expected):
        cleaned = clean(raw_sheets(products=[product(product=value)]))
        assert only_value(cleaned.product_months, "product") == expected

    @pytest.mark.parametrize("value", [None, "", " \t "])
    def test_a_month_without_a_product_is_quarantined(self, value):
        cleaned = clean(raw_sheets(products=[product(product=value)]))
        assert reasons(cleaned, "products") == {2: "missing_product"}

    def test_an_invalid_month_is_reported_before_a_missing_product(self):
        cleaned = clean(raw_sheets(products=[product(month="March", product=None)]))
        assert reasons(cleaned, "products") == {2: "invalid_month"}

    def test_a_month_repeated_with_the_same_cleaned_product_is_a_duplicate(self):
        rows = [
            product(month="03-2021", product="Widget"),
            product(month="2021-03", product="widget "),
        ]
        cleaned = clean(raw_sheets(products=rows))
        assert cleaned.product_months["source_row"].tolist() == [2]
        assert reasons(cleaned, "products") == {3: "duplicate_row"}

    def test_a_month_repeated_with_another_product_is_a_conflict(self):
        rows = [
            product(month="03-2021", product="Widget"),
            product(month="3-2021", product="Gadget"),
        ]
        cleaned = clean(raw_sheets(products=rows))
        assert only_value(cleaned.product_months, "product") == "Widget"
        assert reasons(cleaned, "products") == {3: "conflicting_duplicate"}


class TestQuarantine:
    def test_the_reasons_are_the_ones_the_database_accepts(self):
        # The newest migration that (re)defines the check is the one in force.
        forward = sorted(p for p in MIGRATIONS.glob("*.sql") if not p.stem.endswith(".rollback"))
        schema = "".join(path.read_text() for path in forward)
        check = re.findall(r"reason IN \((.*?)\)\)", schema, re.S)[-1]
        assert set(QUARANTINE_REASONS) == set(re.findall(r"'(\w+)'", check))

    def test_original_holds_the_original_cells_as_sorted_json(self):
        row = {
            "date_start": " yesterday ",
            "channel": "Zoë\xa0mail",
            "customer_id": 17.0,
            "topic": None,
            "sentiment": float("nan"),
        }
        cleaned = clean(raw_sheets(interactions=[row]))
        expected = {
            "channel": "Zoë\xa0mail",
            "customer_id": "17.0",
            "date_start": " yesterday ",
            "sentiment": None,
            "topic": None,
        }
        (original,) = cleaned.quarantine["original"]
        assert original == json.dumps(expected, sort_keys=True, ensure_ascii=False)

    def test_native_cells_are_written_as_iso_dates_and_str_numbers(self):
        rows = [
            customer(
                customer_id="x", occupation=dt.datetime(2020, 1, 2, 3, 4), type=dt.date(2020, 1, 2)
            ),
            customer(customer_id=-3, occupation=2**40, type=True),
        ]
        originals = [
            json.loads(o) for o in clean(raw_sheets(customers=rows)).quarantine["original"]
        ]
        assert originals == [
            {"customer_id": "x", "occupation": "2020-01-02T03:04:00", "type": "2020-01-02"},
            {"customer_id": "-3", "occupation": str(2**40), "type": "True"},
        ]

    def test_quarantine_lists_sheets_in_order_then_source_rows(self):
        sheets = raw_sheets(
            customers=[customer(customer_id="x"), customer(customer_id="y")],
            interactions=[interaction(customer_id="z")],
            products=[product(month="March")],
        )
        quarantine = clean(sheets).quarantine
        assert list(zip(quarantine["sheet"], quarantine["source_row"], strict=True)) == [
            ("customers", 2),
            ("customers", 3),
            ("interactions", 2),
            ("products", 2),
        ]


class TestRepairs:
    def test_repairs_are_aggregated_per_value_with_a_count_and_the_first_row(self):
        rows = [
            interaction(channel="Email", date_start="2020-01-01"),
            interaction(channel="email", date_start="2020-01-02"),
            interaction(channel="e-mail", date_start="2020-01-03"),
            interaction(channel=" email ", date_start="2020-01-04"),
            interaction(channel="phone", date_start="2020-01-05"),
            interaction(channel="email", date_start="2020-01-06"),
        ]
        cleaned = clean(raw_sheets(interactions=rows))
        assert repairs_of(cleaned, "channel") == [
            ("e-mail", "Email", "synonym", 1, 4),
            ("email", "Email", "normalised", 3, 3),
            ("phone", "Call", "synonym", 1, 6),
        ]

    @pytest.mark.parametrize(
        ("column", "value", "expected", "rule"),
        [
            ("channel", "EMAIL", "Email", "normalised"),
            ("channel", "Phone Call", "Call", "synonym"),
            ("channel", "phone  call", "Call", "synonym"),
            ("channel", "Chat Bot", "Chatbot", "synonym"),
            ("channel", "letter", "Post", "synonym"),
            ("channel", "bird", "Bird", "normalised"),
            ("channel", "\ufeffEmail", "Email", "normalised"),
            ("topic", "side effects  discussion", "Side Effects Discussion", "normalised"),
            ("sentiment", " negative", "Negative", "normalised"),
            ("sentiment", "Mixed", None, "unrecognised_sentiment"),
        ],
    )
    def test_each_change_beyond_trimming_is_named_by_its_rule(self, column, value, expected, rule):
        cleaned = clean(raw_sheets(interactions=[interaction(**{column: value})]))
        assert repairs_of(cleaned, column) == [(value.strip(), expected, rule, 1, 2)]

    @pytest.mark.parametrize("value", ["Email", "  Email ", "\tEmail\n", None, "", "   "])
    def test_trimming_alone_or_an_empty_cell_is_not_a_repair(self, value):
        cleaned = clean(raw_sheets(interactions=[interaction(channel=value)]))
        assert cleaned.repairs.empty

    def test_each_sheet_and_text_column_logs_its_own_repairs(self):
        sheets = raw_sheets(
            customers=[customer(occupation="Santa  Claus", type="RED")],
            products=[product(product="widget")],
        )
        repairs = clean(sheets).repairs
        assert list(
            zip(repairs["sheet"], repairs["column"], repairs["cleaned_value"], strict=True)
        ) == [
            ("customers", "occupation", "Santa Claus"),
            ("customers", "type", "Red"),
            ("products", "product", "Widget"),
        ]

    def test_quarantined_rows_are_not_counted_as_repairs(self):
        rows = [interaction(channel="email"), interaction(channel="email", customer_id="x")]
        cleaned = clean(raw_sheets(interactions=rows))
        assert repairs_of(cleaned, "channel") == [("email", "Email", "normalised", 1, 2)]


def sheet_frame(columns: dict[str, np.ndarray], first_row: int) -> pd.DataFrame:
    """Build a reader-shaped sheet: object cells, then int64 source rows from ``first_row``."""
    frame = pd.DataFrame(columns, dtype=object)
    frame["source_row"] = np.arange(first_row, first_row + len(frame), dtype=np.int64)
    return frame


def messy_sheets(rows: int = 400, seed: int = 7) -> dict[str, pd.DataFrame]:
    """Draw sheets whose cells mix every kind of valid, invalid and repeated value."""
    rng = np.random.default_rng(seed)

    def draw(*choices):
        pool = np.empty(len(choices), dtype=object)
        pool[:] = choices
        return pool[rng.integers(0, len(choices), rows)]

    ids = draw("1", " 2 ", 3.0, "4.0", 5, "0", "-3", "abc", None, "", 2**40, True, "1.5")
    native_dates = (dt.datetime(2020, 1, 2), dt.date(2020, 1, 3), pd.Timestamp("2020-01-04"))
    dates = draw("04/10/2019", "4/3/2020 9:05", "2020-03-04T09:05", *native_dates,
                 "31/02/2020", "yesterday", None, "", 43831.0, " 2020-01-01 ")  # fmt: skip
    texts = draw("Email", " e-mail", "PHONE", "bird", "Mixed", " negative", "\ufeff", None, "", 7)
    months = draw("03-2021", "3-2021", "2021-03", "13-2021", dt.date(2021, 4, 9), None, "March")
    interactions = {
        "date_start": dates,
        "channel": texts,
        "customer_id": ids[::-1],
        "topic": texts[::-1],
        "sentiment": draw("Positive", "neutral ", "Mixed", None, "Mixed " * 60),
    }
    return {
        "customers": sheet_frame(
            {"customer_id": ids, "occupation": texts, "type": texts[::-1]}, first_row=2
        ),
        # Shuffled, with a scrambled index: only source_row may decide which row comes first.
        "interactions": sheet_frame(interactions, first_row=10).sample(frac=1, random_state=seed),
        "products": sheet_frame({"month": months, "product": texts}, first_row=5),
    }


class TestNothingIsLost:
    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_every_source_row_is_either_clean_or_quarantined_exactly_once(self, seed):
        raw = messy_sheets(seed=seed)
        cleaned = clean(raw)
        for sheet in SHEETS:
            kept = getattr(cleaned, CLEAN_FRAME[sheet])["source_row"].tolist()
            held = cleaned.quarantine.loc[
                cleaned.quarantine["sheet"] == sheet, "source_row"
            ].tolist()
            assert len(kept) + len(held) == len(raw[sheet])
            assert sorted(kept + held) == sorted(raw[sheet]["source_row"])

    def test_the_messy_sheets_exercise_every_reason(self):
        assert set(clean(messy_sheets()).quarantine["reason"]) == set(QUARANTINE_REASONS)

    def test_the_input_frames_are_left_unchanged(self):
        raw = messy_sheets()
        before = {sheet: frame.copy() for sheet, frame in raw.items()}
        clean(raw)
        for sheet in SHEETS:
            pd.testing.assert_frame_equal(raw[sheet], before[sheet])


EXPECTED_DTYPES = {
    "customers": {
        "customer_id": "int64",
        "occupation": "object",
        "customer_type": "object",
        "source_row": "int64",
    },
    "interactions": {
        "occurred_at": "datetime64[us]",
        "customer_id": "int64",
        "channel": "object",
        "topic": "object",
        "sentiment": "object",
        "source_row": "int64",
    },
    "product_months": {"month": "datetime64[us]", "product": "object", "source_row": "int64"},
    "quarantine": {"sheet": "str", "source_row": "int64", "reason": "str", "original": "str"},
    "repairs": {
        "sheet": "str",
        "column": "str",
        "original_value": "str",
        "cleaned_value": "object",
        "rule": "str",
        "row_count": "int64",
        "first_source_row": "int64",
    },
}


class TestOutputShape:
    @pytest.mark.parametrize("sheets", [messy_sheets(), raw_sheets()], ids=["messy", "empty"])
    @pytest.mark.parametrize("frame", list(EXPECTED_DTYPES))
    def test_each_frame_has_exactly_the_contract_columns_and_dtypes(self, sheets, frame):
        dtypes = getattr(clean(sheets), frame).dtypes
        assert {name: str(dtype) for name, dtype in dtypes.items()} == EXPECTED_DTYPES[frame]
        assert list(dtypes.index) == list(EXPECTED_DTYPES[frame])

    def test_missing_text_is_none_not_nan(self):
        cleaned = clean(messy_sheets())
        for frame, column in [
            ("customers", "occupation"),
            ("interactions", "channel"),
            ("repairs", "cleaned_value"),
        ]:
            values = getattr(cleaned, frame)[column]
            assert all(value is None or isinstance(value, str) for value in values)
            assert any(value is None for value in values)

    def test_clean_frames_are_sorted_by_source_row(self):
        cleaned = clean(messy_sheets())
        for frame in CLEAN_FRAME.values():
            source_rows = getattr(cleaned, frame)["source_row"]
            assert source_rows.is_monotonic_increasing and len(source_rows) > 1


class TestDeterminism:
    def test_the_same_input_gives_equal_output(self):
        first, second = clean(messy_sheets()), clean(messy_sheets())
        for frame in EXPECTED_DTYPES:
            pd.testing.assert_frame_equal(getattr(first, frame), getattr(second, frame))


class TestConstants:
    def test_sheets_and_sentiments_are_the_documented_ones(self):
        assert SHEETS == ("customers", "interactions", "products")
        assert SENTIMENTS == ("Positive", "Neutral", "Negative")

    def test_channel_synonyms_are_keyed_by_lower_case_spelling(self):
        assert all(spelling == spelling.lower() for spelling in CHANNEL_SYNONYMS)
        assert set(CHANNEL_SYNONYMS.values()) == {"Email", "Call", "Chatbot", "Post"}
