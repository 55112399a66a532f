"""Unit tests for the rollups computed in the background while a load runs."""

import pandas as pd
import pandas.testing as pdt
import pytest

from pipelines.ingestion.rollups import PendingRollups


def frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Three interactions of two customers over two months, one month without a product."""
    interactions = pd.DataFrame(
        {
            "occurred_at": pd.to_datetime(
                ["2024-01-05 10:00", "2024-01-05 11:00", "2024-02-01 00:00"]
            ),
            "customer_id": [1, 2, 1],
            "channel": ["Email", "Email", None],
            "topic": ["Billing", "Billing", "Billing"],
            "sentiment": ["Positive", "Positive", "Negative"],
            "source_row": [2, 3, 4],
        }
    )
    customers = pd.DataFrame({"customer_id": [1], "customer_type": ["Red"]})
    product_months = pd.DataFrame({"month": pd.to_datetime(["2024-01-01"]), "product": ["Tea"]})
    return interactions, customers, product_months


class TestPendingRollups:
    def test_the_daily_rollup_counts_each_day_product_and_type(self):
        daily = PendingRollups(*frames()).daily
        # Counted by hand from frames(): customer 2 has no type, February no product.
        expected = pd.DataFrame(
            {
                "day": [pd.Timestamp("2024-01-05").date()] * 2
                + [pd.Timestamp("2024-02-01").date()],
                "product": ["Tea", "Tea", "Unknown"],
                "customer_type": ["Red", "Unknown", "Red"],
                "interactions": [1, 1, 1],
            }
        )
        got = daily.sort_values(["day", "customer_type"], ignore_index=True)
        pdt.assert_frame_equal(got, expected, check_dtype=False)

    def test_the_monthly_rollup_keeps_interactions_without_a_channel(self):
        monthly = PendingRollups(*frames()).monthly
        by_month = monthly.groupby("month")["interactions"].sum()
        assert by_month.to_dict() == {
            pd.Timestamp("2024-01-01").date(): 2,
            pd.Timestamp("2024-02-01").date(): 1,
        }
        february = monthly[monthly["month"] == pd.Timestamp("2024-02-01").date()]
        assert february["channel"].isna().tolist() == [True]

    def test_an_error_in_the_background_is_raised_where_the_rollups_are_read(self):
        interactions, customers, product_months = frames()
        pending = PendingRollups(
            interactions.drop(columns="occurred_at"), customers, product_months
        )
        with pytest.raises(KeyError, match="occurred_at"):
            _ = pending.monthly
