"""Clones of the migrated template, made and dropped ahead of time on a background thread."""

import queue
import threading

from repository.scratch import DatabaseServer

# Clones kept ready: one for the next test is enough to hide the clone behind a test's own
# run; a second covers a run of short tests.
AHEAD = 2
TAKE_TIMEOUT_S = 120


class TemplateClones:
    """Hand out fresh clones of ``template``, each used by one test, then dropped.

    On a server with fsync (a shared PostgreSQL), CREATE DATABASE from the template took
    0.2-0.45 s and DROP DATABASE 0.05-0.3 s, per test; this thread does both while tests
    run, so a test gets an untouched clone without waiting for it.
    """

    def __init__(self, server: DatabaseServer, template: str, ahead: int = AHEAD) -> None:
        self._server, self._template = server, template
        self._ready: queue.Queue[str | BaseException] = queue.Queue()
        self._tasks: queue.Queue[str | None] = queue.Queue()  # "" creates, a URL drops
        for _ in range(ahead):
            self._tasks.put("")
        self._thread = threading.Thread(target=self._work, name="template-clones", daemon=True)
        self._thread.start()

    def take(self) -> str:
        """Return the URL of a clone nobody has used; start making the next one."""
        made = self._ready.get(timeout=TAKE_TIMEOUT_S)
        if isinstance(made, BaseException):
            raise made
        self._tasks.put("")
        return made

    def discard(self, url: str) -> None:
        """Drop a clone once its test is done (FORCE: stray connections are cut)."""
        self._tasks.put(url)

    def close(self) -> None:
        """Finish the queued drops and stop; clones made but never taken stay for drop_all."""
        self._tasks.put(None)
        self._thread.join(timeout=TAKE_TIMEOUT_S)

    def _work(self) -> None:
        while (task := self._tasks.get()) is not None:
            try:
                if task:
                    self._server.drop(task)
                else:
                    self._ready.put(self._server.create(template=self._template))
            except BaseException as error:  # handed to the test that waits, not lost
                self._ready.put(error)
