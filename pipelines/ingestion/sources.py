"""Read the source data (a workbook, a CSV folder or the legacy tables) into raw sheets.

A raw sheet is a DataFrame of untouched cell values under canonical column names, plus
``source_row``: the row number a person would see in the file (the header is row 1).
"""

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pandas as pd

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
# Older exports lack these: they are read as empty.
OPTIONAL_COLUMNS = {"customers": (), "interactions": ("topic", "sentiment"), "products": ()}


@dataclass(frozen=True)
class Source:
    """Raw sheets read from one place, with what identifies that place and its content."""

    name: str
    kind: str
    checksum: str
    sheets: dict[str, pd.DataFrame]


def normalise_name(name: object) -> str:
    """Fold a sheet or column name: no BOM, trimmed, lower case, underscores for spaces."""
    folded = str(name).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s_]+", "_", folded)


def read_source(path: Path) -> Source:
    """Read a workbook or a folder of CSV files.

    Raises:
        InvalidInput: missing path, unreadable file, missing sheet or column, empty sheet.
    """
    if not path.exists():
        raise InvalidInput(f"{path}: no such file or folder")
    if path.is_dir():
        return read_csv_folder(path)
    return read_workbook(path)


def read_workbook(path: Path) -> Source:
    """Read the three sheets of an .xlsx workbook with the calamine engine."""
    try:
        workbook = pd.ExcelFile(path, engine="calamine")
    except Exception as error:  # calamine raises several types for non-workbooks
        raise InvalidInput(f"{path}: not an Excel workbook ({_first_line(error)})") from None
    with workbook:
        names = {normalise_name(name): name for name in workbook.sheet_names}
        sheets = {}
        for sheet, aliases in SHEET_ALIASES.items():
            actual = _pick(aliases, names)
            if actual is None:
                raise InvalidInput(
                    f"{path}: no sheet {DISPLAY_NAMES[sheet]!r} (also accepted: "
                    f"{', '.join(aliases[1:])}); found sheets: {', '.join(workbook.sheet_names)}"
                )
            # keep_default_na=False: a cell reading "N/A" is data to judge, as in CSV files.
            frame = pd.read_excel(
                workbook, sheet_name=actual, header=0, dtype=object, keep_default_na=False
            )
            sheets[sheet] = canonical_sheet(sheet, frame, f"{path}: sheet {actual!r}")
    return Source(str(path), "xlsx", file_checksum([path]), sheets)


def read_csv_folder(path: Path) -> Source:
    """Read customers.csv, interactions.csv and products.csv (singular names accepted)."""
    files = {normalise_name(p.stem): p for p in path.iterdir() if p.suffix.lower() == ".csv"}
    sheets, chosen = {}, []
    for sheet, aliases in CSV_ALIASES.items():
        csv_path = _pick(aliases, files)
        if csv_path is None:
            found = ", ".join(sorted(p.name for p in files.values())) or "none"
            expected = " or ".join(f"{alias}.csv" for alias in aliases)
            raise InvalidInput(f"{path}: no CSV file {expected}; found: {found}")
        try:
            frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(f"{csv_path}: not UTF-8 text") from None
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
            raise InvalidInput(f"{csv_path}: not readable as CSV ({_first_line(error)})") from None
        sheets[sheet] = canonical_sheet(sheet, frame.astype(object), str(csv_path))
        chosen.append(csv_path)
    return Source(str(path), "csv", file_checksum(chosen), sheets)


def source_from_legacy_tables(sheets: dict[str, pd.DataFrame]) -> Source:
    """Wrap rows read from the legacy tables, checksummed by content."""
    sheets = {name: _with_optional_columns(name, frame) for name, frame in sheets.items()}
    digest = hashlib.sha256()
    for name in SHEET_ALIASES:
        digest.update(name.encode())
        digest.update(sheets[name].to_csv(index=False).encode())
    return Source("legacy tables", "legacy_tables", digest.hexdigest(), sheets)


def canonical_sheet(sheet: str, frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """Rename columns to canonical names, add absent optional ones, number the rows."""
    aliases = COLUMN_ALIASES[sheet]
    renames: dict[str, str] = {}
    for column in frame.columns:
        canonical = aliases.get(normalise_name(column))
        if canonical and canonical not in renames.values():
            renames[column] = canonical
    missing = [c for c in REQUIRED_COLUMNS[sheet] if c not in renames.values()]
    if missing:
        found = ", ".join(str(c) for c in frame.columns) or "none"
        raise InvalidInput(f"{where}: missing column {', '.join(missing)} (found: {found})")
    if frame.empty:
        raise InvalidInput(f"{where}: the sheet has no data rows")
    result = _with_optional_columns(sheet, frame[list(renames)].rename(columns=renames))
    result = result.reset_index(drop=True)
    result["source_row"] = pd.Series(range(2, len(result) + 2), dtype="int64")
    return result


def _with_optional_columns(sheet: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Add absent optional columns as empty and put the columns in canonical order."""
    frame = frame.copy()
    for column in OPTIONAL_COLUMNS[sheet]:
        if column not in frame:
            frame[column] = None
    ordered = [*REQUIRED_COLUMNS[sheet], *OPTIONAL_COLUMNS[sheet]]
    extra = [c for c in frame.columns if c not in ordered]
    return frame[ordered + extra].astype(dict.fromkeys(ordered, object))


def file_checksum(paths: Iterable[Path]) -> str:
    """Return the SHA-256 of the files' bytes, read in order."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _pick(aliases: Iterable[str], available: Mapping[str, T]) -> T | None:
    """Return the first entry whose normalised name is one of ``aliases``."""
    return next((available[alias] for alias in aliases if alias in available), None)


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
