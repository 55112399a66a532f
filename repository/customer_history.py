"""One customer's interaction history: pages of it, its latest items and its summary facts.

Every number a summary shows (counts, the favourite channel, key topics) is computed
here, by the database, never by a language model. The history is always read for one
customer id: nothing in this interface can return another customer's interactions.
The PostgreSQL implementation is in customer_history_postgres.
"""

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from repository.customers import check_page, customer_not_found, existing
from repository.model import (
    Customer,
    Interaction,
)

KEY_TOPIC_COUNT = 3


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
    # Distinct products of the months the customer was contacted in, UNKNOWN left out,
    # the most recently discussed first.
    products: tuple[str, ...]
    # Changes exactly when something above or any of the customer's interactions changes
    # (their ids, times, channels, topics, sentiments, products): a cache key of what a
    # prompt about this customer can carry, stable across loads that leave them alone.
    fingerprint: str = ""


@dataclass(frozen=True)
class Vocabulary:
    """Every topic, product and channel name the clean data holds (UNKNOWN excluded)."""

    topics: frozenset[str]
    products: frozenset[str]
    channels: frozenset[str] = frozenset()


@dataclass(frozen=True)
class InteractionPattern:
    """Interactions worth flagging: each field given must match, case-insensitively.

    ``topic_contains`` matches a topic containing any of its strings, ``sentiments`` and
    ``channels`` a value equal to any of theirs; an empty field matches anything.
    """

    name: str
    topic_contains: tuple[str, ...] = ()
    sentiments: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class FlaggedInteraction:
    """An interaction and the name of a pattern it matched."""

    interaction: Interaction
    pattern: str


class AbstractCustomerHistoryRepository(ABC):
    """Read one customer's history and profile, and the names any history could mention."""

    def profile(self, customer_id: int) -> CustomerProfile:
        """Return the customer and the summary facts of all their interactions.

        Raises:
            NotFound: no customer row and no interaction has ``customer_id``.
        """
        return existing(self._profile(customer_id), customer_id)

    def page(self, customer_id: int, page: int, page_size: int) -> tuple[list[Interaction], int]:
        """Return one page of a customer's interactions, newest first, and their total.

        Ties on the timestamp are broken by id, descending.

        Raises:
            NotFound: the customer does not exist.
            InvalidInput: a page or page size below 1.
        """
        check_page(page, page_size)
        interactions, total = self._page(customer_id, page_size, (page - 1) * page_size)
        # A page past the end is empty too; only then is existence worth a query.
        if not interactions and not self._exists(customer_id):
            raise customer_not_found(customer_id)
        return interactions, total

    def recent_interactions(self, customer_id: int, limit: int) -> tuple[Interaction, ...]:
        """Return up to ``limit`` of the customer's latest interactions, newest first.

        Ties on the timestamp are broken by id, descending. An unknown customer has none.
        """
        return tuple(self._newest_first(customer_id, limit, 0))

    def flagged_interactions(
        self, customer_id: int, patterns: Sequence[InteractionPattern], window_months: int
    ) -> list[FlaggedInteraction]:
        """Return the customer's interactions that match a pattern, one item per match.

        Only interactions within ``window_months`` of the customer's latest interaction
        count: anchored on their own history, not the clock, so the same data always gives
        the same answer, and a customer not contacted since a report is still flagged.
        Ordered by pattern, then newest first (ties by id, descending).
        """
        if not patterns:
            return []
        return self._flagged(customer_id, tuple(patterns), window_months)

    @abstractmethod
    def _flagged(
        self, customer_id: int, patterns: tuple[InteractionPattern, ...], window_months: int
    ) -> list[FlaggedInteraction]:
        """Return ``flagged_interactions`` for a non-empty list of patterns."""

    def profile_and_recent(
        self, customer_id: int, limit: int
    ) -> tuple[CustomerProfile, tuple[Interaction, ...]]:
        """Return ``profile`` and ``recent_interactions``: what a generation reads first.

        Raises:
            NotFound: as ``profile``.
        """
        profile, recent = self._profile_and_recent(customer_id, limit)
        return existing(profile, customer_id), recent

    def _profile_and_recent(
        self, customer_id: int, limit: int
    ) -> tuple[CustomerProfile | None, tuple[Interaction, ...]]:
        """Read both; a backend may do it in fewer round trips."""
        return self._profile(customer_id), tuple(self._newest_first(customer_id, limit, 0))

    def profiles_and_recent(
        self, customer_ids: Sequence[int], limit: int
    ) -> dict[int, tuple[CustomerProfile, tuple[Interaction, ...]]]:
        """Return ``profile_and_recent`` of many customers at once; unknown ids are left out.

        A backend answers a whole batch in a few round trips (campaigns write thousands).
        """
        found = {}
        for customer_id in customer_ids:
            profile, recent = self._profile_and_recent(customer_id, limit)
            if profile is not None:
                found[customer_id] = (profile, recent)
        return found

    def flagged_for_many(
        self, customer_ids: Sequence[int], patterns: Sequence[InteractionPattern], window: int
    ) -> dict[int, list[FlaggedInteraction]]:
        """Return ``flagged_interactions`` of many customers, keyed by customer id."""
        return {
            customer_id: self.flagged_interactions(customer_id, patterns, window)
            for customer_id in customer_ids
        }

    @abstractmethod
    def _profile(self, customer_id: int) -> CustomerProfile | None:
        """Return the profile, or None when the customer does not exist."""

    @abstractmethod
    def _newest_first(self, customer_id: int, limit: int, offset: int) -> list[Interaction]:
        """Return a stretch of the customer's interactions, newest first, ties by id."""

    @abstractmethod
    def _page(self, customer_id: int, limit: int, offset: int) -> tuple[list[Interaction], int]:
        """Return ``_newest_first`` and the customer's total, both from one snapshot."""

    @abstractmethod
    def _exists(self, customer_id: int) -> bool:
        """Return whether the customer exists (a row or an interaction)."""

    @abstractmethod
    def vocabulary(self) -> Vocabulary:
        """Return every topic, product and channel name stored."""
