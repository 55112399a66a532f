"""Plain data every layer shares: a customer, one interaction, and the "Unknown" label."""

from dataclasses import dataclass
from datetime import datetime

# What a missing customer type or month product is called, in Python and in SQL. The
# migrations' interaction_facts view writes the same word.
UNKNOWN = "Unknown"
UNKNOWN_SQL = f"'{UNKNOWN}'"


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
