"""Run a function on a thread of its own, so its caller can wait with a bound or give up."""

import threading
from collections.abc import Callable
from typing import Any


class BoundedCall:
    """Run a function on a thread of its own: its caller may wait with a bound, or give up."""

    def __init__(self, function: Callable[[], Any], name: str) -> None:
        self._function = function
        self._lock = threading.Lock()
        self._settled = threading.Event()  # returned, raised or given up on
        self._done = False
        self._abandoned = False
        self._outcome: Any = None
        threading.Thread(target=self._run, name=name, daemon=True).start()

    def _run(self) -> None:
        outcome: Any = None
        try:
            outcome = self._function()
        except Exception as error:
            outcome = error
        finally:
            with self._lock:
                self._done = True
                late = self._abandoned
                self._outcome = None if late else outcome
            self._settled.set()
        if late and hasattr(outcome, "close"):
            outcome.close()  # a connection nobody waits for any more

    @property
    def done(self) -> bool:
        """Return whether the function has returned or raised."""
        return self._done

    def wait(self, timeout: float | None) -> bool:
        """Wait at most ``timeout`` s; return whether the function finished and was kept."""
        self._settled.wait(timeout)
        with self._lock:
            return self._done and not self._abandoned

    def result(self) -> Any:
        """Return what the function returned, or raise what it raised."""
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        return self._outcome

    def abandon(self) -> None:
        """Stop waiting: ``wait`` returns False at once, a late connection is closed."""
        with self._lock:
            self._abandoned = not self._done
        self._settled.set()
