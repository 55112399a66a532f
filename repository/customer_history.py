"""A customer's interaction history as the content pipeline reads it.

Every number the summary shows (counts, the favourite channel, key topics) is computed
here, by the database, never by a language model. The history is always read for one
customer id: nothing in this interface can return another customer's interactions.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime

from repository.customers import Customer
from repository.errors import NotFound

KEY_TOPIC_COUNT = 3


@dataclass(frozen=True)
class HistoryItem:
    """One past interaction of a customer, with its month's product ("Unknown" if none)."""

    id: int
    customer_id: int
    occurred_at: datetime
    channel: str | None
    topic: str | None
    sentiment: str | None
    product: str


@dataclass(frozen=True)
class LastInteraction:
    """When the latest interaction happened, by which channel and about what."""

    occurred_at: datetime
    channel: str | None
    topic: str | None


@dataclass(frozen=True)
class InteractionSummary:
    """Facts about all of a customer's interactions.

    ``most_frequent_channel`` breaks ties by the most recent use, then by name;
    ``key_topics`` are the most frequent topics (at most three), ties broken the same
    way. Interactions without a channel or topic do not count towards either.
    """

    total_interactions: int
    most_frequent_channel: str | None
    last_interaction: LastInteraction | None
    key_topics: tuple[str, ...]


@dataclass(frozen=True)
class CustomerProfile:
    """Who a customer is and the facts of their whole history, read in one snapshot."""

    customer: Customer
    summary: InteractionSummary
    # Distinct products of the months the customer was contacted in, "Unknown" left out,
    # the most recently discussed first.
    products: tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    """Every topic and product name the clean data holds ("Unknown" excluded)."""

    topics: frozenset[str]
    products: frozenset[str]


class AbstractInteractionRepository(ABC):
    """Read one customer's profile and history, and the names any history could mention."""

    def profile(self, customer_id: int) -> CustomerProfile:
        """Return the customer and the summary facts of all their interactions.

        Raises:
            NotFound: no customer row and no interaction has ``customer_id``.
        """
        profile = self._profile(customer_id)
        if profile is None:
            raise NotFound(f"customer {customer_id} not found")
        return profile

    @abstractmethod
    def _profile(self, customer_id: int) -> CustomerProfile | None:
        """Return the profile, or None when the customer does not exist."""

    @abstractmethod
    def recent_interactions(self, customer_id: int, limit: int) -> tuple[HistoryItem, ...]:
        """Return up to ``limit`` of the customer's latest interactions, newest first.

        Ties on the timestamp are broken by id, descending. An unknown customer has none.
        """

    @abstractmethod
    def vocabulary(self) -> Vocabulary:
        """Return every topic and product name stored."""
