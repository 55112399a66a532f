"""Start the embedded PostgreSQL (pgserver) for machines that have no server of their own."""

import logging
import warnings
from pathlib import Path

from repository.errors import ConfigurationError

log = logging.getLogger(__name__)

# Handles must outlive the call: pgserver stops the server when the last one is gone.
_servers: dict[Path, object] = {}


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
        with warnings.catch_warnings():
            # platformdirs warns that XDG_RUNTIME_DIR is unset on servers; harmless here.
            warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
            _servers[path] = pgserver.get_server(path, cleanup_mode="stop")
        log.info("embedded postgres started", extra={"data_dir": str(path)})
    return _servers[path].get_uri()  # type: ignore[attr-defined]
