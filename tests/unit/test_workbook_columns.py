"""The column reader gives the cells, clean rows and quarantine reasons pandas' reader gave.

The expectation is computed with ``pd.read_excel`` as ingestion called it before the column
reader (calamine engine, every row from A1, no type inference, "N/A" kept as text), never
with the code under test.
"""

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from pipelines.ingestion import synthetic, workbook
from pipelines.ingestion.cleaning import clean
from pipelines.ingestion.rules import parse_customer_id, parse_customer_ids
from pipelines.ingestion.sources import (
    HEADER_SEARCH_ROWS,
    SHEET_ALIASES,
    canonical_sheet,
    normalise_name,
    read_source,
)

SAMPLE = Path(__file__).resolve().parents[2] / "artifacts" / "data" / "sample_export.xlsx"


def pandas_grid(path: Path, sheet: str) -> list[list[object]]:
    """Read a sheet the way ingestion did before: pd.read_excel, rows of untouched cells."""
    grid = pd.read_excel(
        path, sheet_name=sheet, header=None, dtype=object, keep_default_na=False,
        engine="calamine",
    )  # fmt: skip
    return grid.to_numpy(dtype=object).tolist()


def column_grid(path: Path, sheet: str) -> list[list[object]]:
    """Read a sheet with the column reader and turn it back into rows."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    try:
        columns = workbook.sheet_columns(book, sheet)
    finally:
        book.close()
    return workbook.top_rows(columns, len(columns[0]) if columns else 0)


def typed(rows: list[list[object]]) -> list[list[tuple[str, object]]]:
    """Pair each cell with its type's name, so 1, 1.0 and True stay apart."""
    return [[(type(cell).__name__, cell) for cell in row] for row in rows]


def trimmed(rows: list[list[object]]) -> list[list[object]]:
    """Drop the empty columns left of the sheet's first filled one, which pandas padded in."""
    width = len(rows[0]) if rows else 0
    lead = next((i for i in range(width) if any(row[i] != "" for row in rows)), width)
    return [row[lead:] for row in rows]


def sheet_names(path: Path) -> list[str]:
    with pd.ExcelFile(path, engine="calamine") as book:
        return list(book.sheet_names)


def oracle_sheets(path: Path) -> dict[str, pd.DataFrame]:
    """Build the raw sheets from pandas' grid, header row chosen as ingestion chooses it."""
    names = {normalise_name(n): n for n in sheet_names(path)}
    sheets = {}
    for sheet, aliases in SHEET_ALIASES.items():
        actual = next(names[a] for a in aliases if a in names)
        top = pandas_grid(path, actual)
        header = max(
            range(min(HEADER_SEARCH_ROWS, len(top))),
            key=lambda i: (sum(normalise_name(c) in _ALIASES[sheet] for c in top[i]), -i),
        )
        frame = pd.DataFrame(top[header + 1 :], dtype=object).set_axis(top[header], axis=1)
        sheets[sheet] = canonical_sheet(sheet, frame, actual, above=top[:header])
    return sheets


_ALIASES = {
    "customers": {"customer_id", "occupation", "type"},
    "interactions": {"date_start", "interaction", "customers", "topic", "sentiment"},
    "products": {"date", "product"},
}


def hostile_workbook(path: Path) -> Path:
    """Write a workbook with every awkward cell a person or a tool can leave in an export."""
    book = xlsxwriter.Workbook(str(path))
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    clock = book.add_format({"num_format": "hh:mm"})
    customers = book.add_worksheet("Customers")
    customers.write(0, 1, "Export of 30 November")  # a title above the header, column A empty
    customers.write_row(2, 1, ["Customer Id", "Occupation", "Type"])
    rows = [
        [1, "Jedi", "Red"], ["2", "Batman", True], [3.5, 7, 43832.25], [4.0, "x", None],
        ["", "", ""], [" 5 ", "  Mover ", "Orange"], [5, "Farmer", "orange"], [1e300, "N/A", -3],
        ["0012", "NULL", "blue"], [False, "", 0],
    ]  # fmt: skip
    for offset, row in enumerate(rows):
        customers.write_row(3 + offset + offset // 3, 1, row)  # a blank row every third
    customers.write(16, 4, "stray note beside the table")
    interactions = book.add_worksheet("External interactions")
    interactions.merge_range(0, 0, 0, 4, "Merged title over the header")
    interactions.write_row(1, 0, ["Date Start", "Interaction", "Customers", "Topic", "Sentiment"])
    interactions.write_datetime(2, 0, dt.datetime(2020, 3, 7, 10, 0, 0, 123000), stamp)
    interactions.write_row(2, 1, ["Email", 1, "Drug Efficacy", "Positive"])
    interactions.write_number(3, 0, 43900.5)  # a date as a bare Excel serial
    interactions.write_row(3, 1, ["Call", 2.0, 3, "neg"])
    interactions.write_string(4, 0, "07/03/2020 10:00")
    interactions.write_row(4, 1, ["phone", "2", None, False])
    interactions.write_formula(5, 0, "=1+1")
    interactions.write_row(5, 1, ["Post", 1e300, "T", "Neutral"])
    interactions.write_datetime(6, 0, dt.datetime(2020, 3, 7), day)
    interactions.write_row(6, 1, ["Post", -3, "T", "Neutral"])
    interactions.write_datetime(7, 0, dt.datetime(1899, 12, 31, 10, 30), clock)
    interactions.write_row(9, 0, ["7 Mar 2020 10:00", "E\u200bmail", "3", "x" * 400, "POSITIVE"])
    interactions.write_row(10, 0, ["2020-02-30 10:00", "Email", "1", "T", "Positive"])
    interactions.write_row(11, 0, ["2020-03-07 10:00", "Email", "1", "Drug Efficacy", "Positive"])
    products = book.add_worksheet("Products")
    products.write_row(0, 0, ["Date", "Product"])
    products.write_row(1, 0, ["01-2019", "Sand"])
    products.write_datetime(2, 0, dt.datetime(2019, 2, 1), day)
    products.write(2, 1, "Sand")
    products.write_row(3, 0, [43500, 1.5])
    products.write_row(4, 0, ["2019-04", ""])
    products.write_row(5, 0, ["13-2019", "Water"])
    book.close()
    return path


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("workbooks")
    dataset = synthetic.generate_dataset(300, 3000, seed=11, include_brief_examples=True)
    generated = synthetic.write_dataset(dataset, folder / "generated.xlsx", "xlsx")[0]
    return {
        "hostile": hostile_workbook(folder / "hostile.xlsx"),
        "sample": SAMPLE,
        "generated": generated,
    }


@pytest.mark.parametrize("name", ["hostile", "sample", "generated"])
class TestSameAsPandas:
    def test_every_cell_has_the_value_and_type_pandas_gave(self, workbooks, name):
        path = workbooks[name]
        for sheet in sheet_names(path):
            expected = trimmed(pandas_grid(path, sheet))
            assert typed(trimmed(column_grid(path, sheet))) == typed(expected), sheet

    def test_clean_rows_quarantine_and_repairs_are_the_same(self, workbooks, name):
        expected = clean(oracle_sheets(workbooks[name]))
        actual = clean(read_source(workbooks[name]).sheets)
        for part in ("customers", "interactions", "product_months", "quarantine", "repairs"):
            pd.testing.assert_frame_equal(getattr(actual, part), getattr(expected, part))


def test_the_hostile_workbook_quarantines_for_the_expected_reasons(workbooks):
    quarantine = clean(read_source(workbooks["hostile"]).sheets).quarantine
    reasons = set(zip(quarantine["sheet"], quarantine["reason"], strict=True))
    assert {
        ("customers", "invalid_customer_id"),
        ("customers", "conflicting_duplicate"),
        ("interactions", "invalid_date"),
        ("interactions", "value_too_long"),
        ("products", "invalid_month"),
        ("products", "missing_product"),
    } <= reasons


def test_cells_split_across_blocks_read_as_in_one(workbooks, monkeypatch):
    path = workbooks["hostile"]
    whole = {s: typed(column_grid(path, s)) for s in ("Customers", "External interactions")}
    monkeypatch.setattr(workbook, "BLOCK_ROWS", 2)
    assert {s: typed(column_grid(path, s)) for s in whole} == whole


def test_an_empty_sheet_reads_as_no_columns(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "empty.xlsx"))
    book.add_worksheet("Customers")
    book.close()
    assert column_grid(tmp_path / "empty.xlsx", "Customers") == []


def test_customer_ids_parse_as_the_single_cell_rule_does():
    cells = np.array(
        ["12", "012", "1234567890", "999999999", " 5", "5.0", "x", "", None, 3, 3.0, True,
         "\u0663", "2147483647", "2147483648", "1e3", "00", "+7", "7\u200b", 2.5, np.nan],
        dtype=object,
    )  # fmt: skip
    is_text = np.array([isinstance(cell, str) for cell in cells])
    expected = [parse_customer_id(cell) for cell in cells]
    assert parse_customer_ids(cells, is_text).tolist() == expected


def write_column(path: Path, texts: list[str]) -> None:
    """Write one sheet, Customers, with the texts in column A from A1."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Customers")
    for row, text in enumerate(texts):
        sheet.write_string(row, 0, text)
    book.close()


def test_repeated_texts_of_a_block_share_one_object(tmp_path, monkeypatch):
    texts = ["Email", "Email", "Call", "Call", "Email", "Email", "Email", "Call"]
    write_column(tmp_path / "book.xlsx", texts)
    monkeypatch.setattr(workbook, "BLOCK_ROWS", 4)
    (column,) = read_columns(tmp_path / "book.xlsx")
    assert column.tolist() == texts
    assert column[0] is column[1] and column[2] is column[3]
    assert column[4] is column[5] is column[6]


def test_a_column_found_mostly_distinct_is_no_longer_factorized(tmp_path, monkeypatch):
    # The first block is all distinct (dates, say): the later ones are left as read.
    texts = ["a1", "a2", "a3", "a4", "b", "b", "b", "b"]
    write_column(tmp_path / "book.xlsx", texts)
    monkeypatch.setattr(workbook, "BLOCK_ROWS", 4)
    factorized = []
    real = pd.factorize
    monkeypatch.setattr(workbook.pd, "factorize", lambda v: factorized.append(len(v)) or real(v))
    (column,) = read_columns(tmp_path / "book.xlsx")
    assert column.tolist() == texts
    assert factorized == [4]


def read_columns(path: Path) -> list[np.ndarray]:
    return workbook.sheet_columns(CalamineWorkbook.from_path(str(path)), "Customers")
