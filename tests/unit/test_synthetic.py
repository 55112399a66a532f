import re
from datetime import datetime

import pandas as pd
import pytest

from pipelines.ingestion.synthetic import (
    CSV_NAMES,
    HEADERS,
    SHEET_NAMES,
    XLSX_MAX_ROWS,
    generate_dataset,
    write_dataset,
)

CHANNELS = {"Email", "Call", "Chatbot", "Bird", "Boat", "Post"}
TYPES = {"Red", "Orange", "Blue"}
SENTIMENTS = {"Positive", "Neutral", "Negative"}
CLEAN_DATE = r"\d\d/\d\d/\d{4} \d\d:\d\d"


@pytest.fixture(scope="module")
def dataset():
    return generate_dataset(40, 400, seed=7)


@pytest.fixture(scope="module")
def with_brief():
    return generate_dataset(40, 400, seed=7, include_brief_examples=True)


def some(series, predicate):
    return any(predicate(value) for value in series)


def is_impossible_date(value):
    if not re.fullmatch(CLEAN_DATE, value):
        return False
    try:
        datetime.strptime(value, "%d/%m/%Y %H:%M")
    except ValueError:
        return True
    return False


def month_of(value):
    for pattern in ("%m-%Y", "%Y-%m"):
        try:
            return datetime.strptime(value, pattern).strftime("%Y-%m")
        except ValueError:
            pass
    return None


class TestDeterminism:
    def test_the_same_seed_gives_identical_frames(self, dataset):
        again = generate_dataset(40, 400, seed=7)
        for key, frame in dataset.items():
            pd.testing.assert_frame_equal(again[key], frame)

    def test_a_different_seed_gives_different_frames(self, dataset):
        other = generate_dataset(40, 400, seed=8)
        for key, frame in dataset.items():
            assert not other[key].equals(frame), key


class TestShape:
    @pytest.mark.parametrize(
        ("customers", "interactions", "brief"),
        [(1, 0, False), (1, 1, False), (3, 5, False), (40, 400, False), (4, 4, True), (9, 7, True)],
    )
    def test_row_counts_are_exact_including_repeats_defects_and_brief_rows(
        self, customers, interactions, brief
    ):
        frames = generate_dataset(customers, interactions, 1, include_brief_examples=brief)
        assert len(frames["customers"]) == customers
        assert len(frames["interactions"]) == interactions
        # One row per month of 2019-2024, give or take the missing, repeated and invalid ones.
        assert 60 <= len(frames["products"]) <= 80

    def test_columns_follow_the_source_headers(self, dataset):
        assert {key: list(frame.columns) for key, frame in dataset.items()} == HEADERS

    def test_every_cell_is_a_string(self, dataset):
        for frame in dataset.values():
            assert all(isinstance(cell, str) for cell in frame.to_numpy().ravel())

    @pytest.mark.parametrize(
        ("customers", "interactions", "brief"), [(-1, 0, False), (3, 10, True), (0, 5, False)]
    )
    def test_impossible_sizes_are_rejected(self, customers, interactions, brief):
        with pytest.raises(ValueError):
            generate_dataset(customers, interactions, 1, include_brief_examples=brief)


class TestBriefExamples:
    def test_the_brief_examples_come_first_exactly_as_written(self, with_brief):
        assert with_brief["customers"].head(4).values.tolist() == [
            ["1", "Jedi", "Red"],
            ["2", "Batman", "Orange"],
            ["3", "Santa Claus", "Blue"],
            ["4", "Mover", "Orange"],
        ]
        assert with_brief["interactions"].head(4).values.tolist() == [
            ["04/10/2019 09:00", "Email", "1", "Drug Interaction Concerns", "Negative"],
            ["11/02/2020 16:10", "Call", "4", "Side Effects Discussion", "Positive"],
            ["05/03/2020 11:23", "Bird", "4", "Drug Efficacy", "Positive"],
            ["11/02/2020 16:24", "Call", "5", "Prescription Guidelines", "Positive"],
        ]
        assert with_brief["products"].head(4).values.tolist() == [
            [f"0{month}-2019", "Sand"] for month in range(1, 5)
        ]

    def test_generated_customers_take_none_of_the_ids_one_to_five(self, with_brief):
        generated = with_brief["customers"]["Customer Id"].iloc[4:]
        ids = set(generated.str.strip().str.removesuffix(".0"))
        assert ids.isdisjoint({"1", "2", "3", "4", "5"})


class TestDefects:
    @pytest.mark.parametrize(
        "sheet, column", [("customers", "Customer Id"), ("interactions", "Customers")]
    )
    @pytest.mark.parametrize(
        "defect",
        [
            lambda v: v != v.strip() and v.strip().isdigit(),
            lambda v: re.fullmatch(r"\d+\.0", v),
            lambda v: v != "" and not re.fullmatch(r"-?\d+(\.0)?", v.strip()),
            lambda v: v == "",
            lambda v: v == "0",
            lambda v: re.fullmatch(r"-\d+", v),
        ],
        ids=["whitespace", "zero fraction", "junk", "empty", "zero", "negative"],
    )
    def test_customer_ids_carry_each_defect(self, dataset, sheet, column, defect):
        assert some(dataset[sheet][column], defect)

    def test_some_interactions_refer_to_customers_missing_from_the_customer_sheet(self, dataset):
        known = set(dataset["customers"]["Customer Id"])
        referred = dataset["interactions"]["Customers"]
        assert some(referred, lambda v: v.isdigit() and v != "0" and v not in known)

    @pytest.mark.parametrize(
        "defect",
        [
            lambda v: re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", v),
            lambda v: re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", v),
            lambda v: (
                re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d", v)
                and not re.fullmatch(CLEAN_DATE, v)
            ),
            lambda v: re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", v),
            is_impossible_date,
            lambda v: v != "" and not re.search(r"\d", v),
            lambda v: v == "",
        ],
        ids=["iso", "iso with T", "single digits", "seconds", "impossible", "junk", "empty"],
    )
    def test_dates_carry_each_defect(self, dataset, defect):
        assert some(dataset["interactions"]["Date Start"], defect)

    @pytest.mark.parametrize(
        ("column", "defect"),
        [
            ("Interaction", lambda v: v not in CHANNELS and v in {c.lower() for c in CHANNELS}),
            ("Interaction", lambda v: v not in CHANNELS and v in {c.upper() for c in CHANNELS}),
            (
                "Interaction",
                lambda v: v in {"e-mail", "E-mail", "phone", "telephone", "letter", "chat bot"},
            ),
            ("Interaction", lambda v: v != v.strip(" ")),
            ("Interaction", lambda v: v.startswith("\ufeff")),
            ("Interaction", lambda v: v == ""),
            ("Topic", lambda v: "  " in v.strip()),
            ("Topic", lambda v: v != v.strip(" ")),
            ("Topic", lambda v: v == ""),
            ("Sentiment", lambda v: v == "Mixed"),
            ("Sentiment", lambda v: v.strip() not in SENTIMENTS and v.title() in SENTIMENTS),
            ("Sentiment", lambda v: v == ""),
        ],
    )
    def test_interaction_text_carries_each_defect(self, dataset, column, defect):
        assert some(dataset["interactions"][column], defect)

    def test_customer_types_come_in_other_cases_too(self, dataset):
        assert some(dataset["customers"]["Type"], lambda v: v not in TYPES and v.title() in TYPES)

    def test_some_interaction_rows_are_exact_duplicates(self, dataset):
        assert dataset["interactions"].duplicated().any()

    def test_some_customers_repeat_identically_and_some_with_other_details(self, dataset):
        customers = dataset["customers"]
        assert customers.duplicated().any()
        details = customers.drop_duplicates().groupby("Customer Id").size()
        assert (details > 1).any()

    @pytest.mark.parametrize(
        "defect",
        [
            lambda v: re.fullmatch(r"\d-\d{4}", v),
            lambda v: re.fullmatch(r"\d{4}-\d\d", v),
            lambda v: v.startswith("13-"),
        ],
        ids=["single digit month", "iso month", "month thirteen"],
    )
    def test_product_months_carry_each_defect(self, dataset, defect):
        assert some(dataset["products"]["Date"], defect)

    def test_products_have_blanks_gaps_and_repeated_months(self, dataset):
        products = dataset["products"]
        assert (products["Product"] == "").any()
        months = {month_of(value) for value in products["Date"]} - {None}
        assert len(months) < 72
        assert products.duplicated().any()
        assert (products.drop_duplicates().groupby("Date").size() > 1).any()


class TestRealism:
    def test_the_clean_majority_is_formatted_like_the_source(self, dataset):
        interactions = dataset["interactions"]
        assert interactions["Date Start"].str.fullmatch(CLEAN_DATE).mean() > 0.9
        assert interactions["Customers"].str.fullmatch(r"[1-9]\d*").mean() > 0.9
        assert interactions["Interaction"].isin(CHANNELS).mean() > 0.9
        assert dataset["products"]["Date"].str.fullmatch(r"\d\d-\d{4}").mean() > 0.9

    def test_activity_channels_and_types_are_uneven(self):
        frames = generate_dataset(200, 4000, seed=3)
        per_customer = frames["interactions"]["Customers"].value_counts()
        assert per_customer.head(20).sum() > 0.3 * per_customer.sum()
        channels = frames["interactions"]["Interaction"].value_counts()
        assert channels["Email"] > 2 * channels["Boat"]
        types = frames["customers"]["Type"].value_counts()
        assert types["Red"] > types["Blue"]


class TestWriteDataset:
    def test_csv_writes_three_files_that_read_back_equal(self, dataset, tmp_path):
        paths = write_dataset(dataset, tmp_path / "out", "csv")
        assert paths == [tmp_path / "out" / name for name in CSV_NAMES.values()]
        for key, path in zip(CSV_NAMES, paths, strict=True):
            back = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
            pd.testing.assert_frame_equal(back, dataset[key])

    def test_csv_files_are_byte_identical_for_the_same_arguments(self, tmp_path):
        first = write_dataset(generate_dataset(20, 50, 5), tmp_path / "a", "csv")
        second = write_dataset(generate_dataset(20, 50, 5), tmp_path / "b", "csv")
        assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]

    def test_xlsx_writes_one_workbook_whose_sheets_read_back_equal(self, dataset, tmp_path):
        path = tmp_path / "source.xlsx"
        assert write_dataset(dataset, path, "xlsx") == [path]
        # Without keep_default_na=False, pandas would read the junk "n/a" cells as missing.
        sheets = pd.read_excel(
            path, sheet_name=None, engine="calamine", dtype=str, keep_default_na=False
        )
        assert list(sheets) == list(SHEET_NAMES.values())
        for key, name in SHEET_NAMES.items():
            pd.testing.assert_frame_equal(sheets[name], dataset[key])

    def test_xlsx_files_are_byte_identical_for_the_same_dataset(self, dataset, tmp_path):
        first = write_dataset(dataset, tmp_path / "a.xlsx", "xlsx")[0]
        second = write_dataset(dataset, tmp_path / "b.xlsx", "xlsx")[0]
        assert first.read_bytes() == second.read_bytes()

    def test_xlsx_refuses_more_rows_than_a_sheet_holds(self, dataset, tmp_path):
        huge = {**dataset, "interactions": pd.DataFrame(index=range(XLSX_MAX_ROWS))}
        with pytest.raises(ValueError, match="interactions"):
            write_dataset(huge, tmp_path / "huge.xlsx", "xlsx")
        assert not (tmp_path / "huge.xlsx").exists()

    def test_an_unknown_format_raises_value_error(self, dataset, tmp_path):
        with pytest.raises(ValueError, match="parquet"):
            write_dataset(dataset, tmp_path / "out", "parquet")
