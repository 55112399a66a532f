"""Read a small CSV file of outreach data as rows with their line numbers.

A file that cannot be read as such (missing, not UTF-8, no header, a required column
missing, an unknown column) is refused as a whole; a row that breaks a rule is returned
as a ``BadRow`` naming its line and the problem, for the caller to report.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from repository.errors import InvalidInput

# Outreach files are lists of ids and addresses: far below this, and a mistaken path to a
# workbook or a dump is refused before it is read into memory.
MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class BadRow:
    """A row left out of an import, and why."""

    line: int
    problem: str


@dataclass(frozen=True)
class Row:
    """One record of the file: its line number, its cells by column, extra cells."""

    line: int
    cells: dict[str, str]
    extra_cells: int = 0


def read_rows(path: Path, required: set[str], optional: set[str]) -> list[Row]:
    """Return every record of the CSV file at ``path`` with its first line number.

    Column names match after trimming, in any case. A row's line is the line it ends on.

    Raises:
        InvalidInput: the file cannot be read as such a CSV file.
    """
    reader = csv.DictReader(io.StringIO(_text_of(path), newline=""), restkey="", restval="")
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    if not header:
        raise InvalidInput(f"{path} is empty: expected a header line")
    missing = sorted(required - set(header))
    if missing:
        raise InvalidInput(f"{path} has no {', '.join(missing)} column (line 1)")
    unknown = sorted(set(header) - required - optional)
    if unknown:
        known = ", ".join(sorted(required | optional))
        raise InvalidInput(f"{path} has unknown column {', '.join(unknown)}; known: {known}")
    reader.fieldnames = header
    return list(_records(reader, path))


def _records(reader: csv.DictReader, path: Path) -> Iterator[Row]:
    try:
        for record in reader:
            extra = record.pop("", None) or []
            cells = {name: value or "" for name, value in record.items()}
            # line_num is where the record ends: its line, unless a quoted cell spans lines.
            yield Row(reader.line_num, cells, len(extra))
    except csv.Error as error:
        raise InvalidInput(f"{path} line {reader.line_num}: not valid CSV ({error})") from None


def _text_of(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InvalidInput(f"{path} is larger than {MAX_FILE_BYTES // 2**20} MB")
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a folder, not a CSV file") from None
    except UnicodeDecodeError as error:
        raise InvalidInput(f"{path} is not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise InvalidInput(f"{path}: {error.strerror}") from None
