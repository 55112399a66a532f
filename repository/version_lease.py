"""The served data version, pushed to each API process instead of read on every request.

Every /api/v1 request needs the data version (it keys the response cache), and reading it
per request cost a database round trip: about a tenth of a cached answer's CPU (issue 17).
Instead, each process holds a *lease* on the version:

- a thread of the process listens on CHANNEL and holds the shared advisory lock LOCK_KEY
  while it trusts the version it read; it re-reads the version every LEASE_S / 3, and its
  lease lasts LEASE_S from the start of its last successful read;
- a load, before it switches the version, sends SWITCHING on CHANNEL and takes the same
  lock exclusively (repository/ingestion/version_fence.py): every process first drops
  its lease, then lets the lock go, so the switch can only commit once no process trusts
  the old version. After the commit the load lets the lock go and sends RELEASED;
- a process without a valid lease reads the version per request, as before.

A process that cannot answer (frozen, cut off) keeps the lock but not its lease: the load
ends its session after waiting 2 x LEASE_S, and the lease, not renewed, has lapsed by the
time the load waits LEASE_S more and switches. The lease is a duration on each machine's
monotonic clock, the usual assumption of leases: clocks may differ, not their rates.
"""

import logging
import os
import threading
from collections.abc import Callable
from time import monotonic
from typing import NamedTuple

import psycopg

log = logging.getLogger(__name__)

CHANNEL = "insights_data_version"
SWITCHING, RELEASED = "switching", "released"
# Arbitrary but fixed, and apart from the ingestion's locks (repository/ingestion/turns.py).
LOCK_KEY = 7_215_004_377
# How pg_locks shows that one-key advisory lock: its high and low 32 bits.
LOCK_KEY_PARTS = {"classid": LOCK_KEY >> 32, "objid": LOCK_KEY & 0xFFFFFFFF}
LEASE_S = 2.0
# A process asked nothing for this long lets its lease and connection go (the next request
# takes them again): an idle worker, or an app a test left open, holds no session.
IDLE_S = 30.0

_VERSION = "SELECT version FROM insights.data_version"
_RECONNECT_S = (0.5, 30.0)  # first and longest wait before reconnecting


class _Lease(NamedTuple):
    pid: int
    version: int
    until: float  # monotonic


class VersionLease:
    """This process's lease on the served data version, kept by a thread of its own.

    ``current()`` costs no round trip; the thread starts on first use in each process
    (a fork does not carry threads) and ends with ``close()``.
    """

    def __init__(self, connect: Callable[[], psycopg.Connection], idle_s: float = IDLE_S) -> None:
        self._connect = connect
        self._idle_s = idle_s
        self._lease: _Lease | None = None
        self._thread: threading.Thread | None = None
        self._thread_pid = 0
        self._starting = threading.Lock()
        self._closed = threading.Event()
        self._asked = monotonic()

    def current(self) -> int | None:
        """Return the version this process holds a lease on, or None: read it yourself."""
        self._asked = monotonic()
        lease = self._lease
        if lease is not None and lease.pid == os.getpid() and monotonic() < lease.until:
            return lease.version
        self._start()
        return None

    def close(self, *_: object) -> None:
        """Stop renewing; the thread lets its connection go within LEASE_S / 3.

        Takes and ignores arguments: it listens for an engine's disposal.
        """
        self._closed.set()
        self._lease = None

    def _start(self) -> None:
        if self._closed.is_set() or self._running():
            return
        with self._starting:
            if self._running():
                return
            self._lease = None
            self._thread_pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="data-version-lease",
                                            daemon=True)  # fmt: skip
            self._thread.start()

    def _running(self) -> bool:
        """Whether this process's thread is alive (a fork's child has none)."""
        thread = self._thread
        return self._thread_pid == os.getpid() and thread is not None and thread.is_alive()

    def _ending(self) -> bool:
        """Whether the thread should let go: closed, or nobody asked for ``idle_s``."""
        return self._closed.is_set() or monotonic() - self._asked > self._idle_s

    def _run(self) -> None:
        pause = _RECONNECT_S[0]
        while not self._ending():
            connected = False
            try:
                with self._connect() as connection:
                    connected, pause = True, _RECONNECT_S[0]
                    self._serve(connection)
            except psycopg.Error as error:
                if not self._ending():  # else its database went away with it, as expected
                    # Until it reconnects, the process reads the version per request; the
                    # lost session is news, each failed reconnection is not.
                    level = logging.INFO if connected else logging.DEBUG
                    log.log(level, "data version lease lost, reading per request: %s", error)
            finally:
                self._lease = None
            self._closed.wait(pause)
            pause = min(pause * 2, _RECONNECT_S[1])

    def _serve(self, connection: psycopg.Connection) -> None:
        connection.execute(f"LISTEN {CHANNEL}")
        while not self._ending():
            if not self._locked(connection):
                return
            self._hold_until_switching(connection)
            if self._ending():
                return  # the session's end lets the lock go
            connection.execute("SELECT pg_advisory_unlock_shared(%s)", (LOCK_KEY,))
            # Until the load has committed (or failed) and let go; a load that died lets go
            # with its session, so the wait is bounded.
            _heard(connection, RELEASED, 4 * LEASE_S)

    def _locked(self, connection: psycopg.Connection) -> bool:
        """Take the shared lock, waiting while a load holds it (its switch); False: ending."""
        while not self._ending():
            try:
                connection.execute("SELECT pg_advisory_lock_shared(%s)", (LOCK_KEY,))
                return True
            except psycopg.errors.LockNotAvailable:  # DB_LOCK_TIMEOUT_MS: wait on
                continue
        return False

    def _hold_until_switching(self, connection: psycopg.Connection) -> None:
        """Renew the lease every LEASE_S / 3 until a load says it switches, or the end."""
        try:
            while not self._ending():
                started = monotonic()
                row = connection.execute(_VERSION).fetchone()
                if row is None or _heard(connection, SWITCHING, 0):
                    return
                self._lease = _Lease(os.getpid(), int(row[0]), started + LEASE_S)
                if _heard(connection, SWITCHING, LEASE_S / 3):
                    return
        finally:
            # Dropped before the lock is let go: once the load holds it, nobody trusts
            # the old version any more.
            self._lease = None


def _heard(connection: psycopg.Connection, payload: str, timeout_s: float) -> bool:
    """Wait up to ``timeout_s`` for ``payload`` on CHANNEL; return whether it came.

    Notifications that arrived meanwhile (during a query) are seen first, even at 0 s.
    """
    return any(n.payload == payload for n in connection.notifies(timeout=timeout_s))
