"""Encode columns in PostgreSQL's binary COPY format with numpy, no Python loop per row.

``DataFrame.to_csv`` spends most of a bulk load formatting integers as text (0.66 s for
four integer columns of a million rows); laid out as a numpy record array, the same rows
take a few milliseconds and PostgreSQL reads them without parsing. Integer columns must be
NOT NULL (every field of every row has the same width); text columns come as codes into a
short list of labels, so the rows sharing a combination of labels share one layout.
"""

from collections.abc import Iterator, Mapping, Sequence

import numpy as np

# PostgreSQL's type for each supported numpy integer width.
_WIDTHS = {2: ">i2", 4: ">i4", 8: ">i8"}
# Binary timestamps count microseconds from 2000-01-01, numpy's from 1970-01-01.
PG_EPOCH_US = 946_684_800_000_000
_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
_TRAILER = b"\xff\xff"
_NULL = b"\xff\xff\xff\xff"  # a field length of -1

# A text column: one code per row into its labels (code 0 stands for NULL, 1 for labels[0]).
CodedText = tuple[np.ndarray, Sequence[str | None]]


def binary_copy_payload(columns: Mapping[str, np.ndarray]) -> bytes:
    """Return the COPY ... (FORMAT binary) stream for equally long integer columns."""
    return _SIGNATURE + _records(columns, len(columns), b"").tobytes() + _TRAILER


def binary_copy_with_texts(
    columns: Mapping[str, np.ndarray], texts: Mapping[str, CodedText]
) -> Iterator[bytes]:
    """Yield the COPY stream for integer ``columns`` followed by coded text columns.

    The COPY's column list names ``columns`` then ``texts``, in order. Rows are grouped
    by their combination of labels (each group keeps its rows' order): a group's rows
    have one width, so each group is one record array.
    """
    combination = np.zeros(len(next(iter(columns.values()))), dtype=np.int64)
    for codes, labels in texts.values():
        combination = combination * (len(labels) + 1) + codes
    groups, group_of_row = np.unique(combination, return_inverse=True)
    # The narrowest type that holds the group numbers: numpy sorts 8- and 16-bit integers
    # by radix, stable and in one pass (5 ms instead of 45 at 1M rows).
    order = np.argsort(group_of_row.astype(np.min_scalar_type(len(groups))), kind="stable")
    ends = np.cumsum(np.bincount(group_of_row, minlength=len(groups)))
    yield _SIGNATURE
    start = 0
    for group, end in zip(groups.tolist(), ends.tolist(), strict=True):
        rows = order[start:end]
        tail = _text_fields(group, list(texts.values()))
        chosen = {name: array[rows] for name, array in columns.items()}
        yield _records(chosen, len(columns) + len(texts), tail).tobytes()
        start = end
    yield _TRAILER


def _text_fields(combination: int, texts: list[CodedText]) -> bytes:
    """Return the encoded text fields of one combination of codes."""
    fields = []
    for _, labels in reversed(texts):
        combination, code = divmod(combination, len(labels) + 1)
        label = labels[code - 1] if code else None
        if label is None:
            fields.append(_NULL)
        else:
            value = label.encode()
            fields.append(len(value).to_bytes(4, "big") + value)
    return b"".join(reversed(fields))


def _records(columns: Mapping[str, np.ndarray], field_count: int, tail: bytes) -> np.ndarray:
    """Lay the integer columns out as records, each followed by the same ``tail`` bytes."""
    arrays = list(columns.values())
    rows = len(arrays[0]) if arrays else 0
    fields: list[tuple] = [("field_count", ">i2")]
    for index, array in enumerate(arrays):
        if array.dtype.kind not in "iu" or array.dtype.itemsize not in _WIDTHS:
            raise TypeError(f"column {index} is {array.dtype}, not a 2, 4 or 8 byte integer")
        fields += [(f"length{index}", ">i4"), (f"value{index}", _WIDTHS[array.dtype.itemsize])]
    if tail:
        fields.append(("tail", "u1", (len(tail),)))
    records = np.empty(rows, dtype=np.dtype(fields))
    records["field_count"] = field_count
    for index, array in enumerate(arrays):
        records[f"length{index}"] = array.dtype.itemsize
        records[f"value{index}"] = array
    if tail:
        records["tail"] = np.frombuffer(tail, dtype=np.uint8)
    return records
