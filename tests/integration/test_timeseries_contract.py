"""Timeseries and filter choices as the console reads them, against counts made in the test.

The timeseries sums months before naming periods, and the filter choices come from the
load's figures; both must give what pandas computes from the clean rows.
"""

from datetime import date

import pandas as pd
import pytest

from repository.engine import build_engine
from repository.statistics import InteractionFilter, PostgresStatisticsRepository
from tests.integration import test_product_interactions as shared
from tests.integration.test_product_interactions import FILTERS, kept
from tests.support import ingest_bundled_sample, query

# The generated data set and both repository implementations of the product tests.
ingested = shared.ingested
statistics = shared.statistics

CASES = {
    **FILTERS,
    "customer type, partial months": InteractionFilter(
        date(2020, 5, 9), date(2023, 2, 14), customer_types=("Unknown", "Red")
    ),
    "customer type and channel, whole months": InteractionFilter(
        date(2021, 1, 1), date(2022, 6, 30), channels=("Email",), customer_types=("Blue",)
    ),
}


def periods(at: pd.Series, granularity: str) -> pd.Series:
    if granularity == "quarter":
        return at.dt.year.astype(str) + "-Q" + at.dt.quarter.astype(str)
    return at.dt.strftime({"month": "%Y-%m", "year": "%Y"}[granularity])


def expected_series(frame, filters, granularity, dimension) -> list[dict]:
    rows = kept(frame, filters)
    if filters.customer_types:
        rows = rows[rows["customer_type"].isin(filters.customer_types)]
    counts = rows.assign(period=periods(rows["occurred_at"], granularity))
    counts = counts.groupby(["period", dimension]).size().reset_index(name="interactions")
    found = counts.to_dict("records")
    # Period, then the value in byte order (as Python orders str).
    return sorted(found, key=lambda r: (r["period"], r[dimension]))


class TestTimeseriesContract:
    @pytest.mark.parametrize("name", CASES)
    @pytest.mark.parametrize("granularity", ["month", "quarter", "year"])
    @pytest.mark.parametrize("dimension", ["channel", "topic", "product", "customer_type"])
    def test_series_match_the_clean_rows_in_order(
        self, statistics, ingested, name, granularity, dimension
    ):
        got = statistics.interaction_counts(CASES[name], (dimension,), granularity)
        want = expected_series(ingested[1], CASES[name], granularity, dimension)
        assert [(r["period"], r[dimension], r["interactions"]) for r in got] == [
            (r["period"], r[dimension], r["interactions"]) for r in want
        ]


@pytest.fixture
def sample_statistics(database_url):
    ingest_bundled_sample(database_url)
    engine = build_engine(database_url)
    yield database_url, engine
    engine.dispose()


def values_in_rows(url: str) -> dict[str, set[str]]:
    """Each filter's values read from the clean tables, missing values left out."""
    found: dict[str, set[str]] = {}
    for dimension in ("channel", "sentiment", "topic"):
        rows = query(url, f"SELECT DISTINCT {dimension} FROM insights.interactions")
        found[dimension] = {value for (value,) in rows if value is not None}
    types = query(url, "SELECT DISTINCT customer_type FROM insights.customers")
    found["customer_type"] = {value for (value,) in types if value is not None}
    return found


class TestFilterChoices:
    def test_the_load_figures_give_the_values_of_the_rows(self, sample_statistics):
        url, engine = sample_statistics
        assert query(url, "SELECT count(*) FROM insights.load_figures")[0][0] == 1
        assert PostgresStatisticsRepository(engine).filter_values() == values_in_rows(url)

    def test_without_figures_the_values_are_read_from_the_rollup(self, sample_statistics):
        url, engine = sample_statistics
        query(url, "DELETE FROM insights.load_figures RETURNING 1")
        assert PostgresStatisticsRepository(engine).filter_values() == values_in_rows(url)
