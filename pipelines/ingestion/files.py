"""Open source files safely: regular files within the size limit only, named printably in errors."""

import hashlib
import os
import stat
import zipfile
from pathlib import Path
from typing import BinaryIO

from pipelines.ingestion.limits import MEBIBYTE, Limits
from repository.errors import InvalidInput

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def printable(text: object) -> str:
    """Escape what would break a one-line message: line breaks, controls, invisible characters."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in str(text))


def first_line(error: BaseException) -> str:
    """Return the first line of an error's text, printable, or its type's name."""
    text = str(error).strip()
    return printable(text.splitlines()[0]) if text else type(error).__name__


def path_status(path: Path) -> os.stat_result:
    """Return what ``path`` points to (following links) without opening it.

    Raises:
        InvalidInput: nothing is there, or its status cannot be read.
    """
    try:
        return os.stat(path)
    except FileNotFoundError:
        raise InvalidInput(f"{printable(path)}: no such file or folder") from None
    except OSError as error:  # a link loop, a name too long, a file used as a folder
        raise InvalidInput(f"{printable(path)}: cannot be read ({error.strerror})") from None


def open_regular(path: Path, limits: Limits) -> BinaryIO:
    """Open a regular file for reading if it is within the size limit.

    Anything else is refused from its status before it is opened: a FIFO would block the
    reader until someone writes to it, and a device such as /dev/zero never ends.

    Raises:
        InvalidInput: not a regular file, too large, or unreadable.
    """
    _require_regular(path, path_status(path), limits)
    try:
        # O_NONBLOCK: should the path have become a FIFO since the check, open returns at once.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        raise InvalidInput(f"{printable(path)}: cannot be read ({error.strerror})") from None
    handle = os.fdopen(descriptor, "rb")
    try:
        _require_regular(path, os.fstat(descriptor), limits)  # the file opened is the one checked
    except InvalidInput:
        handle.close()
        raise
    return handle


def _require_regular(path: Path, status: os.stat_result, limits: Limits) -> None:
    """Refuse anything but a regular file of at most the size limit."""
    if not stat.S_ISREG(status.st_mode):
        kind = next((name for test, name in _KINDS if test(status.st_mode)), "something else")
        raise InvalidInput(f"{printable(path)}: is {kind}, not a regular file")
    if status.st_size > limits.max_file_bytes:
        raise InvalidInput(f"{printable(path)}: {_too_large(status.st_size, limits)}")


def require_small_unpacked(handle: BinaryIO, path: Path, limits: Limits) -> None:
    """Refuse a workbook whose parts unpack to more than the size limit (a zip bomb, say).

    A file that is not a zip archive passes: the workbook reader will say what it is.
    """
    try:
        with zipfile.ZipFile(handle) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, EOFError, ValueError):
        return
    finally:
        handle.seek(0)
    if unpacked > limits.max_file_bytes:
        raise InvalidInput(f"{printable(path)}: unpacks to {_too_large(unpacked, limits)}")


def _too_large(size: int, limits: Limits) -> str:
    """Word a size over the limit, naming the setting that raises it."""
    return (
        f"{size / MEBIBYTE:.1f} MB, more than the INGEST_MAX_FILE_MB limit "
        f"of {limits.max_file_mb} MB"
    )


def reopenable(handle: BinaryIO) -> str | BinaryIO:
    """Return a name for the open file itself where the system gives one (Linux), else the file.

    pandas and calamine read a file they open by name faster than a Python file object (a
    fifth, for a large CSV), and /proc/self/fd/N can only name the very file checked.
    """
    name = Path(f"/proc/self/fd/{handle.fileno()}")
    return str(name) if name.exists() else handle


def add_to_digest(digest: "hashlib._Hash", handle: BinaryIO) -> None:
    """Feed a file's bytes to ``digest`` and leave the file at its start."""
    while block := handle.read(1 << 20):
        digest.update(block)
    handle.seek(0)
