"""Notice a database that stopped answering: cut the waits on it, refuse new ones.

``statement_timeout`` is enforced by the server, TCP keepalives and ``tcp_user_timeout`` by
the kernel. A server that is stopped (SIGSTOP, a frozen VM) on the same host or behind a
proxy still has a kernel that acknowledges every packet, so a query on it waits forever:
issue 11 saw every request hang for the whole 16 s of such a stall. So while a connection
has been in use, or being opened, for half the stall timeout, a watcher thread opens a
fresh connection and runs ``SELECT 1``; no answer within the stall timeout, while no
connection in use was handed back in that time either, means stalled. The second condition
keeps a busy machine from passing for a stalled server: under load (issue 17's bench, load
average 13) opening a fresh connection can take over a second while the pool's connections
keep answering, and one slow probe then refused 2,033 requests at once.
The watcher then shuts down the sockets of the connections in use (their waits end at
once with OperationalError) and gives up on connections being opened, and new checkouts
and connections fail at once, until a probe is answered again. With the 1 s default,
tests/integration/test_database_timeouts.py sees requests fail 1 to 2 s into a stall (the
watcher polls every half stall timeout, so a wait may start up to that long before a probe).

repository/guarded_pool.py puts an engine's pool under a guard; a wait on a connection
outside the pool goes under ``watching``.
"""

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from time import monotonic
from typing import Any

import psycopg

from repository.bounded_call import BoundedCall

log = logging.getLogger(__name__)

# Where nothing is in use for this long, the watcher thread ends; the next checkout
# starts another.
IDLE_EXIT_S = 30.0


class DatabaseStalled(psycopg.OperationalError):
    """The database did not answer a probe in time.

    A DB-API OperationalError, so SQLAlchemy wraps it as it wraps a refused connection.
    """


class _Silent:
    """The verdict on a probe that got no answer in time."""


SILENT = _Silent()


class StallGuard:
    """Watch one engine's connections in use, and cut them when the server stops answering."""

    def __init__(self, probe: Callable[[], None], timeout_s: float) -> None:
        self._probe = probe
        self.timeout_s = timeout_s
        self._reset()

    def _reset(self) -> None:
        # Also after a fork: the child has none of the parent's threads, and a lock one of
        # them held would stay held.
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._probe_lock = threading.Lock()
        # What waits on the server -> (since when, how to cut it, how to let go of it).
        self._in_use: dict[Any, tuple[float, Callable[[], None], Callable[[], None]]] = {}
        self._stalled = False
        self._next_probe = 0.0
        # When a connection in use last came back intact: the server answered it.
        self._last_answer = float("-inf")
        self._watcher: threading.Thread | None = None
        self._last_probe: BoundedCall | None = None
        self._disposed = False

    def check(self) -> None:
        """Return if the server answers a probe in time; otherwise raise, cutting if stalled.

        Raises:
            DatabaseStalled: no answer within the stall timeout.
            psycopg.Error: the server answered with an error (down, refusing, full).
        """
        with self._probe_lock:  # one probe at a time; others wait at most its timeout
            asked = monotonic()
            verdict = self._ask()
        with self._lock:
            self._next_probe = monotonic() + self.timeout_s / 2
            if verdict is SILENT and not self._stalled and self._last_answer >= asked:
                # Slow, not stalled: the server answered other work meanwhile. The probe
                # still running is waited for again by the next check.
                verdict = None
            if verdict is SILENT:
                self._declare_stalled()
            elif self._stalled:
                self._stalled = False
                log.warning("database answers again")
        if verdict is SILENT:
            raise self._stalled_error()
        if isinstance(verdict, BaseException):
            raise verdict

    def refuse_if_stalled(self) -> None:
        """Raise DatabaseStalled while the last probe got no answer."""
        if self._stalled:
            raise self._stalled_error()

    def disposed(self) -> None:
        """Let the watcher thread end as soon as nothing is in use (the pool was emptied)."""
        with self._changed:
            self._disposed = True
            self._changed.notify_all()

    def _stalled_error(self) -> DatabaseStalled:
        return DatabaseStalled(f"the database did not answer within {self.timeout_s:g} s")

    def _ask(self) -> BaseException | _Silent | None:
        """Probe, waiting at most the timeout; a probe still unanswered is waited for again."""
        if self._last_probe is None or self._last_probe.done:
            self._last_probe = BoundedCall(self._probe, "db-stall-probe")
        if not self._last_probe.wait(self.timeout_s):
            return SILENT
        try:
            self._last_probe.result()
        except psycopg.errors.ConnectionTimeout:
            return SILENT
        except Exception as error:  # any answer, even a refusal, is not a stall
            return error
        return None

    def _declare_stalled(self) -> None:
        if not self._stalled:
            log.warning(
                "database did not answer within %g s: cutting %d waits on it, "
                "refusing new ones until it answers",
                self.timeout_s,
                len(self._in_use),
            )
        self._stalled = True
        self._changed.notify_all()
        for _, cut, _ in self._in_use.values():
            cut()

    def open(self, connect: Callable[[], Any]) -> Any:
        """Open a connection on a thread of its own, given up on if the server stalls.

        libpq counts its connect timeout in whole seconds, at least 2.
        """
        self.refuse_if_stalled()
        call = BoundedCall(connect, "db-connect")
        key = object()
        self.hold(key, call.abandon, lambda: None)
        try:
            if not call.wait(None):
                raise self._stalled_error()
            return call.result()
        finally:
            self.release(key)

    @contextlib.contextmanager
    def watching(self, cut: Callable[[], None]) -> Iterator[None]:
        """Watch a wait on a connection outside the pool as a checked-out one is watched.

        ``cut`` ends the wait at once (shuts the connection's socket down); a wait that
        ends without an error counts as the server answering.
        """
        self.refuse_if_stalled()
        key = object()
        self.hold(key, cut, lambda: None)
        answered = False
        try:
            yield
            answered = True
        finally:
            self.release(key, answered)

    def hold(self, key: Any, cut: Callable[[], None], let_go: Callable[[], None]) -> None:
        """Watch a wait under ``key``: ``cut`` ends it at once, ``let_go`` once it is over."""
        if self._pid != os.getpid():
            self._reset()
        with self._lock:
            previous = self._in_use.pop(key, None)
            if previous is not None:  # checked out again after a reconnect
                previous[2]()
            self._in_use[key] = (monotonic(), cut, let_go)
            if self._watcher is None or not self._watcher.is_alive():
                self._disposed = False
                self._watcher = threading.Thread(
                    target=self._watch, name="db-stall-watcher", daemon=True
                )
                self._watcher.start()

    def release(self, key: Any, answered: bool = False) -> bool:
        """Stop watching ``key``'s wait; return whether it was watched.

        ``answered``: the wait ended with the server's answer, which tells a slow probe from
        a stalled server.
        """
        with self._lock:
            held = self._in_use.pop(key, None)
            if held is not None and answered:
                self._last_answer = monotonic()
        if held is None:
            return False
        held[2]()
        return True

    def _watch(self) -> None:
        while self._wait_until_probe_due():
            # A failed check is a verdict, already acted on; nothing may end this thread.
            with contextlib.suppress(Exception):
                self.check()

    def _wait_until_probe_due(self) -> bool:
        """Sleep until a probe is due; return False when the thread should end."""
        with self._changed:
            idle_since = monotonic()
            while True:
                now = monotonic()
                due = self._due()
                if due is None:
                    if self._disposed or now - idle_since >= IDLE_EXIT_S:
                        self._watcher = None
                        return False
                    # Polled, not woken by each checkout: a wake-up per request cost a
                    # thread switch on every read (issue 17). A wait that starts just
                    # after a poll is seen at the next, half a stall timeout later.
                    self._changed.wait(self.timeout_s / 2)
                    continue
                idle_since = now
                if now >= due:
                    return True
                self._changed.wait(due - now)

    def _due(self) -> float | None:
        """When the next probe is due, or None while nothing needs watching."""
        if self._stalled:
            return self._next_probe
        if not self._in_use:
            return None
        oldest = min(since for since, _, _ in self._in_use.values())
        return max(oldest + self.timeout_s / 2, self._next_probe)


def socket_cutter(connection: psycopg.Connection) -> tuple[Callable[[], None], Callable[[], None]]:
    """Return how to cut ``connection``'s waits (shut its socket down) and how to let go.

    The cut works on a duplicate of the socket, kept open until let go, so a shutdown can
    never hit another socket that reused the fd number.

    Raises:
        psycopg.Error: the connection is closed.
    """
    sock = socket.socket(fileno=os.dup(connection.pgconn.socket))
    return (lambda: _shutdown(sock)), sock.close


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
