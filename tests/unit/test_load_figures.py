"""Unit tests for the load figures computed in pandas beside the rollups."""

from datetime import datetime

import pandas as pd

from pipelines.ingestion.rollups import interaction_rollups


def test_empty_dimensions_and_interaction_only_customers_count_as_unknown():
    interactions = pd.DataFrame(
        {
            "occurred_at": pd.to_datetime(
                ["2024-01-05 10:00", "2024-02-01 09:30", "2024-02-01 00:00"]
            ),
            "customer_id": [1, 2, 1],
            "channel": ["Email", "Email", "Call"],
            "topic": [None, None, None],
            "sentiment": [None, None, None],
            "source_row": [2, 3, 4],
        }
    )
    customers = pd.DataFrame({"customer_id": [1, 3], "customer_type": [None, None]})
    product_months = pd.DataFrame({"month": pd.to_datetime(["2024-01-01"]), "product": ["Tea"]})

    figures = interaction_rollups(interactions, customers, product_months).figures

    assert figures == {
        "customers": 2,
        "interactions": 3,
        "product_months": 1,
        "reach": 2,
        "first_interaction": datetime(2024, 1, 5, 10, 0),
        "last_interaction": datetime(2024, 2, 1, 9, 30),
        "every_customer": 3,  # customers 1 and 3, and 2 known only from an interaction
        "customers_by_type": {"Unknown": 3},
        "interactions_by": {
            "channel": {"Email": 2, "Call": 1},
            "sentiment": {"Unknown": 3},
            "topic": {"Unknown": 3},
            "customer_type": {"Unknown": 3},
            "product": {"Tea": 1, "Unknown": 2},
        },
        "interaction_only_customers": [2],
    }
