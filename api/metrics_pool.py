"""Count the database pool's connections in use, and how long requests wait for one."""

from time import perf_counter
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import Engine, event
from sqlalchemy.exc import TimeoutError as PoolTimeout

# A wait is normally 0; anything near DB_POOL_TIMEOUT_S (1 s by default) means overload.
_WAIT_BUCKETS = (0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)

IN_USE = Gauge(
    "insights_db_pool_connections_in_use",
    "Pooled database connections checked out right now.",
    multiprocess_mode="livesum",
)
WAIT_SECONDS = Histogram(
    "insights_db_pool_wait_seconds",
    "Time spent getting a connection from the pool (opening one included).",
    buckets=_WAIT_BUCKETS,
)
TIMEOUTS = Counter(
    "insights_db_pool_timeouts",
    "Requests that waited DB_POOL_TIMEOUT_S for a connection and got none (answered 503).",
)


def _checked_out(*_args: Any) -> None:
    IN_USE.inc()


def _checked_in(*_args: Any) -> None:
    IN_USE.dec()


def instrument_pool(engine: Engine) -> None:
    """Attach the counters to ``engine``'s pool (once per engine)."""
    pool = engine.pool
    if getattr(pool, "_insights_metrics", False):
        return
    event.listen(pool, "checkout", _checked_out)
    event.listen(pool, "checkin", _checked_in)
    # SQLAlchemy has no event before a checkout starts waiting, so the pool's own getter
    # is timed: it is where a request queues when every connection is taken.
    take = pool._do_get

    def timed_take() -> Any:
        started = perf_counter()
        try:
            return take()
        except PoolTimeout:
            TIMEOUTS.inc()
            raise
        finally:
            WAIT_SECONDS.observe(perf_counter() - started)

    pool._do_get = timed_take  # type: ignore[method-assign]
    pool._insights_metrics = True  # type: ignore[attr-defined]
