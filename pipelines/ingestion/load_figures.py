"""Compute a load's figures (migration 0017) in pandas, from the frames the load writes.

``insights.record_load_figures`` computes the same row in SQL (hand-written seeds call
it); inside a load it took 0.5 to 0.65 s of the transaction at 1M interactions, counting
distinct customers over the new partition. Here it takes a few hundredths of a second in
the rollups' background thread, while the server builds the indexes.
tests/integration/test_load_figures.py checks the stored row against independent counts.
"""

from typing import Any

import numpy as np
import pandas as pd

from repository.model import UNKNOWN

# The dimensions of ``interactions_by`` and the rollup each is summed from.
_MONTHLY_DIMENSIONS = ("channel", "sentiment", "topic")
_DAILY_DIMENSIONS = ("customer_type", "product")


def load_figures(
    interactions: pd.DataFrame,
    customers: pd.DataFrame,
    product_months: pd.DataFrame,
    monthly: pd.DataFrame,
    daily: pd.DataFrame,
) -> dict[str, Any]:
    """Return the columns of the version's ``load_figures`` row, as record_load_figures does."""
    occurred = interactions["occurred_at"]
    seen = pd.Series(interactions["customer_id"].unique())
    only = np.sort(seen[~seen.isin(customers["customer_id"])].to_numpy())
    by_type = _customers_by_type(customers, len(only))
    return {
        "customers": len(customers),
        "interactions": len(interactions),
        "product_months": len(product_months),
        "reach": int(interactions["customer_id"].nunique()),
        "first_interaction": occurred.min().to_pydatetime() if len(occurred) else None,
        "last_interaction": occurred.max().to_pydatetime() if len(occurred) else None,
        "every_customer": sum(by_type.values()),
        "customers_by_type": by_type,
        "interactions_by": _interactions_by(monthly, daily),
        # Migration 0021: the customer list pages through these beside the sheet's rows.
        "interaction_only_customers": [int(customer_id) for customer_id in only],
    }


def _customers_by_type(customers: pd.DataFrame, interaction_only: int) -> dict[str, int]:
    """Count customers per type; customers known only from interactions count as Unknown."""
    types = _named(customers["customer_type"]).value_counts(sort=False)
    counts = {str(name): int(n) for name, n in types.items()}
    if interaction_only:
        counts[UNKNOWN] = counts.get(UNKNOWN, 0) + interaction_only
    return counts


def _interactions_by(monthly: pd.DataFrame, daily: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Sum the interactions per value of each dimension from the rollups (none: Unknown)."""
    sources = {name: monthly for name in _MONTHLY_DIMENSIONS}
    sources |= {name: daily for name in _DAILY_DIMENSIONS}
    counted = {}
    for name, rollup in sources.items():
        totals = rollup.groupby(_named(rollup[name]), sort=False)["interactions"].sum()
        if len(totals):
            counted[name] = {str(value): int(n) for value, n in totals.items()}
    return counted


def _named(values: pd.Series) -> pd.Series:
    """Return the values with Unknown for none (object first: an all-empty column is float)."""
    return values.astype(object).fillna(UNKNOWN)
