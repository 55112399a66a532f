"""The header row is found below title and blank lines, and rows keep the file's own numbers."""

from pathlib import Path

import pandas as pd
import pytest

from pipelines.ingestion.cleaning import clean
from pipelines.ingestion.sources import HEADER_SEARCH_ROWS, read_source
from repository.errors import InvalidInput
from tests.unit.test_sources import BRIEF_SHEETS, TestReadCsvFolder, write_csv_folder


def workbook_with_titles(
    path: Path,
    titles: dict[str, list[str]],
    start_column: int = 0,
    sheets: dict[str, pd.DataFrame] = BRIEF_SHEETS,
) -> Path:
    """Write ``sheets`` (the brief's) with ``titles[sheet]`` as lines above each header row."""
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        for name, frame in sheets.items():
            lines = titles.get(name, [])
            frame.to_excel(
                writer, sheet_name=name, index=False, startrow=len(lines), startcol=start_column
            )
            for row, line in enumerate(lines):
                writer.sheets[name].write(row, 0, line)  # "" leaves the row blank
    return path


def csv_with_titles(folder: Path, name: str, lines: list[str]) -> Path:
    """Write the brief's CSV folder with ``lines`` above the header of file ``name``."""
    write_csv_folder(folder, TestReadCsvFolder.FILES)
    path = folder / name
    path.write_text("".join(f"{line}\n" for line in lines) + path.read_text())
    return folder


class TestWorkbookHeaderRow:
    def test_a_title_and_a_blank_line_above_the_header_are_skipped(self, tmp_path):
        titles = {"External interactions": ["Interactions export, March", ""]}
        source = read_source(workbook_with_titles(tmp_path / "x.xlsx", titles))
        interactions = source.sheets["interactions"]
        assert interactions["channel"].tolist() == ["Email", "Call"]
        assert interactions["source_row"].tolist() == [4, 5]
        assert interactions.attrs["rows_above_header"] == [["Interactions export, March"], []]

    def test_a_header_on_the_first_row_skips_nothing(self, tmp_path):
        source = read_source(workbook_with_titles(tmp_path / "x.xlsx", {}))
        assert source.sheets["customers"]["source_row"].tolist() == [2, 3]
        assert source.sheets["customers"].attrs["rows_above_header"] == []

    def test_a_title_naming_a_column_does_not_pass_for_the_header(self, tmp_path):
        titles = {"External interactions": ["Customers", "Customers and their interactions"]}
        source = read_source(workbook_with_titles(tmp_path / "x.xlsx", titles))
        assert source.sheets["interactions"]["customer_id"].tolist() == ["1", "4"]
        assert source.sheets["interactions"]["source_row"].tolist() == [4, 5]

    def test_a_table_starting_in_column_b_is_found(self, tmp_path):
        source = read_source(workbook_with_titles(tmp_path / "x.xlsx", {}, start_column=1))
        assert source.sheets["customers"]["occupation"].tolist() == ["Jedi", "Batman"]

    def test_a_header_below_the_search_rows_is_not_found(self, tmp_path):
        titles = {"Customers": ["Notes"] * HEADER_SEARCH_ROWS}
        with pytest.raises(InvalidInput, match="'Customers': missing column customer_id"):
            read_source(workbook_with_titles(tmp_path / "x.xlsx", titles))

    def test_the_skipped_rows_are_logged_as_a_repair(self, tmp_path):
        titles = {"Customers": ["Customer list", "exported 2024-01-05", ""]}
        source = read_source(workbook_with_titles(tmp_path / "x.xlsx", titles))
        repairs = clean(source.sheets).repairs
        logged = repairs[repairs["rule"] == "rows_above_header"]
        assert logged[
            ["sheet", "column", "original_value", "row_count", "first_source_row"]
        ].to_dict("records") == [
            {
                "sheet": "customers",
                "column": "header",
                "original_value": "Customer list | exported 2024-01-05",
                "row_count": 3,
                "first_source_row": 1,
            }
        ]


class TestCsvHeaderRow:
    def test_a_title_line_with_fewer_fields_and_a_blank_line_are_skipped(self, tmp_path):
        folder = csv_with_titles(tmp_path / "csv", "interactions.csv", ["Export of 2024", ""])
        interactions = read_source(folder).sheets["interactions"]
        assert interactions["customer_id"].tolist() == ["1", "4"]
        assert interactions["source_row"].tolist() == [4, 5]

    def test_a_quoted_line_break_above_the_header_counts_as_one_row(self, tmp_path):
        folder = csv_with_titles(tmp_path / "csv", "customers.csv", ['"Customers\nall of them"'])
        customers = read_source(folder).sheets["customers"]
        assert customers["customer_id"].tolist() == ["1", "2"]
        assert customers["source_row"].tolist() == [3, 4]

    def test_a_nul_in_a_title_line_does_not_stop_the_search(self, tmp_path):
        folder = csv_with_titles(tmp_path / "csv", "products.csv", ["Prod\x00ucts"])
        products = read_source(folder).sheets["products"]
        assert products["source_row"].tolist() == [3]
        assert products.attrs["rows_above_header"] == [["Prod\u2400ucts"]]

    def test_the_other_files_keep_their_numbers(self, tmp_path):
        folder = csv_with_titles(tmp_path / "csv", "products.csv", ["Products", ""])
        source = read_source(folder)
        assert source.sheets["customers"]["source_row"].tolist() == [2, 3]
        assert source.sheets["products"]["source_row"].tolist() == [4]

    def test_two_columns_of_one_name_keep_the_first(self, tmp_path):
        folder = write_csv_folder(tmp_path / "csv", TestReadCsvFolder.FILES)
        (folder / "customers.csv").write_text("Customer Id,Type,Occupation,Type\n1,Red,Jedi,Blue\n")
        assert read_source(folder).sheets["customers"]["type"].tolist() == ["Red"]


class TestWithoutProcFileNames:
    def test_the_open_file_itself_is_read_where_the_system_names_none(self, tmp_path, monkeypatch):
        monkeypatch.setattr("pipelines.ingestion.sources.reopenable", lambda handle: handle)
        folder = csv_with_titles(tmp_path / "csv", "interactions.csv", ["Export of 2024", ""])
        workbook = workbook_with_titles(tmp_path / "x.xlsx", {"Customers": ["Customer list"]})
        assert read_source(folder).sheets["interactions"]["source_row"].tolist() == [4, 5]
        assert read_source(workbook).sheets["customers"]["source_row"].tolist() == [3, 4]
