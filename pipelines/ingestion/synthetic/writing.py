"""Write generated sheets as one xlsx workbook or as CSV files."""

from pathlib import Path

import pandas as pd
import xlsxwriter

from pipelines.ingestion.synthetic.contacts import contacts_path
from pipelines.ingestion.synthetic.vocabulary import (
    CSV_NAMES,
    SHEET_NAMES,
    WORKBOOK_CREATED,
    XLSX_MAX_ROWS,
)


def write_dataset(dataset: dict[str, pd.DataFrame], out: Path, fmt: str) -> list[Path]:
    """Write the sheets as one xlsx workbook at ``out`` or as CSV files in folder ``out``."""
    if fmt == "csv":
        return _write_csv(dataset, Path(out))
    if fmt == "xlsx":
        return _write_xlsx(dataset, Path(out))
    raise ValueError(f"unknown format {fmt!r}: expected 'xlsx' or 'csv'")


def _write_csv(dataset: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Write one UTF-8 CSV per sheet with fixed line endings."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / CSV_NAMES[key] for key in CSV_NAMES]
    for key, path in zip(CSV_NAMES, paths, strict=True):
        dataset[key].to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return paths


def _write_xlsx(dataset: dict[str, pd.DataFrame], path: Path) -> list[Path]:
    """Write one workbook with a sheet per frame, every cell a text cell."""
    too_long = [key for key in SHEET_NAMES if len(dataset[key]) >= XLSX_MAX_ROWS]
    if too_long:
        raise ValueError(f"too many rows for one xlsx sheet: {', '.join(too_long)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    # "17" must stay text and "=..." must not turn into a formula, as in the real export.
    options = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(str(path), options) as book:
        book.set_properties({"created": WORKBOOK_CREATED})
        for key, name in SHEET_NAMES.items():
            sheet, frame = book.add_worksheet(name), dataset[key]
            sheet.write_row(0, 0, list(frame.columns))
            for col, header in enumerate(frame.columns):
                sheet.write_column(1, col, frame[header].tolist())
    return [path]


def clobber_problem(out: Path, fmt: str) -> str | None:
    """Say what writing ``out`` would overwrite or create besides it, or None if nothing.

    ``out`` is the workbook (xlsx) or the folder of CSV files (csv; the folder itself may be
    new). A mistyped path should not replace a file or scatter new folders unasked.
    """
    out = Path(out)
    targets = [out / name for name in CSV_NAMES.values()] if fmt == "csv" else [out]
    targets.append(contacts_path(out, fmt))  # generate-data writes contacts too
    existing = [str(path) for path in targets if path.exists()]
    if existing:
        return f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}"
    if not out.parent.is_dir():
        return f"folder {out.parent} does not exist"
    return None
