"""Read the source data (a workbook, a CSV folder or the legacy tables) into raw sheets.

A raw sheet is a DataFrame of untouched cell values under canonical column names, plus
``source_row``: the row number a person would see in the file. The header row is the one,
among the first rows, that names the most of the sheet's columns: a title line or blank
lines above it are skipped, and listed in the frame's ``attrs["rows_above_header"]``.
"""

import csv
import hashlib
import io
import itertools
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from time import perf_counter
from typing import BinaryIO, TypeVar

import pandas as pd

from pipelines.ingestion.files import (
    add_to_digest,
    first_line,
    open_regular,
    path_status,
    printable,
    reopenable,
    require_small_unpacked,
)
from pipelines.ingestion.limits import DEFAULT_LIMITS, Limits
from pipelines.ingestion.rules import cell_text
from pipelines.ingestion.workbook import data_frame, sheet_columns, top_rows
from repository.errors import InvalidInput

T = TypeVar("T")

# Accepted sheet (or CSV file) names per canonical sheet, already normalised.
SHEET_ALIASES = {
    "customers": ("customers", "customer"),
    "interactions": ("external_interactions", "interactions"),
    "products": ("products_of_discussion", "products", "product"),
}
# Accepted CSV file names (without .csv) per canonical sheet.
CSV_ALIASES = {
    "customers": ("customers", "customer"),
    "interactions": ("interactions",),
    "products": ("products", "product"),
}
DISPLAY_NAMES = {
    "customers": "Customers",
    "interactions": "External interactions",
    "products": "Products of discussion",
}
# Normalised header -> canonical column, per sheet; legacy names included.
COLUMN_ALIASES = {
    "customers": {"customer_id": "customer_id", "occupation": "occupation", "type": "type"},
    "interactions": {
        "date_start": "date_start",
        "interaction": "channel",
        "event": "channel",
        "customers": "customer_id",
        "customer_id": "customer_id",
        "topic": "topic",
        "sentiment": "sentiment",
    },
    "products": {"date": "month", "month": "month", "product": "product"},
}
REQUIRED_COLUMNS = {
    "customers": ("customer_id", "occupation", "type"),
    "interactions": ("date_start", "channel", "customer_id"),
    "products": ("month", "product"),
}
# How far down a sheet the header row may be.
HEADER_SEARCH_ROWS = 10
# Older exports lack these: they are read as empty.
OPTIONAL_COLUMNS = {"customers": (), "interactions": ("topic", "sentiment"), "products": ()}


@dataclass(frozen=True)
class Source:
    """Raw sheets read from one place, with what identifies that place and its content."""

    name: str
    kind: str
    checksum: str
    sheets: dict[str, pd.DataFrame]
    max_cell_chars: int = Limits.max_cell_chars
    # Time spent reading, so the run's reported time covers the whole run.
    read_seconds: float = 0.0


def normalise_name(name: object) -> str:
    """Fold a sheet or column name: no BOM, trimmed, lower case, underscores for spaces."""
    folded = str(name).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s_]+", "_", folded)


def read_source(path: Path, limits: Limits = DEFAULT_LIMITS) -> Source:
    """Read a workbook or a folder of CSV files.

    Raises:
        InvalidInput: missing path, not a regular file or folder, over a size limit, unreadable
            file or sheet, missing sheet or column, empty sheet.
    """
    started = perf_counter()
    if stat.S_ISDIR(path_status(path).st_mode):
        source = read_csv_folder(path, limits)
    else:
        source = read_workbook(path, limits)
    return replace(source, read_seconds=perf_counter() - started)


def read_workbook(path: Path, limits: Limits = DEFAULT_LIMITS) -> Source:
    """Read the three sheets of an .xlsx workbook with the calamine engine."""
    with open_regular(path, limits) as handle:
        require_small_unpacked(handle, path, limits)
        digest = hashlib.sha256()
        add_to_digest(digest, handle)
        try:
            workbook = pd.ExcelFile(reopenable(handle), engine="calamine")
        except Exception as error:  # calamine raises several types for non-workbooks
            raise InvalidInput(
                f"{printable(path)}: not an Excel workbook ({first_line(error)})"
            ) from None
        with workbook:
            names = {normalise_name(name): name for name in workbook.sheet_names}
            sheets = {
                sheet: _workbook_sheet(workbook, sheet, names, path) for sheet in SHEET_ALIASES
            }
    return Source(str(path), "xlsx", digest.hexdigest(), sheets, limits.max_cell_chars)


def _workbook_sheet(
    workbook: pd.ExcelFile, sheet: str, names: dict[str, str], path: Path
) -> pd.DataFrame:
    """Read one canonical sheet, its header row found among the first rows."""
    actual = _pick(SHEET_ALIASES[sheet], names)
    if actual is None:
        raise InvalidInput(
            f"{printable(path)}: no sheet {DISPLAY_NAMES[sheet]!r} (also accepted: "
            f"{', '.join(SHEET_ALIASES[sheet][1:])}); found sheets: "
            f"{printable(', '.join(workbook.sheet_names))}"
        )
    where = f"{printable(path)}: sheet {actual!r}"
    try:
        # Every row from A1, so row numbers are the spreadsheet's own; "N/A" stays text.
        columns = sheet_columns(workbook.book, actual)
    except Exception as error:  # calamine raises its own types for broken sheet XML
        raise InvalidInput(f"{where} cannot be read ({first_line(error)})") from None
    top = top_rows(columns, HEADER_SEARCH_ROWS)
    header = _header_index(sheet, top)
    frame = data_frame(columns, header + 1, top[header] if top else [])
    del columns  # the frame holds the cells now: the sheet is not kept twice
    return canonical_sheet(sheet, frame, where, above=top[:header])


def read_csv_folder(path: Path, limits: Limits = DEFAULT_LIMITS) -> Source:
    """Read customers.csv, interactions.csv and products.csv (singular names accepted)."""
    try:
        files = {normalise_name(p.stem): p for p in path.iterdir() if p.suffix.lower() == ".csv"}
    except OSError as error:
        raise InvalidInput(f"{printable(path)}: cannot be read ({error.strerror})") from None
    sheets, digest = {}, hashlib.sha256()
    for sheet, aliases in CSV_ALIASES.items():
        csv_path = _pick(aliases, files)
        if csv_path is None:
            found = ", ".join(sorted(p.name for p in files.values())) or "none"
            expected = " or ".join(f"{alias}.csv" for alias in aliases)
            raise InvalidInput(
                f"{printable(path)}: no CSV file {expected}; found: {printable(found)}"
            )
        with open_regular(csv_path, limits) as handle:
            add_to_digest(digest, handle)
            sheets[sheet] = _csv_sheet(handle, sheet, printable(csv_path))
    return Source(str(path), "csv", digest.hexdigest(), sheets, limits.max_cell_chars)


def _csv_sheet(handle: BinaryIO, sheet: str, where: str) -> pd.DataFrame:
    """Read one CSV file, its header row found among the first records."""
    try:
        top = _first_records(handle)
        header = _header_index(sheet, top)
        if top:  # say so now rather than parse a whole file without its columns
            _column_positions(sheet, top[header], where)
        # skiprows counts records as csv.reader does: blank lines and quoted line breaks too.
        # dtype=object gives the texts as they are, as dtype=str then astype(object) did,
        # without building pandas' string arrays first (0.1 s per million rows).
        frame = pd.read_csv(
            reopenable(handle), skiprows=header, dtype=object, keep_default_na=False,
            encoding="utf-8-sig",
        )  # fmt: skip
    except UnicodeDecodeError:
        raise InvalidInput(f"{where}: not UTF-8 text") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InvalidInput(f"{where}: not readable as CSV ({first_line(error)})") from None
    return canonical_sheet(sheet, frame.astype(object), where, above=top[:header])


def _first_records(handle: BinaryIO) -> list[list[object]]:
    """Read the first records of a CSV file for the header search; leave the file at its start."""
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    try:
        # NUL would stop csv.reader: show it as the symbol for null, as the quarantine does.
        reader = csv.reader(line.replace("\0", "\u2400") for line in text)
        return [list(record) for record in itertools.islice(reader, HEADER_SEARCH_ROWS)]
    except csv.Error:  # a huge field, say: the header can only be the first record then
        return []
    finally:
        text.detach()
        handle.seek(0)


def _header_index(sheet: str, rows: list[list[object]]) -> int:
    """Return the index of the row that names the most columns of the sheet (0 if none does)."""
    aliases = COLUMN_ALIASES[sheet]
    named = [len({aliases.get(normalise_name(cell)) for cell in row} - {None}) for row in rows]
    return max(range(len(rows)), key=lambda index: (named[index], -index), default=0)


def source_from_legacy_tables(
    sheets: dict[str, pd.DataFrame], limits: Limits = DEFAULT_LIMITS
) -> Source:
    """Wrap rows read from the legacy tables, checksummed by content."""
    sheets = {name: _with_optional_columns(name, frame) for name, frame in sheets.items()}
    digest = hashlib.sha256()
    for name in SHEET_ALIASES:
        digest.update(name.encode())
        digest.update(sheets[name].to_csv(index=False).encode())
    return Source(
        "legacy tables", "legacy_tables", digest.hexdigest(), sheets, limits.max_cell_chars
    )


def canonical_sheet(
    sheet: str, frame: pd.DataFrame, where: str, above: list[list[object]] | None = None
) -> pd.DataFrame:
    """Rename columns to canonical names, add absent optional ones, number the rows.

    ``above`` holds the rows found above the header row: the first data row is numbered
    len(above) + 2, and the frame's attrs keep what was skipped for the repairs log.
    """
    above = above or []
    positions = _column_positions(sheet, list(frame.columns), where)
    if frame.empty:
        raise InvalidInput(f"{where}: the sheet has no data rows")
    chosen = frame.iloc[:, list(positions.values())].set_axis(list(positions), axis=1)
    result = _with_optional_columns(sheet, chosen).reset_index(drop=True)
    first = len(above) + 2
    result["source_row"] = pd.Series(range(first, first + len(result)), dtype="int64")
    result.attrs["rows_above_header"] = [_filled_cells(row) for row in above]
    return result


def _column_positions(sheet: str, names: list[object], where: str) -> dict[str, int]:
    """Map each canonical column to the first column naming it, or say which are missing."""
    aliases, positions = COLUMN_ALIASES[sheet], dict[str, int]()
    for position, name in enumerate(names):
        canonical = aliases.get(normalise_name(name))
        if canonical:
            positions.setdefault(canonical, position)  # the first of two same-named wins
    missing = [c for c in REQUIRED_COLUMNS[sheet] if c not in positions]
    if missing:
        found = ", ".join(printable(n) for n in names if str(n).strip()) or "none"
        raise InvalidInput(f"{where}: missing column {', '.join(missing)} (found: {found})")
    return positions


def _filled_cells(row: list[object]) -> list[str]:
    """Return the texts of a row's cells that are not blank."""
    texts = (cell_text(cell) for cell in row)
    return [text for text in texts if text and text.strip()]


def _with_optional_columns(sheet: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Add absent optional columns as empty and put the columns in canonical order."""
    frame = frame.copy()
    for column in OPTIONAL_COLUMNS[sheet]:
        if column not in frame:
            frame[column] = None
    ordered = [*REQUIRED_COLUMNS[sheet], *OPTIONAL_COLUMNS[sheet]]
    extra = [c for c in frame.columns if c not in ordered]
    return frame[ordered + extra].astype(dict.fromkeys(ordered, object))


def _pick(aliases: Iterable[str], available: Mapping[str, T]) -> T | None:
    """Return the first entry whose normalised name is one of ``aliases``."""
    return next((available[alias] for alias in aliases if alias in available), None)
