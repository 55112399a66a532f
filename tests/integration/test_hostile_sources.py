"""A corpus of broken and hostile sources through the real CLI: exit 2, one line, data untouched."""

import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support import (
    BUNDLED_CSV,
    TEST_DATA,
    CommandLine,
    ingest_bundled_sample,
    make_app,
    query,
)

HOSTILE = TEST_DATA / "hostile"
BUNDLED_XLSX = BUNDLED_CSV.parent / "sample_export.xlsx"
# xmin changes whenever a row is written again, even with the same values.
CHECKSUM = """
SELECT '{table}', count(*), md5(string_agg(t::text || '@' || t.xmin::text, ',' ORDER BY t::text))
FROM insights.{table} AS t
"""
CLEAN_TABLES = ("customers", "interactions", "product_months", "products")


def clean_tables_checksum(url: str) -> list[tuple]:
    """Count and digest every clean table's rows, with the transaction that wrote each."""
    return [query(url, CHECKSUM.format(table=table))[0] for table in CLEAN_TABLES]


def overlaid(case: str) -> Callable[[Path], Path]:
    """Build a CSV folder: the bundled sample with the committed broken file(s) laid over it."""

    def build(tmp_path: Path) -> Path:
        folder = shutil.copytree(BUNDLED_CSV, tmp_path / case)
        for broken in (HOSTILE / case).iterdir():
            shutil.copyfile(broken, folder / broken.name)
        return folder

    return build


def csv_folder_with(name: str, make: Callable[[Path], None]) -> Callable[[Path], Path]:
    """Build the bundled CSV folder with file ``name`` replaced by what ``make`` puts there."""

    def build(tmp_path: Path) -> Path:
        folder = shutil.copytree(BUNDLED_CSV, tmp_path / "csv")
        (folder / name).unlink()
        make(folder / name)
        return folder

    return build


def workbook_with(member: str, content: bytes | None) -> Callable[[Path], Path]:
    """Build the bundled workbook with one zip member replaced, or left out when None."""

    def build(tmp_path: Path) -> Path:
        path = tmp_path / "export.xlsx"
        with zipfile.ZipFile(BUNDLED_XLSX) as source, zipfile.ZipFile(path, "w") as target:
            for item in source.infolist():
                if item.filename != member:
                    target.writestr(item, source.read(item))
                elif content is not None:
                    target.writestr(item, content)
        return path

    return build


def sparse_file(tmp_path: Path) -> Path:
    path = tmp_path / "export.xlsx"
    with path.open("wb") as handle:
        handle.truncate(600 * 2**20)  # over the default 512 MB, and nothing is written
    return path


def zip_bomb(tmp_path: Path) -> Path:
    """A 0.5 MB workbook whose shared strings unpack to 513 MB (over the default limit)."""
    path = workbook_with("xl/sharedStrings.xml", None)(tmp_path)
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(513):
            member.write(bytes(2**20))
    return path


def truncated_workbook(tmp_path: Path) -> Path:
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(BUNDLED_XLSX.read_bytes()[:5000])
    return path


def written(name: str, content: bytes) -> Callable[[Path], Path]:
    def build(tmp_path: Path) -> Path:
        (tmp_path / name).write_bytes(content)
        return tmp_path / name

    return build


def link_loop(tmp_path: Path) -> Path:
    (tmp_path / "a.xlsx").symlink_to(tmp_path / "b.xlsx")
    (tmp_path / "b.xlsx").symlink_to(tmp_path / "a.xlsx")
    return tmp_path / "a.xlsx"


def fifo(tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "export.xlsx")
    return tmp_path / "export.xlsx"


GENERATED: dict[str, Callable[[Path], Path]] = {
    "missing_path": lambda tmp_path: tmp_path / "nowhere.xlsx",
    "missing_path_with_a_line_break": lambda tmp_path: tmp_path / "two\nlines.xlsx",
    "fifo_as_the_source": fifo,
    "dev_zero_as_the_source": lambda tmp_path: Path("/dev/zero"),
    "link_loop": link_loop,
    "fifo_as_interactions_csv": csv_folder_with("interactions.csv", os.mkfifo),
    "link_to_dev_zero_as_products_csv": csv_folder_with(
        "products.csv", lambda path: path.symlink_to("/dev/zero")
    ),
    "folder_as_customers_csv": csv_folder_with("customers.csv", Path.mkdir),
    "missing_interactions_csv": csv_folder_with("interactions.csv", lambda path: None),
    "sparse_600_mb_workbook": sparse_file,
    "zip_bomb_workbook": zip_bomb,
    "truncated_workbook": truncated_workbook,
    "empty_workbook": written("empty.xlsx", b""),
    "text_named_xlsx": written("notes.xlsx", b"Customer Id,Occupation,Type\n1,Jedi,Red\n"),
    "corrupt_sheet_xml": workbook_with("xl/worksheets/sheet2.xml", b"<worksheet><sheetData><row"),
    "workbook_without_products_sheet": workbook_with("xl/worksheets/sheet3.xml", None),
}
COMMITTED = {case.name: overlaid(case.name) for case in HOSTILE.iterdir() if case.is_dir()}
CORPUS = {**COMMITTED, **GENERATED}


def test_the_corpus_has_at_least_twenty_sources():
    assert len(CORPUS) >= 20 and len(COMMITTED) >= 10


@pytest.fixture(scope="module")
def loaded(database_server, migrated_template):
    """One database holding the bundled sample, and ``insights`` over it, for the corpus.

    Shared because a refused source writes nothing: each test compares the tables with
    what they were just before it ran.
    """
    url = database_server.create(template=migrated_template)
    ingest_bundled_sample(url)
    app = make_app(url)
    yield url, CommandLine(app)
    app.extensions["insights"]["repositories"].close()
    database_server.drop(url)


@pytest.mark.timeout(30)  # a FIFO opened for reading would hang here
@pytest.mark.parametrize("case", sorted(CORPUS))
def test_a_hostile_source_is_refused_in_one_line_and_changes_nothing(case, tmp_path, loaded):
    url, insights = loaded
    before = clean_tables_checksum(url)
    result = insights("ingest", str(CORPUS[case](tmp_path)))
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("insights: error: "), result.stderr
    assert clean_tables_checksum(url) == before
    assert before[1][1] > 0  # the sample really is loaded: there was something to lose


@pytest.mark.parametrize(
    ("case", "says"),
    [
        ("fifo_as_the_source", "export.xlsx: is a named pipe (FIFO), not a regular file"),
        ("dev_zero_as_the_source", "/dev/zero: is a character device, not a regular file"),
        ("folder_as_customers_csv", "customers.csv: is a folder, not a regular file"),
        ("sparse_600_mb_workbook", "600.0 MB, more than the INGEST_MAX_FILE_MB limit of 512 MB"),
        ("corrupt_sheet_xml", "sheet 'External interactions' cannot be read ("),
        ("missing_path_with_a_line_break", "two\\nlines.xlsx: no such file or folder"),
        ("nul_in_header", "missing column date_start (found: Date\u2400Start, "),
        ("latin1_products", "products.csv: not UTF-8 text"),
        ("header_too_deep", "customers.csv: missing column customer_id"),
    ],
)
def test_the_line_says_what_is_wrong_and_where(case, says, tmp_path, loaded):
    _, insights = loaded
    assert says in insights("ingest", str(CORPUS[case](tmp_path))).stderr
