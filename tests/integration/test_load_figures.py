"""The figures a load records (migration 0017) equal counts made independently of them."""

import pandas as pd
import pytest

from pipelines.ingestion import synthetic
from tests.support import ingest_bundled_sample, pagination, query, seed_clean_rows

SERVED = "version = (SELECT version FROM insights.data_version)"


def frame(url: str, sql: str, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(query(url, sql), columns=columns)


def independent_figures(url: str) -> dict:
    """Count the served version's rows in pandas, from plain SELECTs of its tables."""
    customers = frame(
        url, f"SELECT customer_id, customer_type FROM insights.customers WHERE {SERVED}",
        ["customer_id", "customer_type"],
    )  # fmt: skip
    interactions = frame(
        url, f"SELECT customer_id, occurred_at FROM insights.interactions WHERE {SERVED}",
        ["customer_id", "occurred_at"],
    )  # fmt: skip
    months = query(url, f"SELECT count(*) FROM insights.product_months WHERE {SERVED}")[0][0]
    dimensions = ["channel", "sentiment", "topic", "customer_type", "product"]
    facts = frame(
        url, f"SELECT {', '.join(dimensions)} FROM insights.interaction_facts", dimensions
    )
    interactions_by = {
        name: facts[name].fillna("Unknown").value_counts().to_dict()
        for name in dimensions
        if len(facts)
    }
    only = set(interactions["customer_id"]) - set(customers["customer_id"])
    types = customers["customer_type"].fillna("Unknown").value_counts().to_dict()
    if only:
        types["Unknown"] = types.get("Unknown", 0) + len(only)
    return {
        "customers": len(customers),
        "interactions": len(interactions),
        "product_months": months,
        "reach": interactions["customer_id"].nunique(),
        "first": interactions["occurred_at"].min() if len(interactions) else None,
        "last": interactions["occurred_at"].max() if len(interactions) else None,
        "every_customer": len(customers) + len(only),
        "by_type": types,
        "interactions_by": interactions_by,
        "interaction_only": sorted(int(customer_id) for customer_id in only),
    }


def recorded_figures(url: str) -> dict:
    (row,) = query(
        url,
        "SELECT customers, interactions, product_months, reach, first_interaction, "
        f"last_interaction, every_customer, customers_by_type, interactions_by, "
        f"interaction_only_customers "
        f"FROM insights.load_figures "
        f"WHERE {SERVED}",
    )
    keys = ("customers", "interactions", "product_months", "reach", "first", "last")
    named = dict(zip(keys, row[:6], strict=True))
    return {
        **named,
        "every_customer": row[6],
        "by_type": row[7],
        "interactions_by": row[8],
        "interaction_only": row[9],
    }


def pair_totals(url: str) -> dict:
    """Sum the served version's pair rollup (migration 0019) per value of each dimension."""
    rows = query(
        url,
        "SELECT pair, product, customer_type, channel, topic, sentiment, interactions "
        f"FROM insights.interaction_monthly_pairs WHERE {SERVED}",
    )
    columns = ["pair", "product", "customer_type", "channel", "topic", "sentiment", "n"]
    pairs = pd.DataFrame(rows, columns=columns)
    totals: dict = {}
    for pair, group in pairs.groupby("pair"):
        for name in [*pair.split("+"), "product"]:
            counted = group.groupby(group[name].fillna("Unknown"))["n"].sum().to_dict()
            totals.setdefault(name, []).append({k: int(v) for k, v in counted.items()})
    return totals


def answers(client) -> dict:
    """What the API says, for the figures it reads from the load."""
    overview = client.get("/api/v1/statistics/overview").get_json()
    legacy = {
        name: client.get(f"/api/v1/stats/{name}").get_json()["rows"]
        for name in ("customers", "interactions", "products")
    }
    customers = pagination(client.get("/api/v1/customers?page_size=1"))["total"]
    return {"overview": overview, "legacy": legacy, "customers": customers}


def assert_served_as_counted(client, url: str, by_a_load: bool = True) -> None:
    expected = independent_figures(url)
    if not by_a_load:  # the SQL function leaves them to be found among the interactions
        expected["interaction_only"] = None
    assert recorded_figures(url) == expected
    # Every pair of the pair rollup counts each dimension it holds as the rows do.
    for name, each_pair in pair_totals(url).items():
        assert each_pair, name
        assert all(counted == expected["interactions_by"][name] for counted in each_pair), name
    got = answers(client)
    assert got["legacy"] == {
        "customers": expected["customers"],
        "interactions": expected["interactions"],
        "products": expected["product_months"],
    }
    assert got["overview"]["totals"]["customers"] == expected["reach"]
    for dimension in ("channel", "sentiment", "topic", "customer_type"):
        shown = got["overview"][f"by_{dimension}"]
        assert shown == expected["interactions_by"].get(dimension, {}), dimension
    assert got["customers"] == expected["every_customer"]
    for customer_type, n in expected["by_type"].items():
        page = client.get(f"/api/v1/customers?type={customer_type}&page_size=1")
        assert pagination(page)["total"] == n, customer_type


class TestRecordedFigures:
    def test_after_the_bundled_sample(self, client, database_url):
        ingest_bundled_sample(database_url)
        assert_served_as_counted(client, database_url)

    @pytest.mark.parametrize("seed", [3, 11])
    def test_after_generated_exports_loaded_one_after_another(
        self, client, database_url, insights, tmp_path, seed
    ):
        for n, interactions in enumerate((3_000, 5_000)):
            folder = tmp_path / str(n)
            dataset = synthetic.generate_dataset(400, interactions, seed + n)
            synthetic.write_dataset(dataset, folder, "csv")
            assert insights("ingest", str(folder), "--allow-shrink").exit_code == 0
            assert_served_as_counted(client, database_url)

    def test_only_the_served_version_keeps_figures(self, database_url, insights):
        ingest_bundled_sample(database_url)
        ingest_bundled_sample(database_url)
        served = query(database_url, "SELECT version FROM insights.data_version")
        for table in ("load_figures", "interaction_monthly_pairs"):
            versions = query(database_url, f"SELECT DISTINCT version FROM insights.{table}")
            assert versions == served, table

    def test_rows_seeded_by_hand_are_counted_too(self, client, database_url):
        customers = [(1, "Jedi", "Red"), (2, None, None)]
        interactions = [
            (1, 1, "2024-01-05 10:00", "Email", None, None),
            (2, 7, "2024-03-01 09:00", "Call", None, None),
        ]
        seed_clean_rows(database_url, customers, [("2024-01-01", "Gold")], interactions)
        assert_served_as_counted(client, database_url, by_a_load=False)
