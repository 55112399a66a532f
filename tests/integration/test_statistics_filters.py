"""The customer type filter and "Unknown" as a filter value, against counts made here.

A generated messy export is ingested; the expected numbers come from pandas over the clean
rows (missing values shown as Unknown, as every breakdown shows them), not from the
rollups or the endpoints' SQL.
"""

from datetime import date

import pandas as pd
import pytest

from repository.engine import build_engine
from repository.statistics import InteractionFilter, PostgresStatisticsRepository
from tests.fakes import InMemoryStatisticsRepository, InteractionFact
from tests.integration.test_product_interactions import CLEAN_ROWS
from tests.support import client_with_key, make_app, query

COLUMNS = ["occurred_at", "customer_id", "channel", "topic", "sentiment", "customer_type"]
COLUMNS += ["product"]
UNKNOWN_FILLED = {"channel": "Unknown", "topic": "Unknown", "sentiment": "Unknown"}


@pytest.fixture(scope="module")
def ingested(database_server, migrated_template, tmp_path_factory):
    """A database holding a generated export, and its clean rows as pandas sees them."""
    from pipelines.ingestion import synthetic
    from tests.support import CommandLine

    url = database_server.create(template=migrated_template)
    folder = tmp_path_factory.mktemp("generated")
    synthetic.write_dataset(synthetic.generate_dataset(200, 3000, seed=5), folder, "csv")
    app = make_app(url)
    assert CommandLine(app)("ingest", str(folder)).exit_code == 0
    app.extensions["insights"]["repositories"].close()
    frame = pd.DataFrame(query(url, CLEAN_ROWS), columns=COLUMNS)
    yield url, frame
    database_server.drop(url)


@pytest.fixture(params=["postgres", "memory"])
def statistics(request, ingested):
    url, frame = ingested
    if request.param == "memory":
        plain = frame.astype(object).where(frame.notna(), None)
        yield InMemoryStatisticsRepository(
            facts=[InteractionFact(**row) for row in plain.to_dict("records")]
        )
        return
    engine = build_engine(url)
    yield PostgresStatisticsRepository(engine)
    engine.dispose()


def a_known_type(frame: pd.DataFrame) -> str:
    """The most frequent customer type other than Unknown."""
    return frame.loc[frame["customer_type"] != "Unknown", "customer_type"].mode()[0]


def filters_for(frame: pd.DataFrame) -> dict[str, InteractionFilter]:
    known = a_known_type(frame)
    return {
        "one type": InteractionFilter(customer_types=(known,)),
        "Unknown type": InteractionFilter(customer_types=("Unknown",)),
        "type in partial months": InteractionFilter(
            date(2020, 3, 17), date(2022, 8, 9), customer_types=(known, "Unknown")
        ),
        "Unknown sentiment": InteractionFilter(sentiments=("Unknown",)),
        "Unknown topic and a channel": InteractionFilter(channels=("Email",), topics=("Unknown",)),
        "Unknown channel or Call": InteractionFilter(channels=("Unknown", "Call")),
        "everything at once": InteractionFilter(
            date(2020, 2, 10), date(2023, 11, 3), (), ("Unknown", "Positive"), (), (known,)
        ),
    }


def expected_rows(frame: pd.DataFrame, filters: InteractionFilter) -> pd.DataFrame:
    shown = frame.fillna(UNKNOWN_FILLED)
    day = shown["occurred_at"].dt.date
    mask = pd.Series(True, index=shown.index)
    if filters.date_from:
        mask &= day >= filters.date_from
    if filters.date_to:
        mask &= day <= filters.date_to
    for column, values in (
        ("channel", filters.channels), ("sentiment", filters.sentiments),
        ("topic", filters.topics), ("customer_type", filters.customer_types),
    ):  # fmt: skip
        if values:
            mask &= shown[column].isin(values)
    return shown[mask]


NAMES = list(filters_for(pd.DataFrame({"customer_type": ["x"]})))


class TestFilterContract:
    def test_the_data_has_unknown_values_to_filter_on(self, ingested):
        shown = ingested[1].fillna(UNKNOWN_FILLED)
        for column in ("customer_type", "sentiment", "topic", "product"):
            assert (shown[column] == "Unknown").any(), column

    @pytest.mark.parametrize("name", NAMES)
    def test_counts_per_product_and_type_match(self, statistics, ingested, name):
        filters = filters_for(ingested[1])[name]
        rows = expected_rows(ingested[1], filters)
        want = rows.groupby(["product", "customer_type"]).size().to_dict()
        got = statistics.product_interactions(filters)
        assert {(r["product"], r["customer_type"]): r["interactions"] for r in got} == want
        assert want  # each filter selects something

    @pytest.mark.parametrize("name", NAMES)
    def test_reach_counts_the_same_customers(self, statistics, ingested, name):
        filters = filters_for(ingested[1])[name]
        rows = expected_rows(ingested[1], filters)
        assert statistics.reach(filters)["customers"] == rows["customer_id"].nunique()

    def test_customer_types_of_the_sheet_are_filter_values(self, ingested):
        url, frame = ingested
        engine = build_engine(url)
        values = PostgresStatisticsRepository(engine).filter_values()
        engine.dispose()
        sheet = {t for (t,) in query(url, "SELECT DISTINCT customer_type FROM insights.customers")}
        assert values["customer_type"] == sheet - {None}


@pytest.fixture
def stats_client(ingested):
    app = make_app(ingested[0])
    yield client_with_key(app)
    app.extensions["insights"]["repositories"].close()


class TestFiltersOverHttp:
    def test_unknown_sentiment_in_any_case_counts_interactions_without_one(
        self, stats_client, ingested
    ):
        body = stats_client.get(
            "/api/v1/statistics/overview", query_string={"sentiment": "unknown"}
        ).get_json()
        rows = expected_rows(ingested[1], InteractionFilter(sentiments=("Unknown",)))
        assert body["totals"]["interactions"] == len(rows) > 0
        assert body["by_sentiment"] == {"Unknown": len(rows)}
        assert body["filters"]["sentiment"] == ["Unknown"]

    def test_customer_type_filters_product_interactions(self, stats_client, ingested):
        known = a_known_type(ingested[1])
        response = stats_client.get(
            "/api/v1/statistics/product-interactions",
            query_string={"customer_type": known.upper()},
        )
        body = response.get_json()
        rows = expected_rows(ingested[1], InteractionFilter(customer_types=(known,)))
        assert body["totals"]["by_customer_type"] == {known: len(rows)}
        assert body["filters"]["customer_type"] == [known]

    def test_unknown_customer_type_in_the_timeseries(self, stats_client, ingested):
        response = stats_client.get(
            "/api/v1/statistics/timeseries",
            query_string={"group_by": "product", "granularity": "year", "customer_type": "Unknown"},
        )
        rows = expected_rows(ingested[1], InteractionFilter(customer_types=("Unknown",)))
        want = rows.groupby([rows["occurred_at"].dt.strftime("%Y"), "product"]).size().to_dict()
        data = response.get_json()["data"]
        assert {(r["period"], r["product"]): r["interactions"] for r in data} == want

    def test_a_bad_sentiment_lists_the_fixed_vocabulary(self, stats_client):
        response = stats_client.get(
            "/api/v1/statistics/overview", query_string={"sentiment": "Mixed"}
        )
        problem = response.get_json()["errors"]["query"]["sentiment"][0]
        assert response.status_code == 422
        assert "Positive, Neutral, Negative, Unknown" in problem

    def test_a_bad_customer_type_points_to_the_overview_without_listing_stored_types(
        self, stats_client, ingested
    ):
        response = stats_client.get(
            "/api/v1/statistics/overview", query_string={"customer_type": "Nope"}
        )
        body = response.get_json()
        assert response.status_code == 422
        assert "by_customer_type" in body["errors"]["query"]["customer_type"][0]
        assert a_known_type(ingested[1]) not in body["message"]
