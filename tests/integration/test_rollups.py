"""The rollups an ingestion stores are exactly the SQL aggregates of interaction_facts."""

from collections import Counter
from pathlib import Path

import pytest

from pipelines.ingestion import synthetic
from tests.support import ROLLUPS_FROM_FACTS, ingest_bundled_sample, query

ROLLUP_COLUMNS = {
    "insights.interaction_monthly_rollup": (
        "month, product, customer_type, channel, topic, sentiment, interactions"
    ),
    "insights.interaction_daily_product_type": "day, product, customer_type, interactions",
}


SERVED = "version = (SELECT version FROM insights.data_version)"
DIMENSIONS = ("customer_type", "channel", "topic", "sentiment")
PAIRS = [(a, b) for i, a in enumerate(DIMENSIONS) for b in DIMENSIONS[i + 1 :]]


def assert_pairs_match_the_facts(url: str) -> None:
    """Each pair's rows are the facts counted per month, product and those two dimensions."""
    stored_pairs = {
        row[0] for row in query(url, "SELECT DISTINCT pair FROM insights.interaction_monthly_pairs")
    }
    assert stored_pairs == {f"{a}+{b}" for a, b in PAIRS}
    for a, b in PAIRS:
        others = [d for d in DIMENSIONS if d not in (a, b)]
        stored = Counter(query(url, f"""
            SELECT month, product, {a}, {b}, interactions FROM insights.interaction_monthly_pairs
            WHERE {SERVED} AND pair = '{a}+{b}' AND {others[0]} IS NULL AND {others[1]} IS NULL
        """))  # fmt: skip
        expected = Counter(query(url, f"""
            SELECT date_trunc('month', occurred_at)::date, product, {a}, {b}, count(*)::int
            FROM insights.interaction_facts GROUP BY 1, 2, 3, 4
        """))  # fmt: skip
        assert stored == expected, (a, b)
        assert stored, (a, b)


def assert_rollups_match_the_facts(url: str) -> None:
    for table, select in ROLLUPS_FROM_FACTS.items():
        stored = Counter(query(url, f"SELECT {ROLLUP_COLUMNS[table]} FROM {table}"))
        expected = Counter(query(url, select))
        assert stored == expected, table
        assert stored, table
    assert_pairs_match_the_facts(url)


def test_the_bundled_sample(database_url):
    ingest_bundled_sample(database_url)
    assert_rollups_match_the_facts(database_url)


@pytest.mark.parametrize("seed", [3, 11])
def test_a_generated_messy_export_then_a_newer_one(tmp_path: Path, database_url, insights, seed):
    # Generated data has every defect: interaction-only customers, months without a
    # product, missing channels, topics and sentiments.
    for customers, interactions, folder in ((300, 4000, "a"), (200, 2500, "b")):
        dataset = synthetic.generate_dataset(customers, interactions, seed)
        synthetic.write_dataset(dataset, tmp_path / folder, "csv")
        # The newer export is smaller on purpose: past the default shrink guard.
        assert insights("ingest", str(tmp_path / folder), "--allow-shrink").exit_code == 0
        assert_rollups_match_the_facts(database_url)


def test_the_rollups_are_stored_in_time_order(tmp_path: Path, database_url, insights):
    # A range of months reads adjacent pages only if the rows were written in time order.
    dataset = synthetic.generate_dataset(300, 4000, 5)
    synthetic.write_dataset(dataset, tmp_path, "csv")
    assert insights("ingest", str(tmp_path)).exit_code == 0
    served = "version = (SELECT version FROM insights.data_version)"
    for table, column in (
        ("insights.interaction_monthly_rollup", "month"),
        ("insights.interaction_daily_product_type", "day"),
    ):
        statement = f"SELECT {column} FROM {table} WHERE {served} ORDER BY ctid"
        stored = [row[0] for row in query(database_url, statement)]
        assert stored == sorted(stored), table
        assert len(set(stored)) > 1, table
    # The pairs: each pair's rows together, so one pair's months are few pages apart.
    statement = f"SELECT pair FROM insights.interaction_monthly_pairs WHERE {SERVED} ORDER BY ctid"
    stored_pairs = [row[0] for row in query(database_url, statement)]
    runs = [p for k, p in enumerate(stored_pairs) if k == 0 or stored_pairs[k - 1] != p]
    assert len(runs) == len(set(runs)) == len(PAIRS)
