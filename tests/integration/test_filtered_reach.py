"""The filtered overview (distinct customers, first/last moment, counts per value) equals pandas.

The repository answers it from in-memory columns read once per data version
(repository/statistics/reach_snapshot.py); these counts come from plain SELECTs.
"""

import itertools
from urllib.parse import urlencode

import pandas as pd
import pytest

from pipelines.ingestion import synthetic
from tests.support import ingest_bundled_sample, query, seed_clean_rows

SERVED = "version = (SELECT version FROM insights.data_version)"
UNKNOWN = "Unknown"


def served_rows(url: str) -> pd.DataFrame:
    """The served interactions with their customer's type, joined in pandas."""
    interactions = pd.DataFrame(
        query(url, "SELECT customer_id, occurred_at, channel, topic, sentiment "
                   f"FROM insights.interactions WHERE {SERVED}"),
        columns=["customer_id", "occurred_at", "channel", "topic", "sentiment"],
    )  # fmt: skip
    customers = pd.DataFrame(
        query(url, f"SELECT customer_id, customer_type FROM insights.customers WHERE {SERVED}"),
        columns=["customer_id", "customer_type"],
    )
    rows = interactions.merge(customers, on="customer_id", how="left")
    return rows.fillna(
        {name: UNKNOWN for name in ("channel", "topic", "sentiment", "customer_type")}
    )


def filter_cases(rows: pd.DataFrame) -> list[dict[str, list[str]]]:
    """Date ranges crossed with one or two values of each dimension, Unknown included."""
    days = sorted(rows["occurred_at"].dt.date.unique())
    ranges = [{}, {"from": [str(days[len(days) // 3])], "to": [str(days[2 * len(days) // 3])]},
              {"from": [str(days[-1])], "to": [str(days[-1])]}]  # fmt: skip
    values = {
        name: sorted(rows[name].unique())
        for name in ("channel", "topic", "sentiment", "customer_type")
    }
    picks = [
        {"channel": values["channel"][:1]},
        {"sentiment": values["sentiment"][-2:], "customer_type": values["customer_type"][:1]},
        {"topic": values["topic"][1:3], "channel": values["channel"][-2:]},
        {"customer_type": [UNKNOWN]} if UNKNOWN in values["customer_type"] else {},
        {"channel": [UNKNOWN]} if UNKNOWN in values["channel"] else {"topic": values["topic"]},
    ]
    return [{**dates, **pick} for dates, pick in itertools.product(ranges, picks)]


def expected_reach(rows: pd.DataFrame, case: dict[str, list[str]]) -> dict:
    keep = pd.Series(True, index=rows.index)
    if "from" in case:
        keep &= rows["occurred_at"].dt.date >= pd.Timestamp(case["from"][0]).date()
        keep &= rows["occurred_at"].dt.date <= pd.Timestamp(case["to"][0]).date()
    for name in ("channel", "topic", "sentiment", "customer_type"):
        if name in case:
            keep &= rows[name].isin(case[name])
    matching = rows[keep]
    moments = [
        None if matching.empty else moment.isoformat(timespec="minutes")
        for moment in (matching["occurred_at"].min(), matching["occurred_at"].max())
    ]
    counts = {
        f"by_{name}": matching[name].value_counts().to_dict()
        for name in ("channel", "sentiment", "topic", "customer_type")
    }
    return {"customers": matching["customer_id"].nunique(), "moments": moments, **counts}


def assert_reach_as_counted(client, url: str) -> None:
    rows = served_rows(url)
    for case in filter_cases(rows):
        response = client.get(f"/api/v1/statistics/overview?{urlencode(case, doseq=True)}")
        assert response.status_code == 200, (case, response.get_json())
        body = response.get_json()
        got = {
            "customers": body["totals"]["customers"],
            "moments": [body["first_interaction"], body["last_interaction"]],
            **{name: body[name] for name in ("by_channel", "by_sentiment", "by_topic")},
            "by_customer_type": body["by_customer_type"],
        }
        assert got == expected_reach(rows, case), case


class TestFilteredReach:
    def test_after_the_bundled_sample(self, client, database_url):
        ingest_bundled_sample(database_url)
        assert_reach_as_counted(client, database_url)

    @pytest.mark.parametrize("seed", [5, 13])
    def test_after_generated_exports_loaded_one_after_another_by_the_same_app(
        self, client, database_url, insights, tmp_path, seed
    ):
        # The same app serves both loads: its columns of the first must not answer the second.
        for n, interactions in enumerate((3_000, 6_000)):
            folder = tmp_path / str(n)
            dataset = synthetic.generate_dataset(500, interactions, seed + n)
            synthetic.write_dataset(dataset, folder, "csv")
            assert insights("ingest", str(folder), "--allow-shrink").exit_code == 0
            assert_reach_as_counted(client, database_url)


class TestFilterValuesPerDataVersion:
    def test_a_value_unknown_before_a_load_is_accepted_once_the_load_brings_it(
        self, client, database_url
    ):
        customers = [(1, "Jedi", "Red")]
        interactions = [(1, 1, "2024-01-05 10:00", "Email", None, None)]
        seed_clean_rows(database_url, customers, [("2024-01-01", "Gold")], interactions)
        assert client.get("/api/v1/statistics/overview?channel=Email").status_code == 200
        refused = client.get("/api/v1/statistics/overview?channel=Call")
        assert refused.status_code == 422
        assert "'Call'" in refused.get_json()["message"] + str(refused.get_json()["errors"])
        ingest_bundled_sample(database_url)  # a new data version, with calls in it
        assert client.get("/api/v1/statistics/overview?channel=Call").status_code == 200
