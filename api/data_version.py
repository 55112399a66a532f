"""Name the data version behind each /api/v1 response, so that caches can key on it."""

import logging

from flask import Flask, Response, request

from api.extensions import repositories

HEADER = "X-Data-Version"
_API_PREFIX = "/api/v1/"

log = logging.getLogger(__name__)


def current_data_version() -> int | None:
    """Return the data version readers are served, or None when the database cannot say."""
    try:
        return repositories().health.data_version()
    except Exception as error:  # a header or a probe field must never turn into a 500
        log.warning("data version unavailable: %s", error)
        return None


def _add_header(response: Response) -> Response:
    # After a 5xx the database is likely the trouble: do not ask it again.
    if request.path.startswith(_API_PREFIX) and response.status_code < 500:
        version = current_data_version()
        if version is not None:
            response.headers[HEADER] = str(version)
    return response


def init_app(app: Flask) -> None:
    """Add the X-Data-Version header to every /api/v1 response of ``app``."""
    app.after_request(_add_header)
