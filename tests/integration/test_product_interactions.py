"""Interactions per product per customer type, checked against counts made in the test.

A generated messy data set is ingested; the expected numbers are computed here with
pandas from the clean rows (not from the rollup or the endpoint's SQL), and both
repository implementations, then the HTTP endpoint, must agree with them.
"""

import csv
import io
from datetime import date

import pandas as pd
import pytest

from repository.engine import build_engine
from repository.statistics import InteractionFilter, PostgresStatisticsRepository
from tests.fakes import InMemoryStatisticsRepository, InteractionFact
from tests.support import client_with_key, make_app, query

CLEAN_ROWS = """
    SELECT i.occurred_at, i.customer_id, i.channel, i.topic, i.sentiment,
           COALESCE(c.customer_type, 'Unknown') AS customer_type,
           COALESCE(p.name, 'Unknown') AS product
    FROM insights.interactions i
    LEFT JOIN insights.customers c USING (customer_id)
    LEFT JOIN insights.product_months pm ON pm.month = date_trunc('month', i.occurred_at)::date
    LEFT JOIN insights.products p ON p.id = pm.product_id
"""

FILTERS = {
    "everything": InteractionFilter(),
    "partial months at both ends": InteractionFilter(date(2020, 3, 17), date(2022, 8, 9)),
    "whole months": InteractionFilter(date(2021, 1, 1), date(2021, 12, 31)),
    "inside one month": InteractionFilter(date(2023, 5, 2), date(2023, 5, 20)),
    "from only": InteractionFilter(date_from=date(2024, 6, 15)),
    "to only": InteractionFilter(date_to=date(2019, 4, 10)),
    "channel": InteractionFilter(channels=("Email", "Bird")),
    "sentiment": InteractionFilter(sentiments=("Negative",)),
    "topic": InteractionFilter(topics=("Drug Efficacy",)),
    "all at once": InteractionFilter(
        date(2020, 2, 10), date(2023, 11, 3), ("Call",), ("Positive", "Neutral"), ("Drug Efficacy",)
    ),
}
PERIOD = {"month": "%Y-%m", "year": "%Y"}


@pytest.fixture(scope="module")
def ingested(database_server, migrated_template, tmp_path_factory):
    """A migrated database holding a generated export, shared read-only by this module."""
    from pipelines.ingestion import synthetic
    from tests.support import CommandLine

    url = database_server.create(template=migrated_template)
    folder = tmp_path_factory.mktemp("generated")
    synthetic.write_dataset(synthetic.generate_dataset(300, 4000, seed=3), folder, "csv")
    app = make_app(url)
    assert CommandLine(app)("ingest", str(folder)).exit_code == 0
    app.extensions["insights"]["repositories"].close()
    frame = pd.DataFrame(
        query(url, CLEAN_ROWS),
        columns=[
            "occurred_at",
            "customer_id",
            "channel",
            "topic",
            "sentiment",
            "customer_type",
            "product",
        ],
    )
    yield url, frame
    database_server.drop(url)


def expected(frame: pd.DataFrame, filters: InteractionFilter, granularity=None) -> list[dict]:
    kept = frame[expected_rows_mask(frame, filters)].copy()
    keys = ["product", "customer_type"]
    if granularity:
        if granularity == "quarter":
            at = kept["occurred_at"]
            kept["period"] = at.dt.year.astype(str) + "-Q" + at.dt.quarter.astype(str)
        else:
            kept["period"] = kept["occurred_at"].dt.strftime(PERIOD[granularity])
        keys = ["period", *keys]
    counts = kept.groupby(keys).size().reset_index(name="interactions")
    return sorted(counts.to_dict("records"), key=lambda r: tuple(r[k] for k in keys))


@pytest.fixture(params=["postgres", "memory"])
def statistics(request, ingested):
    url, frame = ingested
    if request.param == "memory":
        plain = frame.astype(object).where(frame.notna(), None)
        facts = [InteractionFact(**row) for row in plain.to_dict("records")]
        yield InMemoryStatisticsRepository(facts=facts)
        return
    engine = build_engine(url)
    yield PostgresStatisticsRepository(engine)
    engine.dispose()


class TestProductInteractionsContract:
    @pytest.mark.parametrize("name", FILTERS)
    def test_counts_match_the_clean_rows(self, statistics, ingested, name):
        rows = statistics.product_interactions(FILTERS[name])
        assert rows == expected(ingested[1], FILTERS[name])

    @pytest.mark.parametrize("granularity", ["month", "quarter", "year"])
    def test_periods_split_the_same_counts(self, statistics, ingested, granularity):
        filters = FILTERS["partial months at both ends"]
        rows = statistics.product_interactions(filters, granularity)
        assert rows == expected(ingested[1], filters, granularity)

    def test_unfiltered_totals_equal_every_clean_interaction(self, statistics, ingested):
        total = sum(r["interactions"] for r in statistics.product_interactions(InteractionFilter()))
        assert total == len(ingested[1])

    def test_unknown_appears_as_product_and_customer_type(self, statistics):
        rows = statistics.product_interactions(InteractionFilter())
        assert any(r["product"] == "Unknown" for r in rows)
        assert any(r["customer_type"] == "Unknown" for r in rows)

    def test_filter_values_are_the_ones_in_the_data(self, statistics, ingested):
        frame = ingested[1]
        values = statistics.filter_values()
        for dimension in ("channel", "sentiment", "topic"):
            assert values[dimension] == set(frame[dimension].dropna())


@pytest.fixture
def stats_client(ingested):
    app = make_app(ingested[0])
    yield client_with_key(app)
    app.extensions["insights"]["repositories"].close()


ENDPOINT = "/api/v1/statistics/product-interactions"


class TestProductInteractionsEndpoint:
    def test_rows_totals_and_filters_over_http(self, stats_client, ingested):
        response = stats_client.get(
            ENDPOINT, query_string={"from": "2020-03-17", "to": "2022-08-09", "channel": "email"}
        )
        assert response.status_code == 200
        body = response.get_json()
        filters = InteractionFilter(date(2020, 3, 17), date(2022, 8, 9), ("Email",))
        want = expected(ingested[1], filters)
        assert body["data"] == want
        assert body["totals"]["interactions"] == sum(r["interactions"] for r in want)
        by_type = {}
        for row in want:
            by_type[row["customer_type"]] = (
                by_type.get(row["customer_type"], 0) + row["interactions"]
            )
        assert body["totals"]["by_customer_type"] == by_type
        assert body["filters"]["channel"] == ["Email"]

    @pytest.mark.parametrize(
        "how", [{"query_string": {"format": "csv"}}, {"headers": {"Accept": "text/csv"}}]
    )
    def test_the_csv_form_matches_the_json_form(self, stats_client, how):
        json_rows = stats_client.get(ENDPOINT, query_string={"granularity": "year"}).get_json()
        query_string = {"granularity": "year", **how.get("query_string", {})}
        response = stats_client.get(ENDPOINT, query_string=query_string, headers=how.get("headers"))
        assert response.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        assert [{**r, "interactions": int(r["interactions"])} for r in rows] == json_rows["data"]

    @pytest.mark.parametrize(
        ("query_string", "parameter"),
        [
            ({"from": "2024-13-01"}, "from"),
            ({"to": "yesterday"}, "to"),
            ({"from": "2024-02-01", "to": "2024-01-31"}, "from"),
            ({"channel": "Telepathy"}, "channel"),
            ({"sentiment": "Mixed"}, "sentiment"),
            ({"topic": "Weather"}, "topic"),
            ({"granularity": "week"}, "granularity"),
            ({"format": "xml"}, "format"),
        ],
    )
    def test_bad_input_is_a_422_naming_the_parameter(self, stats_client, query_string, parameter):
        response = stats_client.get(ENDPOINT, query_string=query_string)
        assert response.status_code == 422
        body = response.get_json()
        assert f"'{parameter}'" in body["message"]
        assert parameter in body["errors"]["query"]


def kept(frame: pd.DataFrame, filters: InteractionFilter) -> pd.DataFrame:
    rows = expected_rows_mask(frame, filters)
    return frame[rows].fillna({"channel": "Unknown", "topic": "Unknown", "sentiment": "Unknown"})


def expected_rows_mask(frame: pd.DataFrame, filters: InteractionFilter) -> pd.Series:
    day = frame["occurred_at"].dt.date
    mask = pd.Series(True, index=frame.index)
    if filters.date_from:
        mask &= day >= filters.date_from
    if filters.date_to:
        mask &= day <= filters.date_to
    for column, values in (
        ("channel", filters.channels), ("sentiment", filters.sentiments), ("topic", filters.topics)
    ):  # fmt: skip
        if values:
            mask &= frame[column].isin(values)
    return mask


class TestOverviewAndTimeseriesContract:
    @pytest.mark.parametrize("name", ["everything", "partial months at both ends", "all at once"])
    def test_counts_per_dimension_match(self, statistics, ingested, name):
        rows = kept(ingested[1], FILTERS[name])
        for dimension in ("channel", "sentiment", "topic", "customer_type"):
            got = statistics.interaction_counts(FILTERS[name], (dimension,))
            assert {r[dimension]: r["interactions"] for r in got} == rows[
                dimension
            ].value_counts().to_dict()

    @pytest.mark.parametrize("name", ["everything", "partial months at both ends", "channel"])
    def test_reach_counts_customers_and_the_span(self, statistics, ingested, name):
        rows = kept(ingested[1], FILTERS[name])
        reach = statistics.reach(FILTERS[name])
        assert reach["customers"] == rows["customer_id"].nunique()
        assert reach["first_interaction"] == rows["occurred_at"].min().to_pydatetime()
        assert reach["last_interaction"] == rows["occurred_at"].max().to_pydatetime()

    @pytest.mark.parametrize("dimension", ["channel", "product", "sentiment"])
    def test_monthly_series_match(self, statistics, ingested, dimension):
        filters = FILTERS["partial months at both ends"]
        rows = kept(ingested[1], filters).assign(
            period=lambda f: f["occurred_at"].dt.strftime("%Y-%m")
        )
        want = rows.groupby(["period", dimension]).size().to_dict()
        got = statistics.interaction_counts(filters, (dimension,), "month")
        assert {(r["period"], r[dimension]): r["interactions"] for r in got} == want


class TestOverviewAndTimeseriesEndpoints:
    def test_overview_over_http(self, stats_client, ingested):
        body = stats_client.get(
            "/api/v1/statistics/overview", query_string={"sentiment": "negative"}
        ).get_json()
        rows = kept(ingested[1], InteractionFilter(sentiments=("Negative",)))
        assert body["totals"] == {
            "interactions": len(rows),
            "customers": rows["customer_id"].nunique(),
        }
        assert body["by_channel"] == rows["channel"].value_counts().to_dict()
        assert body["first_interaction"] == rows["occurred_at"].min().isoformat(timespec="minutes")
        assert body["filters"]["sentiment"] == ["Negative"]

    def test_timeseries_over_http(self, stats_client, ingested):
        response = stats_client.get(
            "/api/v1/statistics/timeseries",
            query_string={"group_by": "customer_type", "granularity": "year"},
        )
        assert response.status_code == 200
        rows = kept(ingested[1], InteractionFilter()).assign(
            period=lambda f: f["occurred_at"].dt.strftime("%Y")
        )
        want = rows.groupby(["period", "customer_type"]).size().to_dict()
        data = response.get_json()["data"]
        assert {(r["period"], r["customer_type"]): r["interactions"] for r in data} == want

    @pytest.mark.parametrize(
        ("query_string", "parameter"),
        [
            ({}, "group_by"),
            ({"group_by": "weather"}, "group_by"),
            ({"group_by": "channel", "granularity": "day"}, "granularity"),
        ],
    )
    def test_timeseries_bad_input_is_a_422_naming_the_parameter(
        self, stats_client, query_string, parameter
    ):
        response = stats_client.get("/api/v1/statistics/timeseries", query_string=query_string)
        assert response.status_code == 422
        assert parameter in response.get_json()["errors"]["query"]

    def test_overview_rejects_from_after_to(self, stats_client):
        response = stats_client.get(
            "/api/v1/statistics/overview", query_string={"from": "2024-02-02", "to": "2024-02-01"}
        )
        assert response.status_code == 422 and "'from'" in response.get_json()["message"]
