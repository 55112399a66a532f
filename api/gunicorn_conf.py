"""gunicorn's settings for this service: ``gunicorn -c python:api.gunicorn_conf api.wsgi:app``.

Requests past these limits never reach the app: gunicorn answers them itself with a short
HTML page of its own (no JSON error shape, no X-Request-ID), see docs/api-design.md.
Bind address, workers and threads stay on the command line, where each deployment sets them.
"""

# The request line ("GET /api/v1/...?... HTTP/1.1"), in bytes; longer: 414. The longest
# legitimate one, a statistics query repeating every filter value, is well under 4 KB.
limit_request_line = 4094
# Header lines per request; more: 431. Browsers and clients send about 10 to 20.
limit_request_fields = 50
# Bytes of one header line; longer: 431. Room for a bearer key and any proxy's headers.
limit_request_field_size = 8190


# Metrics across workers (issue 18). Every worker is a process of its own, so prometheus-
# client keeps its values in files under PROMETHEUS_MULTIPROC_DIR and GET /metrics, served
# by any worker, adds them up (api/metrics.py). The variable must be set before a worker
# imports prometheus-client, i.e. here in the master: unset, a fresh private folder is
# made. A set one is emptied at start, so figures of an earlier master do not linger.
def _metrics_folder() -> str | None:
    """Return the folder made here (removed at exit), or None when the environment named one."""
    import os
    import tempfile
    from pathlib import Path

    named = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    folder = named or tempfile.mkdtemp(prefix="insights-metrics-")
    Path(folder).mkdir(parents=True, exist_ok=True)
    for leftover in Path(folder).glob("*.db"):
        leftover.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    return None if named else folder


_made_folder = _metrics_folder()


def on_exit(_server) -> None:
    """Remove the metrics folder this master made for itself."""
    import shutil

    if _made_folder:
        shutil.rmtree(_made_folder, ignore_errors=True)


def child_exit(_server, worker) -> None:
    """Drop a dead worker's live gauges (requests in flight, pool connections in use)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
