"""A model provider's budget shared by every worker: requests per minute and concurrency.

Requests per minute: a token bucket row per provider (insights.provider_budgets), refilled
by elapsed time and spent one token per request in one locked UPDATE, so workers on any
number of machines draw from the same bucket. Concurrency: N session advisory locks per
provider, one held for each batch calling the model; a worker that dies loses its
connection, and with it its slot.
"""

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

_ENSURE = text("""
    INSERT INTO insights.provider_budgets (provider, tokens, refilled_at)
    VALUES (:provider, :capacity, clock_timestamp()) ON CONFLICT (provider) DO NOTHING
""")
_TAKE = text("""
    WITH bucket AS (
        SELECT provider, least(CAST(:capacity AS double precision), tokens
               + extract(epoch FROM clock_timestamp() - refilled_at) * :per_second) AS level
        FROM insights.provider_budgets WHERE provider = :provider FOR UPDATE
    )
    UPDATE insights.provider_budgets AS b
    SET tokens = CASE WHEN bucket.level >= 1 THEN bucket.level - 1 ELSE bucket.level END,
        refilled_at = clock_timestamp()
    FROM bucket WHERE b.provider = bucket.provider
    RETURNING bucket.level
""")
_TRY_SLOT = text("SELECT pg_try_advisory_lock(:key, :slot)")
_FREE_SLOT = text("SELECT pg_advisory_unlock(:key, :slot)")


class PostgresProviderBudget:
    """Rate and concurrency limits per provider, in the database every worker shares."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def take(self, provider: str, per_minute: int) -> float:
        """Spend one request of ``provider``'s budget; return 0, or the seconds to wait
        before asking again when the bucket is empty (nothing was spent then)."""
        per_second = per_minute / 60
        # A second's worth of requests may go at once, and at least one.
        params = {"provider": provider, "capacity": max(1.0, per_second), "per_second": per_second}
        with self._engine.begin() as connection:
            connection.execute(_ENSURE, params)
            level = connection.execute(_TAKE, params).scalar_one()
        return 0.0 if level >= 1 else (1 - level) / per_second

    @contextmanager
    def slot(self, provider: str, limit: int) -> Iterator[bool]:
        """Hold one of ``limit`` concurrency slots of ``provider``; yield False when all
        are taken (the caller waits and tries again)."""
        key = zlib.crc32(f"provider:{provider}".encode()) - 2**31  # a signed int4
        with self._engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            for slot in range(limit):
                params = {"key": key, "slot": slot}
                if connection.execute(_TRY_SLOT, params).scalar_one():
                    try:
                        yield True
                    finally:
                        connection.execute(_FREE_SLOT, params)
                    return
            yield False
