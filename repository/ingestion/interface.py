"""The ingestion repository's interface: atomic loads, run records, quarantine, legacy rows."""

from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import pandas as pd

from repository.errors import Conflict

# Arbitrary but fixed: every ingestion takes this PostgreSQL advisory lock.
INGESTION_LOCK_KEY = 7_215_004_311


class IngestionBusy(Conflict):
    """Another ingestion held the lock for longer than we were willing to wait."""


class CleanFrames(Protocol):
    """What the loader needs from the cleaning step (pipelines.ingestion.cleaning.CleanedData)."""

    @property
    def customers(self) -> pd.DataFrame: ...
    @property
    def interactions(self) -> pd.DataFrame: ...
    @property
    def product_months(self) -> pd.DataFrame: ...
    @property
    def quarantine(self) -> pd.DataFrame: ...
    @property
    def repairs(self) -> pd.DataFrame: ...


class RollupFrames(Protocol):
    """The pre-aggregated counts the statistics read (pipelines.ingestion.rollups.Rollups)."""

    @property
    def monthly(self) -> pd.DataFrame: ...
    @property
    def daily(self) -> pd.DataFrame: ...
    @property
    def figures(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class NewRun:
    """The facts about a run known before loading."""

    source_name: str
    source_kind: str
    checksum: str
    started_at: datetime


@dataclass(frozen=True)
class RunSummary:
    """One row of ``ingestion_runs``."""

    id: int
    source_name: str
    source_kind: str
    checksum: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    counts: dict[str, Any]
    error: str | None


# The steps of a PostgreSQL load, as CleanLoad.on_step names them. The interactions are
# copied and indexed on side sessions meanwhile; the last step waits for their indexes.
LOAD_STEPS = ("load: copy", "load: merge, rollups", "load: index interactions")


@dataclass(frozen=True)
class CleanLoad:
    """What one load writes: the clean frames, their rollups and the run's counts."""

    data: CleanFrames
    rollups: RollupFrames
    counts: dict[str, Any]
    # Told the name of each step of the load as it starts (progress reporting).
    on_step: Callable[[str], None] = lambda step: None


# Sees the row count of each clean table just before a load replaces it; raises to refuse.
LoadCheck = Callable[[dict[str, int]], None]


@dataclass(frozen=True)
class QuarantinedRow:
    """A source row kept out of the clean tables, and why."""

    run_id: int
    sheet: str
    source_row: int
    reason: str
    original: dict[str, Any]


class AbstractIngestionRepository(ABC):
    """Where ingestion runs are stored."""

    @abstractmethod
    def latest_succeeded_run(self) -> RunSummary | None:
        """Return the most recent successful run, if any."""

    @abstractmethod
    def begin_run(self, run: NewRun) -> AbstractContextManager[int]:
        """Commit a 'running' row for ``run`` and yield its id while the run is alive.

        An exception leaving the block marks the run 'failed' with the error, and
        propagates; a process that dies inside it leaves a run that ``mark_abandoned_runs``
        (called by every later load) marks 'abandoned'.
        """

    @abstractmethod
    def load(self, run_id: int, load: CleanLoad, check: LoadCheck | None = None) -> None:
        """Replace the clean data set and its rollups in one transaction.

        The load waits until every earlier-started run has ended, so loads land in start
        order. ``check`` sees the row count of each clean table as it is just before the
        replacement and may raise to refuse the load, which then changes nothing.

        Raises:
            IngestionBusy: another ingestion kept us waiting past the timeout.
        """

    @abstractmethod
    def mark_abandoned_runs(self) -> list[int]:
        """Mark the 'running' runs whose process died as 'abandoned'; return their ids."""

    @abstractmethod
    def list_runs(self, limit: int = 20) -> list[RunSummary]:
        """Return the most recent runs, newest first."""

    @abstractmethod
    def list_quarantine(self, run_id: int | None = None, limit: int = 100) -> list[QuarantinedRow]:
        """Return quarantined rows of ``run_id`` (default: the latest successful run)."""

    @abstractmethod
    def read_legacy_tables(self) -> dict[str, pd.DataFrame]:
        """Return the legacy tables' rows as raw sheets (canonical column names, source_row)."""
