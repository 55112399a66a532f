"""Reading workbooks and CSV folders into raw sheets, and refusing bad input clearly."""

from pathlib import Path

import pandas as pd
import pytest

from pipelines.ingestion.sources import normalise_name, read_source, source_from_legacy_tables
from repository.errors import InvalidInput

BRIEF_SHEETS = {
    "Customers": pd.DataFrame(
        {"Customer Id": ["1", "2"], "Occupation": ["Jedi", "Batman"], "Type": ["Red", "Orange"]}
    ),
    "External interactions": pd.DataFrame(
        {
            "Date Start": ["04/10/2019 09:00", "11/02/2020 16:10"],
            "Interaction": ["Email", "Call"],
            "Customers": ["1", "4"],
            "Topic": ["Drug Interaction Concerns", "Side Effects Discussion"],
            "Sentiment": ["Negative", "Positive"],
        }
    ),
    "Products of discussion": pd.DataFrame({"Date": ["01-2019"], "Product": ["Sand"]}),
}


def write_workbook(path: Path, sheets: dict[str, pd.DataFrame]) -> Path:
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return path


def write_csv_folder(folder: Path, files: dict[str, pd.DataFrame], bom: bool = False) -> Path:
    folder.mkdir(exist_ok=True)
    for name, frame in files.items():
        frame.to_csv(folder / name, index=False, encoding="utf-8-sig" if bom else "utf-8")
    return folder


class TestNormaliseName:
    @pytest.mark.parametrize(
        "name", ["Customer Id", " customer_id ", "\ufeffCustomer Id", "CUSTOMER  ID", "Customer_Id"]
    )
    def test_spellings_of_one_column_fold_together(self, name):
        assert normalise_name(name) == "customer_id"


class TestReadWorkbook:
    def test_reads_the_three_sheets_under_canonical_columns(self, tmp_path):
        source = read_source(write_workbook(tmp_path / "export.xlsx", BRIEF_SHEETS))
        assert source.kind == "xlsx"
        assert list(source.sheets["customers"].columns) == [
            "customer_id", "occupation", "type", "source_row"
        ]  # fmt: skip
        interactions = source.sheets["interactions"]
        assert list(interactions.columns) == [
            "date_start", "channel", "customer_id", "topic", "sentiment", "source_row"
        ]  # fmt: skip
        assert interactions["channel"].tolist() == ["Email", "Call"]
        assert source.sheets["products"]["month"].tolist() == ["01-2019"]

    def test_rows_are_numbered_as_in_the_spreadsheet(self, tmp_path):
        source = read_source(write_workbook(tmp_path / "export.xlsx", BRIEF_SHEETS))
        assert source.sheets["customers"]["source_row"].tolist() == [2, 3]

    def test_accepts_short_sheet_names_and_legacy_columns(self, tmp_path):
        sheets = {
            " CUSTOMERS ": pd.DataFrame(
                {"Customer_Id": [1], "occupation": ["Jedi"], "type": ["Red"]}
            ),
            "Interactions": pd.DataFrame(
                {"date_start": ["04/10/2019 09:00"], "event": ["Email"], "customers": [1]}
            ),
            "products": pd.DataFrame({"date": ["01-2019"], "product": ["Sand"]}),
        }
        source = read_source(write_workbook(tmp_path / "legacy.xlsx", sheets))
        interactions = source.sheets["interactions"]
        assert interactions["channel"].tolist() == ["Email"]
        assert interactions["topic"].tolist() == [None]
        assert interactions["sentiment"].tolist() == [None]

    def test_native_cells_are_passed_through_untouched(self, tmp_path):
        sheets = dict(BRIEF_SHEETS)
        sheets["Customers"] = pd.DataFrame(
            {"Customer Id": [17.0], "Occupation": ["x"], "Type": ["y"]}
        )
        source = read_source(write_workbook(tmp_path / "native.xlsx", sheets))
        assert source.sheets["customers"]["customer_id"].tolist() == [17.0]

    def test_the_checksum_follows_the_content(self, tmp_path):
        first = read_source(write_workbook(tmp_path / "a.xlsx", BRIEF_SHEETS))
        again = read_source(tmp_path / "a.xlsx")
        changed = dict(BRIEF_SHEETS)
        changed["Products of discussion"] = pd.DataFrame({"Date": ["02-2019"], "Product": ["Sand"]})
        other = read_source(write_workbook(tmp_path / "b.xlsx", changed))
        assert first.checksum == again.checksum != other.checksum
        assert len(first.checksum) == 64


class TestReadCsvFolder:
    FILES = {
        "customers.csv": BRIEF_SHEETS["Customers"],
        "interactions.csv": BRIEF_SHEETS["External interactions"],
        "products.csv": BRIEF_SHEETS["Products of discussion"],
    }

    @pytest.mark.parametrize("bom", [False, True])
    def test_reads_the_three_files_with_or_without_bom(self, tmp_path, bom):
        source = read_source(write_csv_folder(tmp_path / "csv", self.FILES, bom=bom))
        assert source.kind == "csv"
        assert source.sheets["customers"]["customer_id"].tolist() == ["1", "2"]
        assert source.sheets["interactions"]["source_row"].tolist() == [2, 3]

    def test_accepts_singular_file_names(self, tmp_path):
        files = {
            "customer.csv": self.FILES["customers.csv"],
            "interactions.csv": self.FILES["interactions.csv"],
            "product.csv": self.FILES["products.csv"],
        }
        source = read_source(write_csv_folder(tmp_path / "csv", files))
        assert source.sheets["products"]["product"].tolist() == ["Sand"]

    def test_empty_cells_are_read_as_empty_strings_not_nan(self, tmp_path):
        files = dict(self.FILES)
        files["customers.csv"] = pd.DataFrame(
            {"Customer Id": ["1"], "Occupation": [""], "Type": ["Red"]}
        )
        source = read_source(write_csv_folder(tmp_path / "csv", files))
        assert source.sheets["customers"]["occupation"].tolist() == [""]


class TestBadInput:
    def test_a_missing_path_is_named(self, tmp_path):
        with pytest.raises(InvalidInput, match="no such file or folder"):
            read_source(tmp_path / "nope.xlsx")

    def test_a_file_that_is_not_a_workbook(self, tmp_path):
        path = tmp_path / "fake.xlsx"
        path.write_text("just text")
        with pytest.raises(InvalidInput, match="not an Excel workbook"):
            read_source(path)

    def test_a_missing_sheet_is_named_with_what_was_found(self, tmp_path):
        sheets = {k: v for k, v in BRIEF_SHEETS.items() if k != "Products of discussion"}
        with pytest.raises(
            InvalidInput, match=r"no sheet 'Products of discussion'.*found sheets: Customers"
        ):
            read_source(write_workbook(tmp_path / "x.xlsx", sheets))

    def test_a_missing_column_is_named(self, tmp_path):
        sheets = dict(BRIEF_SHEETS)
        sheets["External interactions"] = BRIEF_SHEETS["External interactions"].drop(
            columns=["Date Start"]
        )
        with pytest.raises(InvalidInput, match="missing column date_start"):
            read_source(write_workbook(tmp_path / "x.xlsx", sheets))

    def test_an_empty_sheet_is_refused(self, tmp_path):
        sheets = dict(BRIEF_SHEETS)
        sheets["Customers"] = pd.DataFrame(columns=["Customer Id", "Occupation", "Type"])
        with pytest.raises(InvalidInput, match="'Customers': the sheet has no data rows"):
            read_source(write_workbook(tmp_path / "x.xlsx", sheets))

    def test_a_missing_csv_file_is_named(self, tmp_path):
        files = {"customers.csv": BRIEF_SHEETS["Customers"]}
        with pytest.raises(InvalidInput, match="no CSV file interactions.csv"):
            read_source(write_csv_folder(tmp_path / "csv", files))

    def test_a_csv_that_is_not_utf8(self, tmp_path):
        folder = write_csv_folder(tmp_path / "csv", TestReadCsvFolder.FILES)
        (folder / "products.csv").write_bytes("Date,Product\n01-2019,Caf\xe9\n".encode("latin-1"))
        with pytest.raises(InvalidInput, match="not UTF-8"):
            read_source(folder)


def test_legacy_rows_are_checksummed_by_content():
    sheets = {
        "customers": pd.DataFrame({"customer_id": [1], "occupation": ["Jedi"], "type": ["Red"]}),
        "interactions": pd.DataFrame(
            {"date_start": ["2019-10-04 09:00"], "channel": ["Email"], "customer_id": [1]}
        ),
        "products": pd.DataFrame({"month": ["01-2019"], "product": ["Sand"]}),
    }
    same = source_from_legacy_tables({k: v.copy() for k, v in sheets.items()})
    assert source_from_legacy_tables(sheets).checksum == same.checksum
    assert same.sheets["interactions"]["topic"].tolist() == [None]
    sheets["products"] = pd.DataFrame({"month": ["02-2019"], "product": ["Sand"]})
    assert source_from_legacy_tables(sheets).checksum != same.checksum
