"""A generated, ingested data set and its facts read back independently, for issue 16's tests.

The reference facts are built in pandas from the clean tables themselves (interactions,
customers, product months), not from the interaction_facts view or the rollups the code
under test reads, so expectations computed from them are independent of that code.
"""

from pathlib import Path

import pandas as pd

from pipelines.ingestion import ingest, synthetic
from pipelines.ingestion.sources import read_source
from repository.engine import build_engine
from repository.ingestion import PostgresIngestionRepository
from repository.model import UNKNOWN
from tests.support import query

GENERATED = {"customers": 90, "interactions": 4000, "seed": 16}
_SERVED = "(SELECT version FROM insights.data_version)"


def load_generated(url: str, folder: Path) -> None:
    """Generate the data set, write it as CSV into ``folder`` and ingest it into ``url``."""
    dataset = synthetic.generate_dataset(
        GENERATED["customers"], GENERATED["interactions"], GENERATED["seed"]
    )
    synthetic.write_dataset(dataset, folder, "csv")
    engine = build_engine(url)
    ingest(read_source(folder), PostgresIngestionRepository(engine))
    engine.dispose()


def reference_facts(url: str) -> pd.DataFrame:
    """Return one row per served interaction with its month's product and customer's type."""
    interactions = pd.DataFrame(
        query(
            url,
            "SELECT id, occurred_at, customer_id, channel, topic, sentiment "
            f"FROM insights.interactions WHERE version = {_SERVED}",
        ),
        columns=["id", "occurred_at", "customer_id", "channel", "topic", "sentiment"],
    )
    types = dict(
        query(
            url,
            "SELECT customer_id, customer_type FROM insights.customers "
            f"WHERE version = {_SERVED} AND customer_type IS NOT NULL",
        )
    )
    products = dict(
        query(
            url,
            "SELECT pm.month, p.name FROM insights.product_months AS pm "
            "JOIN insights.products AS p ON p.id = pm.product_id "
            f"WHERE pm.version = {_SERVED}",
        )
    )
    occurred = pd.to_datetime(interactions["occurred_at"])
    months = occurred.dt.to_period("M").dt.to_timestamp().dt.date
    return interactions.assign(
        occurred_at=occurred,
        day=occurred.dt.date,
        product=months.map(products).fillna(UNKNOWN),
        customer_type=interactions["customer_id"].map(types).fillna(UNKNOWN),
    )


def customer_ids(url: str) -> set[int]:
    """Return the ids on the served customer sheet."""
    rows = query(url, f"SELECT customer_id FROM insights.customers WHERE version = {_SERVED}")
    return {row[0] for row in rows}
