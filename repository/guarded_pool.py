"""Put an engine's pool under a StallGuard: connect, check out and hand back under its watch.

The engine must not pre-ping: the guard pings on checkout instead, inside its watch, where
a ping that hangs on a stalled server can be cut.
"""

from time import monotonic
from typing import Any

import psycopg
from sqlalchemy import Engine, event, exc

from repository.stall_guard import StallGuard, socket_cutter

# A connection handed back intact this recently is not pinged again on checkout: it
# answered a moment ago, and the ping was a second round trip on every request (issue 17:
# the data-version read paid it before each cached answer). Should the server restart in
# that moment, the first statement fails instead, and SQLAlchemy then recycles the pool.
RECENTLY_ANSWERED_S = 0.5


def attach(guard: StallGuard, engine: Engine) -> None:
    """Watch ``engine``'s connections with ``guard``."""

    def connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        return guard.open(lambda: dialect.connect(*cargs, **cparams))

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        guard.refuse_if_stalled()
        try:
            cut, let_go = socket_cutter(dbapi_connection)
        except psycopg.Error as error:  # closed under us: the pool opens another
            raise exc.InvalidatePoolError() from error
        guard.hold(record, cut, let_go)
        fresh = record.info.pop("fresh", False)
        answered_at = record.info.get("answered_at", float("-inf"))
        if not fresh and monotonic() - answered_at >= RECENTLY_ANSWERED_S:
            _ping(engine, dbapi_connection)

    def checkin(dbapi_connection: Any, record: Any) -> None:
        # An invalidated connection (None here) came back from an error, perhaps a cut.
        if dbapi_connection is not None and guard.release(record, answered=True):
            record.info["answered_at"] = monotonic()

    event.listen(engine, "do_connect", connect)
    event.listen(engine, "engine_disposed", lambda _: guard.disposed())
    event.listen(engine.pool, "connect", _mark_fresh)
    event.listen(engine.pool, "checkout", checkout)
    event.listen(engine.pool, "checkin", checkin)
    event.listen(engine.pool, "detach", lambda _, record: guard.release(record))


def _mark_fresh(_dbapi_connection: Any, record: Any) -> None:
    # A connection that was just opened needs no ping, as with SQLAlchemy's pre-ping.
    record.info["fresh"] = True


def _ping(engine: Engine, dbapi_connection: Any) -> None:
    """Ping as SQLAlchemy's pre-ping does, but inside the guard's watch."""
    dialect = engine.dialect
    try:
        dialect.do_ping(dbapi_connection)
    except dialect.loaded_dbapi.Error as error:
        if dialect.is_disconnect(error, dbapi_connection, None):
            # The pool then opens a fresh connection and recycles the older ones.
            raise exc.InvalidatePoolError() from error
        raise
