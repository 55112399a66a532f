"""Statistics over the stored data: the abstract interface and its PostgreSQL implementation."""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, text

from repository import figures
from repository.engine import retry_if_partition_detached, single_statements
from repository.errors import NotFound
from repository.model import UNKNOWN
from repository.statistics import sql as statistics_sql
from repository.statistics.reach_snapshot import CODED, SnapshotCache

GRANULARITIES = ("month", "quarter", "year")
FILTER_DIMENSIONS = ("channel", "sentiment", "topic", "customer_type")
GROUP_DIMENSIONS = ("product", "customer_type", "channel", "topic", "sentiment")


@dataclass(frozen=True)
class InteractionFilter:
    """Which interactions a statistic counts; empty tuples mean "any".

    UNKNOWN in a tuple matches the interactions shown as UNKNOWN in the results (no value).
    """

    date_from: date | None = None
    date_to: date | None = None  # inclusive
    channels: tuple[str, ...] = ()
    sentiments: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    customer_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class RangeSplit:
    """A date range cut into whole months (from the rollup) and partial months (from rows)."""

    whole_from: date | None
    whole_to: date | None  # exclusive
    use_rollup: bool
    partial: tuple[tuple[datetime, datetime], ...]


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def split_range(date_from: date | None, date_to: date | None) -> RangeSplit:
    """Split an inclusive date range into whole months and at most two partial stretches."""
    end = date_to + timedelta(days=1) if date_to else None  # exclusive
    whole_from = date_from if date_from is None or date_from.day == 1 else _next_month(date_from)
    whole_to = end if end is None or end.day == 1 else _month_start(end)
    if whole_from and whole_to and whole_from >= whole_to:
        assert date_from and end
        return RangeSplit(None, None, False, ((_at(date_from), _at(end)),))
    partial = []
    if date_from and whole_from and whole_from != date_from:
        partial.append((_at(date_from), _at(whole_from)))
    if end and whole_to and whole_to != end:
        partial.append((_at(whole_to), _at(end)))
    return RangeSplit(whole_from, whole_to, True, tuple(partial))


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


# The names the legacy row-count endpoint answers for; repository/figures.py maps each to
# the clean table it counts (the data the service serves, not the raw legacy import).
_SERVED_VERSION = "SELECT version FROM insights.data_version"

LEGACY_TABLES = ("customers", "interactions", "products")


class AbstractStatisticsRepository(ABC):
    """Read-side statistics queries."""

    def count_rows(self, table: str) -> int:
        """Return the number of clean rows behind one of ``LEGACY_TABLES``.

        Raises:
            NotFound: ``table`` is not one of ``LEGACY_TABLES``.
        """
        if table not in LEGACY_TABLES:
            raise NotFound(f"unknown table {table!r}; expected one of: {', '.join(LEGACY_TABLES)}")
        return self._count_rows(table)

    @abstractmethod
    def _count_rows(self, table: str) -> int:
        """Count rows of a table already checked against the allow-list."""

    def product_interactions(
        self, filters: InteractionFilter, granularity: str | None = None
    ) -> list[dict[str, Any]]:
        """Count interactions per product and customer type (and period, if asked)."""
        return self.interaction_counts(filters, ("product", "customer_type"), granularity)

    def interaction_counts(
        self, filters: InteractionFilter, group_by: tuple[str, ...], granularity: str | None = None
    ) -> list[dict[str, Any]]:
        """Count interactions per combination of ``group_by`` dimensions (and period).

        Rows hold the ``group_by`` keys and ``"interactions"``, plus ``"period"`` ("2024-01",
        "2024-Q1" or "2024") when ``granularity`` is set; sorted by period, then the keys
        in order. UNKNOWN stands for a missing value. Combinations with no
        interactions are absent.
        """
        unknown = [name for name in group_by if name not in GROUP_DIMENSIONS]
        if unknown or not group_by:
            raise ValueError(f"cannot group by {unknown or 'nothing'}")
        rows = self._interaction_counts(filters, group_by, granularity)
        keep = (*group_by, "interactions", *(("period",) if granularity else ()))
        return [{key: row[key] for key in keep} for row in rows]

    @abstractmethod
    def _interaction_counts(
        self, filters: InteractionFilter, group_by: tuple[str, ...], granularity: str | None
    ) -> list[dict[str, Any]]:
        """Return rows with ``period``, the ``group_by`` keys and ``interactions``."""

    @abstractmethod
    def reach(self, filters: InteractionFilter) -> dict[str, Any]:
        """Return distinct ``customers`` and the ``first_interaction``/``last_interaction``."""

    @abstractmethod
    def filter_values(self) -> dict[str, set[str]]:
        """Return the values present for each of ``FILTER_DIMENSIONS`` (UNKNOWN aside).

        Channels, topics and sentiments are those of the interactions; customer types
        those of the customers sheet, as the customer list accepts.
        """


class PostgresStatisticsRepository(AbstractStatisticsRepository):
    """Statistics computed by PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._snapshots = SnapshotCache(engine)
        self._filter_values: tuple[int, dict[str, set[str]]] | None = None

    @retry_if_partition_detached
    def _count_rows(self, table: str) -> int:
        # The load's recorded figure: count(*) over 1M rows took 64 ms per request.
        with single_statements(self._engine) as connection:
            return int(connection.execute(figures.ROW_COUNTS[table]).scalar_one())

    @retry_if_partition_detached
    def _interaction_counts(
        self, filters: InteractionFilter, group_by: tuple[str, ...], granularity: str | None
    ) -> list[dict[str, Any]]:
        if filters == InteractionFilter() and granularity is None and len(group_by) == 1:
            recorded = self._recorded_counts(group_by[0])
            if recorded is not None:
                return recorded
        if granularity is None and len(group_by) == 1 and group_by[0] in CODED:
            # One filter dimension, any filters: from the in-memory columns (130-220 ms of
            # SQL per dimension at 1M rows with a partial month at either end).
            counts = self._snapshots.current().counts(
                filters.date_from, filters.date_to, _wanted(filters), group_by[0]
            )
            return [
                {"period": None, group_by[0]: value, "interactions": n}
                for value, n in sorted(counts.items())
            ]
        coarse = (
            not (filters.channels or filters.sentiments or filters.topics)
            # The daily rollup holds product and customer type: a type filter stays coarse.
            and set(group_by) <= statistics_sql.COARSE_DIMENSIONS
        )
        query = text(statistics_sql.interaction_counts(group_by, granularity, coarse))
        params: dict[str, Any] = {
            "date_from": filters.date_from,
            "date_to": filters.date_to,
            "customer_types": list(filters.customer_types),
        }
        if not coarse:
            split = split_range(filters.date_from, filters.date_to)
            (lo1, hi1), (lo2, hi2) = (list(split.partial) + [(None, None)] * 2)[:2]
            params = {
                "use_rollup": split.use_rollup,
                "whole_from": split.whole_from,
                "whole_to": split.whole_to,
                "lo1": lo1, "hi1": hi1, "lo2": lo2, "hi2": hi2,
                **_filter_params(filters),
            }  # fmt: skip
        with self._engine.connect() as connection:
            return [dict(row) for row in connection.execute(query, params).mappings()]

    def _recorded_counts(self, dimension: str) -> list[dict[str, Any]] | None:
        """Return the load's counts per value of ``dimension``, sorted as SQL sorts them."""
        with single_statements(self._engine) as connection:
            params = {"dimension": dimension}
            counts = connection.execute(figures.INTERACTIONS_BY, params).scalar_one_or_none()
        if counts is None:
            return None
        # Python orders strings by code point, as COLLATE "C" orders UTF-8 bytes.
        return [
            {"period": None, dimension: value, "interactions": n}
            for value, n in sorted(counts.items())
        ]

    @retry_if_partition_detached
    def reach(self, filters: InteractionFilter) -> dict[str, Any]:
        if filters == InteractionFilter():  # the whole version: the load recorded it
            with single_statements(self._engine) as connection:
                recorded = connection.execute(figures.REACH).mappings().one_or_none()
            if recorded is not None:
                return dict(recorded)
        # Filtered distinct counts from the in-memory columns (reach_snapshot.py says why).
        snapshot = self._snapshots.current()
        return snapshot.reach(filters.date_from, filters.date_to, _wanted(filters))

    @retry_if_partition_detached
    def filter_values(self) -> dict[str, set[str]]:
        # Per data version: the query took 280 ms under load on every filtered request.
        isolated = self._engine.connect().execution_options(isolation_level="REPEATABLE READ")
        with isolated as connection:
            version = connection.execute(text(_SERVED_VERSION)).scalar_one()
            cached = self._filter_values
            if cached is not None and cached[0] == version:
                return {dimension: set(found) for dimension, found in cached[1].items()}
            values = _recorded_filter_values(connection)
            if values is None:  # no figures row (rows written by hand): scan the rollup
                values = {dimension: set() for dimension in FILTER_DIMENSIONS}
                for dimension, value in connection.execute(text(statistics_sql.FILTER_VALUES)):
                    values[dimension].add(value)
        self._filter_values = (version, values)
        return {dimension: set(found) for dimension, found in values.items()}


def _recorded_filter_values(connection: Connection) -> dict[str, set[str]] | None:
    """Return the filter values from the load's figures, or None when it recorded none.

    The figures name a missing value UNKNOWN; the filters offer UNKNOWN on their own.
    """
    row = connection.execute(figures.FILTER_CHOICES).one_or_none()
    if row is None:
        return None
    interactions_by, customers_by_type = row
    values = {d: set(interactions_by.get(d, {})) for d in FILTER_DIMENSIONS if d != "customer_type"}
    values["customer_type"] = set(customers_by_type)
    return {dimension: found - {UNKNOWN} for dimension, found in values.items()}


def _wanted(filters: InteractionFilter) -> dict[str, tuple[str, ...]]:
    return {
        "channel": filters.channels,
        "topic": filters.topics,
        "sentiment": filters.sentiments,
        "customer_type": filters.customer_types,
    }


def _filter_params(filters: InteractionFilter) -> dict[str, list[str]]:
    return {
        "channels": list(filters.channels),
        "sentiments": list(filters.sentiments),
        "topics": list(filters.topics),
        "customer_types": list(filters.customer_types),
    }
