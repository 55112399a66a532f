"""Build SQLAlchemy engines from a PostgreSQL URL, whatever scheme the user wrote."""

import functools
from collections.abc import Callable
from functools import partial
from typing import Any, ParamSpec, TypeVar
from weakref import WeakKeyDictionary

import psycopg
from sqlalchemy import Connection, Engine, Row, TextClause, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InternalError
from sqlalchemy.pool import NullPool

from repository import guarded_pool
from repository.errors import ConfigurationError
from repository.stall_guard import StallGuard

_POSTGRES_SCHEMES = ("postgres", "postgresql", "postgresql+psycopg")
DRIVER_SCHEME = "postgresql+psycopg"

_guards: WeakKeyDictionary[Engine, StallGuard] = WeakKeyDictionary()
# How to open an autocommit connection with the engine's limits, outside its pool.
_connectors: WeakKeyDictionary[Engine, Callable[[], psycopg.Connection]] = WeakKeyDictionary()
_unpooled: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()


def driver_url(url: str) -> str:
    """Return ``url`` with the psycopg 3 driver scheme that SQLAlchemy and yoyo both accept.

    Raises:
        ConfigurationError: the URL is not a PostgreSQL URL.
    """
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in _POSTGRES_SCHEMES:
        raise ConfigurationError(
            f"DATABASE_URL must be a PostgreSQL URL (postgresql://...), got scheme {scheme!r}"
        )
    return f"{DRIVER_SCHEME}://{rest}"


def libpq_url(url: str) -> str:
    """Return ``url`` in the plain ``postgresql://`` form that psql and libpq understand."""
    return "postgresql://" + driver_url(url).partition("://")[2]


def redacted(url: str) -> str:
    """Return ``url`` with any password hidden, for logs and messages."""
    return make_url(libpq_url(url)).render_as_string(hide_password=True)


def libpq_parameters(
    *,
    statement_timeout_ms: int = 30_000,
    lock_timeout_ms: int = 1_000,
    connect_timeout_s: int = 2,
    keepalives_idle_s: int = 5,
    keepalives_interval_s: int = 2,
    keepalives_count: int = 3,
    tcp_user_timeout_ms: int = 10_000,
) -> dict[str, Any]:
    """Return the libpq connection parameters that bound every wait on the server."""
    return {
        "connect_timeout": connect_timeout_s,
        # libpq applies these to TCP connections and ignores them on a Unix socket.
        "keepalives": 1,
        "keepalives_idle": keepalives_idle_s,
        "keepalives_interval": keepalives_interval_s,
        "keepalives_count": keepalives_count,
        "tcp_user_timeout": tcp_user_timeout_ms,
        # A runaway query must not hold a pooled connection, nor a read queued behind a
        # load's lock (issue 11 saw reads blocked for 14.7 s).
        "options": f"-c statement_timeout={statement_timeout_ms} -c lock_timeout={lock_timeout_ms}",
    }


def build_engine(
    url: str,
    *,
    pool_size: int = 5,
    pool_timeout_s: float = 1.0,
    stall_timeout_s: float = 1.0,
    **limits: int,
) -> Engine:
    """Create a pooled engine whose every wait on the database is bounded.

    ``limits`` are ``libpq_parameters``' keywords. Connections are opened lazily, on first
    use. The defaults are api/config.py's; README.md's configuration table says what
    each bounds.
    """
    libpq_params = libpq_parameters(**limits)
    engine = create_engine(
        driver_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=pool_timeout_s,
        # The stall guard pings on checkout instead, where it can cut a ping that hangs.
        pool_pre_ping=False,
        connect_args=libpq_params,
    )
    conninfo = libpq_url(url)
    guard = StallGuard(lambda: _select_one(conninfo, libpq_params), stall_timeout_s)
    guarded_pool.attach(guard, engine)
    _guards[engine] = guard
    _connectors[engine] = partial(psycopg.connect, conninfo, autocommit=True, **libpq_params)
    return engine


def guard_of(engine: Engine) -> StallGuard:
    """Return the stall guard watching ``engine``'s connections."""
    return _guards[engine]


def connector_of(engine: Engine) -> Callable[[], psycopg.Connection]:
    """Return how to open an autocommit connection with ``engine``'s limits, outside its pool."""
    return _connectors[engine]


def unpooled_engine(engine: Engine) -> Engine:
    """Return an engine with ``engine``'s limits that opens a connection per use, no pool.

    For work beside a pooled connection already held (a load's side sessions): it never
    waits for, nor takes, a connection the pool's other users need.
    """
    if engine not in _unpooled:
        connect = _connectors[engine]

        def transactional() -> psycopg.Connection:
            connection = connect()
            connection.autocommit = False  # SQLAlchemy opens the transactions
            return connection

        _unpooled[engine] = create_engine(engine.url, poolclass=NullPool, creator=transactional)
    return _unpooled[engine]


def probe(engine: Engine) -> None:
    """Return if the database answers a fresh connection within the stall timeout; else raise.

    Raises:
        psycopg.Error: no answer in time (DatabaseStalled), or an error answer.
    """
    _guards[engine].check()


def _select_one(conninfo: str, libpq_params: dict[str, Any]) -> None:
    with psycopg.connect(conninfo, autocommit=True, **libpq_params) as connection:
        connection.execute("SELECT 1")


def single_statements(engine: Engine) -> Connection:
    """Connect in autocommit mode, where every statement is a transaction of its own.

    Only for work done in one statement (a read, or one INSERT ... RETURNING): it saves
    the BEGIN and the closing ROLLBACK or COMMIT, which made a profile read 2.6 times
    slower (0.75 ms against 0.28 ms on a local server).
    """
    return engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def page_with_total(
    engine: Engine, page: TextClause, count: TextClause, params: dict[str, Any]
) -> tuple[list[tuple[Any, ...]], int]:
    """Return a page's rows and the total, from a ``page`` whose last column is the total.

    That column is a window count (``count(*) OVER ()``, taken before LIMIT), so the page
    and its total come from one statement: one snapshot and one round trip, where
    page_and_total takes four (BEGIN, two statements, ROLLBACK; issue 17). ``count`` runs
    only for a page past the end, which has no row to carry the total.
    """
    with single_statements(engine) as connection:
        rows = connection.execute(page, params).all()
        if rows:
            return [row[:-1] for row in rows], int(rows[0][-1])
        return [], int(connection.execute(count, params).scalar_one())


_P = ParamSpec("_P")
_R = TypeVar("_R")
# PostgreSQL 15 raises this when a plan lists a partition that DETACH ... CONCURRENTLY
# removed before the plan ran (1 read in ~2,000 in the load test); planned again, the
# statement succeeds.
_DETACHED_PARTITION = "could not match partition child tables to plan elements"


def retry_if_partition_detached(read: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``read`` once more if a superseded data version was detached under its plan."""

    @functools.wraps(read)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return read(*args, **kwargs)
        except InternalError as error:
            if _DETACHED_PARTITION not in str(error.orig):
                raise
            return read(*args, **kwargs)

    return wrapper


def page_and_total(
    engine: Engine, count: TextClause, page: TextClause, params: dict[str, Any]
) -> tuple[list[Row], int]:
    """Return a page's rows and the total of all matching rows, both from one snapshot.

    REPEATABLE READ: a page and its total agree even while a load commits.
    """
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        total = int(connection.execute(count, params).scalar_one())
        return list(connection.execute(page, params).all()), total
