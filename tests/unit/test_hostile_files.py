"""Sources that are not regular files, too large, or broken inside: refused in one line, at once."""

import os
import zipfile
from pathlib import Path

import pytest

from pipelines.ingestion.files import printable
from pipelines.ingestion.limits import DEFAULT_LIMITS, Limits
from pipelines.ingestion.sources import read_source
from repository.errors import InvalidInput
from tests.unit.test_sources import (
    BRIEF_SHEETS,
    TestReadCsvFolder,
    write_csv_folder,
    write_workbook,
)

# A test that would hang on a FIFO fails after this many seconds instead.
QUICK = pytest.mark.timeout(10)


def refusal(path: Path, limits: Limits = DEFAULT_LIMITS) -> str:
    """Return the message read_source refuses ``path`` with, checking it is one line."""
    with pytest.raises(InvalidInput) as caught:
        read_source(path, limits)
    message = caught.value.message
    assert "\n" not in message and "\r" not in message
    return message


def rewrite_member(workbook: Path, member: str, content: bytes) -> Path:
    """Copy ``workbook`` with one zip member's content replaced."""
    broken = workbook.with_name(f"broken-{workbook.name}")
    with zipfile.ZipFile(workbook) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            target.writestr(item, content if item.filename == member else source.read(item))
    return broken


@pytest.fixture
def csv_folder(tmp_path) -> Path:
    return write_csv_folder(tmp_path / "csv", TestReadCsvFolder.FILES)


@QUICK
class TestOnlyRegularFiles:
    def test_a_fifo_is_refused_without_being_opened(self, tmp_path):
        fifo = tmp_path / "export.xlsx"
        os.mkfifo(fifo)
        assert refusal(fifo).endswith("export.xlsx: is a named pipe (FIFO), not a regular file")

    def test_a_device_is_refused(self):
        assert refusal(Path("/dev/zero")) == "/dev/zero: is a character device, not a regular file"

    def test_a_link_to_a_device_is_refused(self, tmp_path):
        (tmp_path / "export.xlsx").symlink_to("/dev/zero")
        assert "is a character device" in refusal(tmp_path / "export.xlsx")

    def test_a_link_loop_is_refused(self, tmp_path):
        (tmp_path / "a.xlsx").symlink_to(tmp_path / "b.xlsx")
        (tmp_path / "b.xlsx").symlink_to(tmp_path / "a.xlsx")
        assert "a.xlsx: cannot be read (Too many levels of symbolic links)" in refusal(
            tmp_path / "a.xlsx"
        )

    def test_a_fifo_in_a_csv_folder_is_refused(self, csv_folder):
        (csv_folder / "interactions.csv").unlink()
        os.mkfifo(csv_folder / "interactions.csv")
        assert refusal(csv_folder).endswith(
            "interactions.csv: is a named pipe (FIFO), not a regular file"
        )

    def test_a_folder_where_a_csv_file_belongs_is_refused(self, csv_folder):
        (csv_folder / "customers.csv").unlink()
        (csv_folder / "customers.csv").mkdir()
        assert refusal(csv_folder).endswith("customers.csv: is a folder, not a regular file")

    def test_a_missing_file_is_named(self, tmp_path):
        assert refusal(tmp_path / "nope.xlsx").endswith("nope.xlsx: no such file or folder")


@QUICK
class TestSizeLimits:
    def test_a_file_over_the_limit_is_refused_before_it_is_read(self, tmp_path):
        huge = tmp_path / "huge.xlsx"
        with huge.open("wb") as handle:
            handle.truncate(513 * 2**20)  # sparse: nothing is written
        assert refusal(huge).endswith(
            "huge.xlsx: 513.0 MB, more than the INGEST_MAX_FILE_MB limit of 512 MB"
        )

    def test_the_limit_applies_to_each_csv_file(self, csv_folder):
        (csv_folder / "products.csv").write_text("Date,Product\n" + "01-2019,Sand\n" * 100_000)
        assert "products.csv: 1.2 MB, more than the INGEST_MAX_FILE_MB limit of 1 MB" in refusal(
            csv_folder, Limits(max_file_mb=1)
        )

    def test_a_workbook_that_unpacks_beyond_the_limit_is_refused(self, tmp_path):
        workbook = write_workbook(tmp_path / "export.xlsx", BRIEF_SHEETS)
        bomb = rewrite_member(workbook, "xl/sharedStrings.xml", b" " * (3 * 2**20))
        assert bomb.stat().st_size < 2**20
        assert "unpacks to 3.0 MB, more than the INGEST_MAX_FILE_MB limit of 2 MB" in refusal(
            bomb, Limits(max_file_mb=2)
        )

    def test_a_file_within_the_limit_is_read(self, csv_folder):
        assert read_source(csv_folder, Limits(max_file_mb=1)).kind == "csv"


class TestBrokenWorkbooks:
    @pytest.fixture
    def workbook(self, tmp_path) -> Path:
        return write_workbook(tmp_path / "export.xlsx", BRIEF_SHEETS)

    def test_corrupt_sheet_xml_is_named_by_its_sheet(self, workbook):
        broken = rewrite_member(workbook, "xl/worksheets/sheet2.xml", b"<worksheet><sheetData><row")
        assert "sheet 'External interactions' cannot be read (" in refusal(broken)

    def test_a_truncated_workbook_is_not_a_workbook(self, workbook):
        truncated = workbook.with_name("truncated.xlsx")
        truncated.write_bytes(workbook.read_bytes()[: workbook.stat().st_size // 2])
        assert "truncated.xlsx: not an Excel workbook (" in refusal(truncated)

    def test_an_empty_file_is_not_a_workbook(self, tmp_path):
        (tmp_path / "empty.xlsx").touch()
        assert "empty.xlsx: not an Excel workbook (" in refusal(tmp_path / "empty.xlsx")

    def test_a_zip_without_a_workbook_inside_is_not_a_workbook(self, tmp_path):
        with zipfile.ZipFile(tmp_path / "other.xlsx", "w") as archive:
            archive.writestr("readme.txt", "not a workbook")
        assert "other.xlsx: not an Excel workbook (" in refusal(tmp_path / "other.xlsx")


class TestOneLineMessages:
    def test_a_path_with_a_line_break_is_escaped(self, tmp_path):
        assert refusal(tmp_path / "two\nlines.xlsx").endswith(
            "two\\nlines.xlsx: no such file or folder"
        )

    def test_a_column_name_with_a_line_break_is_escaped(self, csv_folder):
        (csv_folder / "customers.csv").write_text('"Customer\nNo",Occupation,Type\n1,Jedi,Red\n')
        assert "(found: Customer\\nNo, Occupation, Type)" in refusal(csv_folder)

    def test_a_sheet_name_with_a_control_character_is_escaped(self, tmp_path):
        sheets = {"Custom\x1bers": BRIEF_SHEETS["Customers"]}
        assert "found sheets: Custom\\x1bers" in refusal(
            write_workbook(tmp_path / "x.xlsx", sheets)
        )

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("plain", "plain"),
            ("a\nb", "a\\nb"),
            ("nul\x00", "nul\\x00"),
            ("zw\u200bsp", "zw\\u200bsp"),
            ("Zoë", "Zoë"),
        ],
    )
    def test_printable_escapes_only_what_cannot_be_seen(self, text, expected):
        assert printable(text) == expected
