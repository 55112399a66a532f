"""The semantic query layer's interface: measures counted per dimensions, period and filters.

A query names what to count (``interactions``, or distinct ``customers``), what to group
by, an optional period granularity and date range, filters, an order and a limit. The
base class decides which source can answer it, so every implementation reports the same
one: the rollups when they hold every column the query touches, the rows otherwise.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

MEASURES = ("interactions", "customers")
# "customer" (the customer id) is only in the rows; the others are in the monthly rollup.
DIMENSIONS = ("product", "customer_type", "channel", "topic", "sentiment", "customer")
GRANULARITIES = ("day", "week", "month", "quarter", "year")
OPERATORS = ("equals", "not_equals", "in")
DIRECTIONS = ("asc", "desc")
PERIOD = "period"
MAX_LIMIT = 10_000

ROLLUP, ROWS = "rollup", "rows"
# The daily rollup holds these two for any day; the monthly one all five, per month.
DAILY_DIMENSIONS = frozenset({"product", "customer_type"})
MONTHLY_DIMENSIONS = frozenset({"product", "customer_type", "channel", "topic", "sentiment"})
MONTHLY_GRANULARITIES = (None, "month", "quarter", "year")
_R = TypeVar("_R")


@dataclass(frozen=True)
class QueryFilter:
    """Keep rows whose ``dimension`` is (equals, in) or is not (not_equals) one of ``values``."""

    dimension: str
    op: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class OrderBy:
    """Sort by a measure, a dimension or ``period``."""

    by: str
    direction: str = "asc"


@dataclass(frozen=True)
class SemanticQuery:
    """One validated query; names and values are canonical (see pipelines/research/queries)."""

    measures: tuple[str, ...] = ("interactions",)
    dimensions: tuple[str, ...] = ()
    granularity: str | None = None
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    filters: tuple[QueryFilter, ...] = ()
    order: tuple[OrderBy, ...] = ()
    limit: int | None = None

    def columns(self) -> tuple[str, ...]:
        """Return the names of a result row's columns, in order."""
        period = (PERIOD,) if self.granularity else ()
        return (*period, *self.dimensions, *self.measures)

    def sort_keys(self) -> tuple[OrderBy, ...]:
        """Return the requested order completed by period and dimensions, so ties are fixed."""
        named = {item.by for item in self.order}
        rest = [OrderBy(c) for c in self.columns() if c not in named and c not in MEASURES]
        return (*self.order, *rest)

    def as_dict(self) -> dict[str, Any]:
        """Return the query as JSON-ready data: the normalised form a response shows."""
        return {
            "measures": list(self.measures),
            "dimensions": list(self.dimensions),
            "time": {
                "granularity": self.granularity,
                "from": self.date_from.isoformat() if self.date_from else None,
                "to": self.date_to.isoformat() if self.date_to else None,
            },
            "filters": [{**asdict(f), "values": list(f.values)} for f in self.filters],
            "order": [asdict(item) for item in self.order],
            "limit": self.limit,
        }


@dataclass(frozen=True)
class QueryResult:
    """The rows of one query and the source that served them (ROLLUP or ROWS)."""

    rows: list[dict[str, Any]]
    source: str


@dataclass(frozen=True)
class Citation:
    """One interaction that exemplifies an answer."""

    id: int
    date: date
    customer: int
    channel: str | None
    topic: str | None


@dataclass(frozen=True)
class SemanticVocabulary:
    """The values each dimension holds in the served data, and its first and last day."""

    values: dict[str, tuple[str, ...]]  # every dimension but "customer"
    first_day: date | None
    last_day: date | None


def whole_months(date_from: date | None, date_to: date | None) -> bool:
    """Tell whether a range starts on a month's first day and ends on a month's last."""
    starts = date_from is None or date_from.day == 1
    ends = date_to is None or (date_to + timedelta(days=1)).day == 1
    return starts and ends


def source_for(query: SemanticQuery) -> str:
    """Return which source answers ``query``: ROLLUP where one holds all it needs, else ROWS."""
    used = set(query.dimensions) | {item.dimension for item in query.filters}
    if query.measures != ("interactions",) or not used <= MONTHLY_DIMENSIONS:
        return ROWS
    if used <= DAILY_DIMENSIONS:
        return ROLLUP
    monthly = query.granularity in MONTHLY_GRANULARITIES
    return ROLLUP if monthly and whole_months(query.date_from, query.date_to) else ROWS


class AbstractSemanticRepository(ABC):
    """Answer semantic queries, list the vocabulary and find example interactions."""

    def run(self, query: SemanticQuery) -> QueryResult:
        """Return the rows of ``query`` (columns as ``query.columns()``) and their source.

        At most ``query.limit`` rows, and never more than MAX_LIMIT.
        """
        source = source_for(query)
        return QueryResult(self._run(query, source), source)

    def together(self, work: Callable[[], _R]) -> _R:
        """Return ``work()``, whose calls to this repository may share one connection.

        An answer runs several short reads; PostgreSQL serves them on one connection and
        one snapshot, so every number and citation comes from the same data version.
        """
        return work()

    @abstractmethod
    def _run(self, query: SemanticQuery, source: str) -> list[dict[str, Any]]:
        """Compute the rows of ``query`` from ``source``."""

    @abstractmethod
    def vocabulary(self, version: int | None = None) -> SemanticVocabulary:
        """Return the values every dimension holds (UNKNOWN included where it occurs).

        ``version``: the served data version, when the caller has just read it; an
        implementation that caches per version may then skip reading it again.
        """

    @abstractmethod
    def customer_exists(self, customer_id: int) -> bool:
        """Tell whether the served data has this customer or an interaction of theirs."""

    @abstractmethod
    def examples(self, query: SemanticQuery, limit: int) -> list[Citation]:
        """Return up to ``limit`` interactions matching the query's filters and dates.

        Newest first (ties: the higher id first); dimensions and order are ignored.
        """
