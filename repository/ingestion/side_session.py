"""Run part of a load on another database session, in a thread, beside its transaction.

A load's server work is mostly the interactions (COPY, index builds); on sessions of their
own they overlap with the load transaction's other steps instead of following them, and
PostgreSQL keeps both cores busy. Side sessions commit on their own: what they write must
stay unseen until the load's transaction publishes it (a data version not yet served).
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine

# How often a cancel request is repeated until the side session's thread has ended: one
# sent between two of its statements finds nothing to cancel.
_CANCEL_EVERY_S = 0.2
# The side session whose thread this is, if any: sessions it starts are its children.
_running = threading.local()


class Cancelled(Exception):
    """A side session was asked to start after the one starting it was cancelled."""


class SideSession:
    """``work(connection)`` on a connection of its own, run by a thread.

    ``work`` opens its own transactions; one it leaves open is rolled back. Cancelling a
    session cancels the sessions its work started first.
    """

    def __init__(self, engine: Engine, work: Callable[[Connection], None]) -> None:
        self._engine = engine
        self._work = work
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._cancelled = False
        self._driver: Any = None
        self._children: list[SideSession] = []
        self._thread = threading.Thread(target=self._run, name="ingestion-side", daemon=True)

    def start(self) -> None:
        parent: SideSession | None = getattr(_running, "session", None)
        if parent is not None:
            with parent._lock:
                if parent._cancelled:
                    raise Cancelled("the load was cancelled")
                parent._children.append(self)
        self._thread.start()

    def wait(self) -> None:
        """Wait until the work is done; raise what it raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error

    def cancel(self) -> None:
        """Stop the work (its open transaction rolls back) and wait for the thread to end."""
        with self._lock:
            self._cancelled = True
            children = list(self._children)
        for child in children:
            child.cancel()
        while self._thread.is_alive():
            with self._lock:
                driver = self._driver
            if driver is not None:
                driver.cancel_safe()
            self._thread.join(_CANCEL_EVERY_S)

    def _run(self) -> None:
        _running.session = self
        try:
            with self._engine.connect() as connection:
                with self._lock:
                    if self._cancelled:
                        raise Cancelled("the load was cancelled")
                    self._driver = connection.connection.driver_connection
                try:
                    self._work(connection)
                finally:  # no cancel request may reach the connection once the work is over
                    with self._lock:
                        self._driver = None
        except BaseException as error:  # handed to the thread that waits
            self._error = error


@contextmanager
def side_session(engine: Engine, work: Callable[[Connection], None]) -> Iterator[None]:
    """Run ``work`` beside the block; on leaving, wait for it (or cancel it on an error)."""
    session = SideSession(engine, work)
    session.start()
    try:
        yield
    except BaseException:
        session.cancel()
        raise
    session.wait()
