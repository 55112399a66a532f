"""A customer's interaction history in PostgreSQL: the repository behind customer_history."""

import json
import time
from collections.abc import Sequence

from sqlalchemy import Connection, Engine, Row, text

from repository.customer_history import (
    KEY_TOPIC_COUNT,
    AbstractCustomerHistoryRepository,
    CustomerProfile,
    FlaggedInteraction,
    InteractionPattern,
    InteractionSummary,
    LastInteraction,
    Vocabulary,
)
from repository.customers import EVERY_CUSTOMER
from repository.engine import page_with_total, retry_if_partition_detached, single_statements
from repository.model import (
    CURRENT_VERSION_SQL,
    UNKNOWN_SQL,
    Customer,
    Interaction,
    fingerprint_sql,
)

# A customer's row and every summary fact in one statement: one round trip, one snapshot.
# Names sort with COLLATE "C" (by code point) so the last tie-break does not depend on the
# server's locale.
_PROFILE_SQL = f"""
    WITH own AS (
        SELECT id, occurred_at, channel, topic, sentiment, product
        FROM insights.interaction_facts
        WHERE customer_id = :customer_id
    ),
    favourite_channel AS (
        SELECT channel FROM own WHERE channel IS NOT NULL
        GROUP BY channel
        ORDER BY count(*) DESC, max(occurred_at) DESC, channel COLLATE "C"
        LIMIT 1
    ),
    key_topics AS (
        SELECT topic, count(*) AS uses, max(occurred_at) AS last_used
        FROM own WHERE topic IS NOT NULL
        GROUP BY topic
        ORDER BY uses DESC, last_used DESC, topic COLLATE "C"
        LIMIT :key_topic_count
    ),
    products AS (
        SELECT product, max(occurred_at) AS last_used
        FROM own WHERE product <> {UNKNOWN_SQL}
        GROUP BY product
    ),
    latest AS (
        SELECT occurred_at, channel, topic FROM own ORDER BY occurred_at DESC, id DESC LIMIT 1
    ),
    {EVERY_CUSTOMER}
    SELECT
        customer.customer_id IS NOT NULL AS exists,
        customer.occupation,
        customer.customer_type,
        (SELECT count(*) FROM own) AS total,
        (SELECT channel FROM favourite_channel) AS favourite_channel,
        (SELECT array_agg(topic ORDER BY uses DESC, last_used DESC, topic COLLATE "C")
         FROM key_topics) AS key_topics,
        latest.occurred_at, latest.channel, latest.topic,
        (SELECT array_agg(product ORDER BY last_used DESC, product COLLATE "C")
         FROM products) AS products,
        {fingerprint_sql("customer", "own")} AS fingerprint
    FROM (SELECT 1) AS one
    LEFT JOIN every_customer AS customer ON customer.customer_id = :customer_id
    LEFT JOIN latest ON true
"""  # nosec B608 # built from constants; values are bound
_PROFILE = text(_PROFILE_SQL)

_NEWEST_FIRST_SQL = """
    SELECT id, customer_id, occurred_at, channel, topic, sentiment, product{total}
    FROM insights.interaction_facts
    WHERE customer_id = :customer_id
    ORDER BY occurred_at DESC, id DESC
    LIMIT :limit OFFSET :offset
"""
_NEWEST_FIRST = text(_NEWEST_FIRST_SQL.format(total=""))
_PAGE_WITH_TOTAL = text(_NEWEST_FIRST_SQL.format(total=", count(*) OVER ()"))


def _for_each_customer(single: str) -> str:
    """Run a one-customer statement for every id of ``:customer_ids`` (LATERAL): one round
    trip for a batch, and still the one definition of what is read per customer."""
    return (
        "SELECT ids.customer_id AS requested, one.* "  # nosec B608 # built from constants
        "FROM unnest(CAST(:customer_ids AS integer[])) AS ids (customer_id) "
        f"CROSS JOIN LATERAL ({single.replace(':customer_id', 'ids.customer_id')}) AS one"
    )


_PROFILES = text(_for_each_customer(_PROFILE_SQL))
_NEWEST_FIRST_MANY = text(_for_each_customer(_NEWEST_FIRST_SQL.format(total="")))
# One row per (interaction, matching pattern); the patterns travel as one JSON parameter so
# the statement's text never changes. Topics match by LIKE on lowered text, patterns
# escaped and lowered by the caller.
_FLAGGED_SQL = """
    WITH own AS (
        SELECT id, customer_id, occurred_at, channel, topic, sentiment, product
        FROM insights.interaction_facts
        WHERE customer_id = :customer_id
    ),
    patterns AS (
        SELECT * FROM jsonb_to_recordset(CAST(:patterns AS jsonb))
            AS p(position integer, name text, topics text[], sentiments text[], channels text[])
    )
    SELECT own.id, own.customer_id, own.occurred_at, own.channel, own.topic, own.sentiment,
           own.product, patterns.name
    FROM own JOIN patterns ON
        (patterns.topics IS NULL OR lower(own.topic) LIKE ANY (patterns.topics))
        AND (patterns.sentiments IS NULL OR lower(own.sentiment) = ANY (patterns.sentiments))
        AND (patterns.channels IS NULL OR lower(own.channel) = ANY (patterns.channels))
    WHERE own.occurred_at >= (SELECT max(occurred_at) FROM own)
                             - make_interval(months => :window_months)
    ORDER BY patterns.position, own.occurred_at DESC, own.id DESC
"""
_FLAGGED = text(_FLAGGED_SQL)
_FLAGGED_MANY = text(_for_each_customer(_FLAGGED_SQL))
_COUNT = text(
    "SELECT count(*) FROM insights.interactions "
    f"WHERE version = {CURRENT_VERSION_SQL} AND customer_id = :customer_id"  # nosec B608 # built from constants; values are bound
)
_EXISTS = text(
    f"WITH {EVERY_CUSTOMER} "
    "SELECT EXISTS (SELECT 1 FROM every_customer WHERE customer_id = :customer_id)"  # nosec B608 # built from constants; values are bound
)
_LATEST_SUCCEEDED_RUN = text(
    "SELECT max(id) FROM insights.ingestion_runs WHERE status = 'succeeded'"
)
# The monthly rollup holds every topic in a few thousand rows, not a scan of millions.
_TOPICS = text(
    "SELECT DISTINCT topic FROM insights.interaction_monthly_rollup "
    f"WHERE version = {CURRENT_VERSION_SQL} AND topic IS NOT NULL"  # nosec B608 # built from constants; values are bound
)
_CHANNELS = text(
    "SELECT DISTINCT channel FROM insights.interaction_monthly_rollup "
    f"WHERE version = {CURRENT_VERSION_SQL} AND channel IS NOT NULL"  # nosec B608 # built from constants; values are bound
)
_PRODUCTS = text(f"SELECT name FROM insights.products WHERE name <> {UNKNOWN_SQL}")  # nosec B608 # built from constants; values are bound


class PostgresCustomerHistoryRepository(AbstractCustomerHistoryRepository):
    """Histories read from the clean tables via the (customer_id, occurred_at) index."""

    def __init__(self, engine: Engine, vocabulary_recheck_s: float = 5.0) -> None:
        self._engine = engine
        # Names change only when a load lands: look for a newer succeeded run at most this
        # often, instead of a round trip on every generation.
        self._recheck_s = vocabulary_recheck_s
        # (when checked, latest succeeded run id, vocabulary), swapped whole.
        self._cache: tuple[float, int | None, Vocabulary] | None = None

    @retry_if_partition_detached
    def _profile(self, customer_id: int) -> CustomerProfile | None:
        with single_statements(self._engine) as connection:
            return self._read_profile(connection, customer_id)

    @retry_if_partition_detached
    def _profile_and_recent(
        self, customer_id: int, limit: int
    ) -> tuple[CustomerProfile | None, tuple[Interaction, ...]]:
        # One checkout for both statements: each checkout costs a ping round trip.
        params = {"customer_id": customer_id, "limit": limit, "offset": 0}
        with single_statements(self._engine) as connection:
            profile = self._read_profile(connection, customer_id)
            if profile is None:
                return None, ()
            rows = connection.execute(_NEWEST_FIRST, params)
            return profile, tuple(Interaction(*row) for row in rows)

    @retry_if_partition_detached
    def profiles_and_recent(
        self, customer_ids: Sequence[int], limit: int
    ) -> dict[int, tuple[CustomerProfile, tuple[Interaction, ...]]]:
        params = {"customer_ids": list(customer_ids), "key_topic_count": KEY_TOPIC_COUNT}
        recent: dict[int, list[Interaction]] = {}
        with single_statements(self._engine) as connection:
            rows = connection.execute(_PROFILES, params).all()
            many = connection.execute(_NEWEST_FIRST_MANY, {**params, "limit": limit, "offset": 0})
            for row in many:
                recent.setdefault(row[0], []).append(Interaction(*row[1:]))
        return {
            row.requested: (_profile_of(row, row.requested), tuple(recent.get(row.requested, ())))
            for row in rows
            if row.exists
        }

    @retry_if_partition_detached
    def flagged_for_many(
        self, customer_ids: Sequence[int], patterns: Sequence[InteractionPattern], window: int
    ) -> dict[int, list[FlaggedInteraction]]:
        found: dict[int, list[FlaggedInteraction]] = {key: [] for key in customer_ids}
        if not patterns:
            return found
        params = {
            "customer_ids": list(customer_ids),
            "patterns": json.dumps([_pattern_json(n, p) for n, p in enumerate(patterns)]),
            "window_months": window,
        }
        with single_statements(self._engine) as connection:
            for row in connection.execute(_FLAGGED_MANY, params):
                found[row[0]].append(FlaggedInteraction(Interaction(*row[1:-1]), row[-1]))
        return found

    @staticmethod
    def _read_profile(connection: Connection, customer_id: int) -> CustomerProfile | None:
        params = {"customer_id": customer_id, "key_topic_count": KEY_TOPIC_COUNT}
        row = connection.execute(_PROFILE, params).one()
        return _profile_of(row, customer_id) if row.exists else None

    @retry_if_partition_detached
    def _newest_first(self, customer_id: int, limit: int, offset: int) -> list[Interaction]:
        params = {"customer_id": customer_id, "limit": limit, "offset": offset}
        with single_statements(self._engine) as connection:
            return [Interaction(*row) for row in connection.execute(_NEWEST_FIRST, params)]

    @retry_if_partition_detached
    def _flagged(
        self, customer_id: int, patterns: tuple[InteractionPattern, ...], window_months: int
    ) -> list[FlaggedInteraction]:
        params = {
            "customer_id": customer_id,
            "patterns": json.dumps([_pattern_json(n, p) for n, p in enumerate(patterns)]),
            "window_months": window_months,
        }
        with single_statements(self._engine) as connection:
            rows = connection.execute(_FLAGGED, params).all()
        return [FlaggedInteraction(Interaction(*row[:-1]), row[-1]) for row in rows]

    @retry_if_partition_detached
    def _page(self, customer_id: int, limit: int, offset: int) -> tuple[list[Interaction], int]:
        params = {"customer_id": customer_id, "limit": limit, "offset": offset}
        rows, total = page_with_total(self._engine, _PAGE_WITH_TOTAL, _COUNT, params)
        return [Interaction(*row) for row in rows], total

    @retry_if_partition_detached
    def _exists(self, customer_id: int) -> bool:
        with single_statements(self._engine) as connection:
            return bool(connection.execute(_EXISTS, {"customer_id": customer_id}).scalar_one())

    @retry_if_partition_detached
    def vocabulary(self) -> Vocabulary:
        cached, now = self._cache, time.monotonic()
        if cached is not None and now - cached[0] < self._recheck_s:
            return cached[2]
        with single_statements(self._engine) as connection:
            run_id = connection.execute(_LATEST_SUCCEEDED_RUN).scalar_one()
            if cached is not None and cached[1] == run_id:
                vocabulary = cached[2]
            else:
                vocabulary = Vocabulary(
                    frozenset(connection.execute(_TOPICS).scalars()),
                    frozenset(connection.execute(_PRODUCTS).scalars()),
                    frozenset(connection.execute(_CHANNELS).scalars()),
                )
        # One tuple assignment: threads of a worker see the old cache or the new, never a mix.
        self._cache = (now, run_id, vocabulary)
        return vocabulary


def _profile_of(row: Row, customer_id: int) -> CustomerProfile:
    """Build a profile from one row of _PROFILE (or _PROFILES)."""
    last = None
    if row.occurred_at is not None:
        last = LastInteraction(row.occurred_at, row.channel, row.topic)
    summary = InteractionSummary(
        int(row.total), row.favourite_channel, last, tuple(row.key_topics or ())
    )
    customer = Customer(customer_id, row.occupation, row.customer_type)
    return CustomerProfile(customer, summary, tuple(row.products or ()), row.fingerprint)


def _pattern_json(position: int, pattern: InteractionPattern) -> dict[str, object]:
    """One pattern as _FLAGGED reads it: lowered values, topics as escaped LIKE patterns."""

    def lowered(values: tuple[str, ...]) -> list[str] | None:
        return [value.lower() for value in values] or None

    topics = lowered(pattern.topic_contains)
    if topics is not None:
        topics = [f"%{_like_escaped(topic)}%" for topic in topics]
    return {
        "position": position,
        "name": pattern.name,
        "topics": topics,
        "sentiments": lowered(pattern.sentiments),
        "channels": lowered(pattern.channels),
    }


def _like_escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
