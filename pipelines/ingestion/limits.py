"""The most of a source an ingestion reads: file size and cell length (INGEST_MAX_* settings)."""

from dataclasses import dataclass

MEBIBYTE = 1 << 20


@dataclass(frozen=True)
class Limits:
    """How large a source file (or an unpacked workbook) and each of its cells may be."""

    # Generous: the generated million-interaction export is 60 MB as CSV, 250 MB unpacked.
    max_file_mb: int = 512
    # An interaction's natural key (channel, topic, sentiment) must fit PostgreSQL's 2704-byte
    # btree entry: two 300-character cells of four-byte characters still do, 340 would not.
    max_cell_chars: int = 300

    @property
    def max_file_bytes(self) -> int:
        """Return the file size limit in bytes."""
        return self.max_file_mb * MEBIBYTE


DEFAULT_LIMITS = Limits()
