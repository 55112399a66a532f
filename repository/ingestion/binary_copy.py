"""Encode whole-number columns in PostgreSQL's binary COPY format with numpy, no Python loop.

``DataFrame.to_csv`` spends most of a bulk load formatting integers as text (0.66 s for
four integer columns of a million rows); laid out as a numpy record array, the same rows
take a few milliseconds and PostgreSQL reads them without parsing. Only NOT NULL integer
columns are supported: every field of every row has the same width.
"""

from collections.abc import Mapping

import numpy as np

# PostgreSQL's type for each supported numpy integer width.
_WIDTHS = {2: ">i2", 4: ">i4", 8: ">i8"}
_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
_TRAILER = b"\xff\xff"


def binary_copy_payload(columns: Mapping[str, np.ndarray]) -> bytes:
    """Return the COPY ... (FORMAT binary) stream for equally long integer columns."""
    arrays = list(columns.values())
    rows = len(arrays[0]) if arrays else 0
    fields: list[tuple[str, str]] = [("field_count", ">i2")]
    for index, array in enumerate(arrays):
        if array.dtype.kind not in "iu" or array.dtype.itemsize not in _WIDTHS:
            raise TypeError(f"column {index} is {array.dtype}, not a 2, 4 or 8 byte integer")
        fields += [(f"length{index}", ">i4"), (f"value{index}", _WIDTHS[array.dtype.itemsize])]
    records = np.empty(rows, dtype=np.dtype(fields))
    records["field_count"] = len(arrays)
    for index, array in enumerate(arrays):
        records[f"length{index}"] = array.dtype.itemsize
        records[f"value{index}"] = array
    return _SIGNATURE + records.tobytes() + _TRAILER
