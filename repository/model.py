"""Plain data every layer shares: a customer, one interaction, the "Unknown" label and the
served data version."""

from dataclasses import dataclass
from datetime import datetime

# What a missing customer type or month product is called, in Python and in SQL. The
# migrations' interaction_facts view writes the same word.
UNKNOWN = "Unknown"
UNKNOWN_SQL = f"'{UNKNOWN}'"

# The sentiments cleaning keeps (any other text becomes a missing sentiment): a fixed
# vocabulary, unlike channels, topics and customer types, which come from the data.
SENTIMENTS = ("Positive", "Neutral", "Negative")

# The data version readers are served (migration 0008): every read of a versioned table
# filters on it in the same statement, so it sees one complete load. As a scalar subquery
# it is evaluated once, and partitions of other versions are pruned at execution.
CURRENT_VERSION_SQL = "(SELECT version FROM insights.data_version)"


def fingerprint_sql(customer: str, interactions: str) -> str:
    """Return the SQL of a customer's fingerprint: the md5 of their record and interactions.

    ``customer`` names a row of ``every_customer``, ``interactions`` a relation of their
    interaction_facts rows. ``%L`` quotes each value (NULL as NULL), so no two different
    histories print alike; ids order the rows, and stay the same across loads.
    """
    row = "format('%L|%L|%L|%L|%L|%L', id, occurred_at, channel, topic, sentiment, product)"
    # nosec B608 below: the names are the callers' own aliases, never a value.
    return (
        f"md5(format('%L|%L|%L', {customer}.occupation, {customer}.customer_type, "  # nosec B608
        f"(SELECT string_agg({row}, ',' ORDER BY id) FROM {interactions})))"
    )


@dataclass(frozen=True)
class Customer:
    """One customer; ``customer_type`` is UNKNOWN where the export has none."""

    customer_id: int
    occupation: str | None
    customer_type: str


@dataclass(frozen=True)
class Interaction:
    """One interaction of a customer, with its month's product (UNKNOWN if none)."""

    id: int
    customer_id: int
    occurred_at: datetime
    channel: str | None
    topic: str | None
    sentiment: str | None
    product: str
