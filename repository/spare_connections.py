"""Connections outside an engine's pool, for the one-row version read requests make."""

import os
from collections import deque
from collections.abc import Callable
from typing import Any, LiteralString, NamedTuple

import psycopg
from sqlalchemy import Engine, event

from repository.engine import connector_of, guard_of
from repository.stall_guard import DatabaseStalled, socket_cutter


class SpareConnections:
    """Autocommit connections outside the pool, for the one-row version read.

    An /api/v1 request without a lease on the data version (repository/version_lease.py:
    a replica, DATA_VERSION_LEASE=off, the first requests of a process) reads it first,
    and a cached answer needs nothing else from the database. Through the pool that read
    cost about 0.26 ms of CPU per request (checkout events, the stall guard's bookkeeping,
    SQLAlchemy's execution path) against about 0.02 ms here (issue 17). A read takes an
    idle connection, or opens one, and puts it back; at most ``keep`` wait idle, so a
    server that starts a thread per request does not open a connection per request. A
    wait stays under the engine's stall guard, so a stalled server cuts it as it cuts
    pooled ones, and a connection that failed is closed, never put back.
    """

    def __init__(self, engine: Engine, keep: int) -> None:
        self._connect = connector_of(engine)
        self._guard = guard_of(engine)
        self._keep = keep
        # append and pop are atomic: no lock needed.
        self._idle: deque[_Spare] = deque()
        event.listen(engine, "engine_disposed", lambda _: self.close())

    def scalar(self, statement: LiteralString) -> Any:
        """Return the first column of ``statement``'s first row (None without a row).

        Raises:
            psycopg.Error: the database failed or did not answer (DatabaseStalled).
        """
        spare, reused = self._take()
        try:
            row = self._fetch_one(spare, statement)
        except psycopg.OperationalError as error:
            if not reused or isinstance(error, DatabaseStalled):
                raise
            # An idle connection the server ended meanwhile (a restart, an idle timeout):
            # the pool would have noticed by its ping; here a fresh connection asks again.
            spare, _ = self._take(fresh=True)
            row = self._fetch_one(spare, statement)
        self._put_back(spare)
        return None if row is None else row[0]

    def _fetch_one(self, spare: "_Spare", statement: LiteralString) -> tuple[Any, ...] | None:
        try:
            with self._guard.watching(spare.cut):
                return spare.connection.execute(statement).fetchone()
        except BaseException:
            spare.let_go()
            spare.connection.close()
            raise

    def close(self) -> None:
        """Close the idle connections (the engine was disposed)."""
        while self._idle:
            spare = self._idle.pop()
            if spare.pid == os.getpid():
                spare.let_go()
                spare.connection.close()

    def _take(self, fresh: bool = False) -> "tuple[_Spare, bool]":
        """Return an idle connection of this process, or a new one; and whether it was idle."""
        pid = os.getpid()
        while not fresh:
            try:
                spare = self._idle.pop()
            except IndexError:
                break
            # One inherited across a fork is the parent's: drop it unused (psycopg does
            # not end a parent's session from a child).
            if spare.pid == pid and not spare.connection.closed:
                return spare, True
        connection = self._guard.open(self._connect)
        return _Spare(pid, connection, *socket_cutter(connection)), False

    def _put_back(self, spare: "_Spare") -> None:
        if len(self._idle) < self._keep:
            self._idle.append(spare)
            return
        spare.let_go()
        spare.connection.close()


class _Spare(NamedTuple):
    pid: int
    connection: psycopg.Connection
    cut: Callable[[], None]  # shuts the socket down: ends a wait at once
    let_go: Callable[[], None]
