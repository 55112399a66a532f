"""Start the embedded PostgreSQL (pgserver) for machines that have no server of their own."""

import atexit
import json
import logging
import signal
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from repository.errors import ConfigurationError

log = logging.getLogger(__name__)

# Handles must outlive the call: pgserver stops the server when the last one is gone.
_servers: dict[Path, object] = {}

# pgserver's record of the processes sharing a server (one pid each, in the data folder).
HANDLES_FILE = ".handle_pids.json"
STOP_WAIT_S = 10


def start_embedded_postgres(data_dir: str | Path) -> str:
    """Start (or join) the embedded server whose data lives in ``data_dir``; return its URL.

    Several processes may share one data folder: pgserver keeps the server up
    while any of them runs, and stops it when the last one exits.
    """
    path = Path(data_dir).resolve()
    if path not in _servers:
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
                import pgserver
        except ImportError:
            raise ConfigurationError(
                "DATABASE_URL is not set and the embedded PostgreSQL is not installed "
                "(pip install 'customer-insights[embedded]', or set DATABASE_URL)"
            ) from None
        path.mkdir(parents=True, exist_ok=True)
        _forget_dead_handles(path)
        with warnings.catch_warnings():
            # platformdirs warns that XDG_RUNTIME_DIR is unset on servers; harmless here.
            warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
            _servers[path] = pgserver.get_server(path, cleanup_mode="stop")
        # Exit handlers run last-registered first: this one before pgserver's stop, so a
        # user that died meanwhile (a --debug reloader child killed by its parent) does
        # not keep the server up.
        atexit.register(_forget_dead_handles, path)
        log.info("embedded postgres started", extra={"data_dir": str(path)})
    return _servers[path].get_uri()  # type: ignore[attr-defined]


def _forget_dead_handles(path: Path) -> None:
    """Drop pids of processes that died without saying so (killed, crashed).

    pgserver stops the server only when the exiting process is the last one listed, so
    a stale pid would keep the server running after every live user has gone.
    """
    import psutil

    handles = path / HANDLES_FILE
    try:
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if _alive(psutil, pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def _alive(psutil: Any, pid: int) -> bool:
    """Whether ``pid`` runs; a killed child not yet reaped by its parent (a zombie) does not."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def release_embedded_postgres(data_dir: str | Path) -> None:
    """Let go of this process's handle: the server stops if no other process still uses it."""
    path = Path(data_dir).resolve()
    server = _servers.pop(path, None)
    if server is not None:
        server.cleanup()  # type: ignore[attr-defined]
        log.info("embedded postgres released", extra={"data_dir": str(path)})


@contextmanager
def released_at_end(data_dir: str | Path) -> Iterator[None]:
    """Release the embedded server of ``data_dir`` (if one was started) when the block ends.

    For temporary data folders: the server must stop before its folder is deleted, or it
    runs on without one.
    """
    try:
        yield
    finally:
        release_embedded_postgres(data_dir)


def stop_on_termination_signals() -> None:
    """Turn SIGTERM and SIGHUP into a normal exit, so the embedded server is released.

    Python's default for these signals ends the process without running exit handlers,
    which is where pgserver stops the server. Ctrl+C (SIGINT) already exits normally.
    """

    def _exit(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)
    # A hang-up ignored on purpose (nohup) stays ignored.
    if hasattr(signal, "SIGHUP") and signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:
        signal.signal(signal.SIGHUP, _exit)


def stop_leftover_postgres(data_dir: str | Path) -> list[int]:
    """Stop any server running on ``data_dir``, used or not; return the stopped pids.

    For `make stop`: finds the server by its command line, so it also finds one whose
    data folder was deleted under it.
    """
    import psutil

    path = Path(data_dir).resolve()
    found = [
        proc
        for proc in psutil.process_iter(attrs=["name", "cmdline"])
        if proc.info["name"] == "postgres" and str(path) in (proc.info["cmdline"] or [])
    ]
    for proc in found:
        proc.send_signal(signal.SIGINT)  # PostgreSQL's "fast" shutdown
    _, still_running = psutil.wait_procs(found, timeout=STOP_WAIT_S)
    for proc in still_running:
        proc.kill()
    if (path / HANDLES_FILE).exists():
        (path / HANDLES_FILE).write_text("[]")
    return [proc.pid for proc in found]
