"""Messier real exports load with the right rows: titles above headers, hidden characters, month
names, long cells; every change is in the repairs log and every refusal in the quarantine."""

import random
import re

import pandas as pd
import pytest

from pipelines.ingestion.cleaning import QUARANTINE_REASONS
from tests.support import CommandLine, make_app, query
from tests.unit.test_header_row import workbook_with_titles

CUSTOMERS = pd.DataFrame(
    [["1", "Jedi", "Red"], ["2", "Bat\u200bman", "Orange"]],
    columns=["Customer Id", "Occupation", "Type"],
)
# Rows 4 to 9 of the sheet: a title line and a blank line sit above the header on row 3.
INTERACTIONS = pd.DataFrame(
    [
        ["7 Mar 2020 10:00", "E\u200bmail", "1", "Drug Efficacy", "Positive"],  # 4
        ["March 8, 2020", "e-mail", "2", "Dosage", "neu\u00adtral"],  # 5
        ["Sat 7 March 2020 2:30 pm", "Call", "1", "Drug Efficacy", "Negative"],  # 6
        ["7 Mar 20", "Call", "2", "Dosage", "Negative"],  # 7: which is the year?
        ["04/10/2019 09:00", "Call", "1", "x" * 301, "Positive"],  # 8: too long
        ["Mon 9 March 2020", "\u2060Email", "2", "Dosage", ""],  # 9
    ],
    columns=["Date Start", "Interaction", "Customers", "Topic", "Sentiment"],
)
PRODUCTS = pd.DataFrame([["03-2020", "Sand"]], columns=["Date", "Product"])


def interactions(url: str) -> list[tuple]:
    return query(
        url,
        "SELECT to_char(occurred_at, 'YYYY-MM-DD HH24:MI'), customer_id, channel, topic, "
        "sentiment FROM insights.interactions ORDER BY occurred_at",
    )


def repairs(url: str) -> set[tuple]:
    return set(
        query(
            url,
            "SELECT sheet, column_name, original_value, cleaned_value, rule, row_count, "
            "first_source_row FROM insights.data_quality_log",
        )
    )


@pytest.fixture
def messy_workbook(tmp_path):
    sheets = {
        "Customers": CUSTOMERS,
        "External interactions": INTERACTIONS,
        "Products of discussion": PRODUCTS,
    }
    titles = {"External interactions": ["Interactions, exported 2020-03-10", ""]}
    return workbook_with_titles(tmp_path / "messy.xlsx", titles, sheets=sheets)


class TestAMessyWorkbook:
    def test_it_loads_with_the_right_rows(self, messy_workbook, insights, database_url):
        result = insights("ingest", str(messy_workbook))
        assert result.exit_code == 0, result.output
        assert interactions(database_url) == [
            ("2020-03-07 10:00", 1, "Email", "Drug Efficacy", "Positive"),
            ("2020-03-07 14:30", 1, "Call", "Drug Efficacy", "Negative"),
            ("2020-03-08 00:00", 2, "Email", "Dosage", "Neutral"),
            ("2020-03-09 00:00", 2, "Email", "Dosage", None),
        ]
        assert query(database_url, "SELECT occupation FROM insights.customers ORDER BY 1") == [
            ("Batman",),
            ("Jedi",),
        ]

    def test_refused_rows_keep_their_row_numbers_and_reasons(
        self, messy_workbook, insights, database_url
    ):
        insights("ingest", str(messy_workbook))
        quarantined = query(
            database_url,
            "SELECT source_row, reason, original->>'topic' FROM insights.quarantine ORDER BY 1",
        )
        assert quarantined == [
            (7, "invalid_date", "Dosage"),
            (8, "value_too_long", "x" * 300 + "… (301 characters)"),
        ]

    def test_each_change_is_logged_and_the_report_says_so(
        self, messy_workbook, insights, database_url
    ):
        output = insights("ingest", str(messy_workbook)).output
        assert repairs(database_url) >= {
            ("interactions", "header", "Interactions, exported 2020-03-10", None,
             "rows_above_header", 2, 1),
            ("interactions", "channel", "E\u200bmail", "Email", "invisible_characters", 1, 4),
            ("interactions", "channel", "\u2060Email", "Email", "invisible_characters", 1, 9),
            ("interactions", "sentiment", "neu\u00adtral", "Neutral", "invisible_characters", 1, 5),
            ("customers", "occupation", "Bat\u200bman", "Batman", "invisible_characters", 1, 3),
        }  # fmt: skip
        assert re.search(r"rows_above_header 2\b", output)
        assert re.search(r"value_too_long 1\b", output)


class TestControlCharactersInACsvExport:
    def test_they_are_removed_and_a_nul_is_stored_as_its_symbol(
        self, tmp_path, insights, database_url
    ):
        folder = tmp_path / "csv"
        folder.mkdir()
        (folder / "customers.csv").write_text(
            "Customer Id,Occupation,Type\n1,Je\x00di,\x1b[1mRed\n"
        )
        (folder / "interactions.csv").write_text(
            "Date Start,Interaction,Customers,Topic\n"
            "04/10/2019 09:00,Em\x00ail,1,Dosage\x07\n"
            "04/10/2019 10:00,Call,1\x00,Dosage\n"
        )
        (folder / "products.csv").write_text("Date,Product\n10-2019,Sa\x00nd\n")
        result = insights("ingest", str(folder))
        assert result.exit_code == 0, result.output
        assert interactions(database_url) == [("2019-10-04 09:00", 1, "Email", "Dosage", None)]
        assert query(database_url, "SELECT occupation, customer_type FROM insights.customers") == [
            ("Jedi", "[1mred")
        ]
        assert query(database_url, "SELECT name FROM insights.products") == [("Sand",)]
        quarantined = query(database_url, "SELECT reason, original FROM insights.quarantine")
        assert [(reason, original["customer_id"]) for reason, original in quarantined] == [
            ("invalid_customer_id", "1\u2400")
        ]
        assert ("channel", "Em\u2400ail", "Email", "control_characters") in {
            row[1:5] for row in repairs(database_url)
        }


class TestCellLimits:
    def test_the_longest_allowed_cells_fit_the_database_in_any_script(
        self, tmp_path, insights, database_url
    ):
        # Random four-byte characters do not compress: the index entries are full size.
        rng = random.Random(11)

        def wide(n=300):
            return "".join(chr(rng.randrange(0x20000, 0x2A6D0)) for _ in range(n))

        folder = tmp_path / "csv"
        folder.mkdir()
        (folder / "customers.csv").write_text(f"Customer Id,Occupation,Type\n1,{wide()},{wide()}\n")
        (folder / "interactions.csv").write_text(
            f"Date Start,Interaction,Customers,Topic,Sentiment\n"
            f"04/10/2019 09:00,{wide()},1,{wide()},Positive\n"
        )
        (folder / "products.csv").write_text(f"Date,Product\n10-2019,{wide()}\n")
        result = insights("ingest", str(folder))
        assert result.exit_code == 0, result.output
        assert query(database_url, "SELECT count(*) FROM insights.interaction_facts") == [(1,)]

    def test_the_configured_limit_reaches_the_command(self, tmp_path, database_url):
        app = make_app(database_url, INGEST_MAX_CELL_CHARS=16)  # as long as the dates
        folder = tmp_path / "csv"
        folder.mkdir()
        (folder / "customers.csv").write_text("Customer Id,Occupation,Type\n1,Jedi,Red\n")
        (folder / "interactions.csv").write_text(
            "Date Start,Interaction,Customers,Topic\n"
            "04/10/2019 09:00,Email,1,Dosage\n"
            "04/10/2019 10:00,Email,1,Side effects discussion\n"
        )
        (folder / "products.csv").write_text("Date,Product\n10-2019,Sand\n")
        try:
            result = CommandLine(app)("ingest", str(folder))
        finally:
            app.extensions["insights"]["repositories"].close()
        assert result.exit_code == 0, result.output
        assert query(database_url, "SELECT source_row, reason FROM insights.quarantine") == [
            (3, "value_too_long")
        ]

    def test_the_file_size_limit_reaches_the_command(self, tmp_path, database_url):
        app = make_app(database_url, INGEST_MAX_FILE_MB=1)
        big = tmp_path / "big.xlsx"
        big.write_bytes(b"\0" * (2 * 2**20))
        try:
            result = CommandLine(app)("ingest", str(big))
        finally:
            app.extensions["insights"]["repositories"].close()
        assert result.exit_code == 2
        assert "2.0 MB, more than the INGEST_MAX_FILE_MB limit of 1 MB" in result.stderr


def test_the_database_accepts_every_quarantine_reason(database_url):
    (check,) = query(
        database_url,
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conname = 'quarantine_reason_check'",
    )[0]
    assert set(re.findall(r"'(\w+)'::text", check)) == set(QUARANTINE_REASONS)
