"""A load's side of the data version lease (repository/version_lease.py).

Before a load switches the served version it closes the fence: it tells every API process
that the version is switching and takes the lease lock exclusively, which it gets once no
process trusts the old version any more. It lets go after its transaction has ended,
committed or not.
"""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg

from repository.errors import Conflict
from repository.version_lease import (
    CHANNEL,
    LEASE_S,
    LOCK_KEY,
    LOCK_KEY_PARTS,
    RELEASED,
    SWITCHING,
)

log = logging.getLogger(__name__)

_ATTEMPTS = 3
# Sessions holding the lease lock: API processes that did not let go in time.
_END_HOLDERS = """
    SELECT pid, pg_terminate_backend(pid, 5000) FROM pg_locks
    WHERE locktype = 'advisory' AND granted AND mode = 'ShareLock' AND objsubid = 1
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND classid = %(classid)s AND objid = %(objid)s AND pid <> pg_backend_pid()
"""


class VersionHeld(Conflict):
    """API processes kept the data version although their sessions were ended."""


class VersionFence:
    """Keeps API processes from trusting the served version while a load switches it."""

    def __init__(self, connect: Callable[[], psycopg.Connection]) -> None:
        self._connect = connect
        self._connection: psycopg.Connection | None = None
        self._closed = False

    def close(self) -> None:
        """Return once no API process holds a lease on the served version.

        A process that does not let go within 2 x LEASE_S (frozen, or cut off from the
        database) has its session ended; its lease, no longer renewed, has lapsed LEASE_S
        later, and only then does this return.

        Raises:
            VersionHeld: processes still held the lock after three rounds.
        """
        connection = self._connection = self._connection or self._connect()
        wait_ms = int(2 * LEASE_S * 1000)
        connection.execute(f"SET lock_timeout = '{wait_ms}ms'")
        connection.execute(f"SET statement_timeout = '{wait_ms + 10_000}ms'")
        for _ in range(_ATTEMPTS):
            # Sent on each round: a process that reconnected meanwhile did not hear it.
            connection.execute("SELECT pg_notify(%s, %s)", (CHANNEL, SWITCHING))
            try:
                connection.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
            except psycopg.errors.LockNotAvailable:
                ended = [pid for pid, _ in connection.execute(_END_HOLDERS, LOCK_KEY_PARTS)]
                log.warning("API processes kept the data version lease; sessions ended",
                            extra={"backend_pids": ended})  # fmt: skip
                time.sleep(LEASE_S)
                continue
            self._closed = True
            return
        raise VersionHeld("API processes keep the data version lease; the load cannot switch")

    def open(self) -> None:
        """Let API processes hold leases again (after the load's transaction ended)."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        with connection:
            if self._closed:
                connection.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
                self._closed = False
            connection.execute("SELECT pg_notify(%s, %s)", (CHANNEL, RELEASED))


@contextmanager
def fence_for(connect: Callable[[], psycopg.Connection]) -> Iterator[VersionFence]:
    """Yield a fence to close just before the switch; it opens again when the block ends."""
    fence = VersionFence(connect)
    try:
        yield fence
    finally:
        try:
            fence.open()
        except psycopg.Error as error:  # the lock went with the session anyway
            log.warning("could not reopen the data version fence: %s", error)
