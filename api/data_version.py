"""Name the data version behind each /api/v1 response, so that caches can key on it."""

import logging

from flask import Flask, Response, g, request

from api.extensions import repositories

HEADER = "X-Data-Version"
_API_PREFIX = "/api/v1/"

log = logging.getLogger(__name__)


def current_data_version() -> int | None:
    """Return the data version readers are served, or None when the database cannot say."""
    try:
        return repositories().health.data_version()
    except Exception as error:  # a probe field must never turn into a 500
        log.warning("data version unavailable: %s", error)
        return None


def _read_version() -> None:
    # Read before the request's own reads, and let a failure answer the request (503):
    # a 200 then always names its version, and a stall here is a stall for the request.
    if request.path.startswith(_API_PREFIX):
        g.data_version = repositories().health.data_version()


def _add_header(response: Response) -> Response:
    # Popped: an app context (a test's, or a CLI's) can outlive one request.
    version = g.pop("data_version", None)
    if version is not None:
        response.headers[HEADER] = str(version)
    return response


def init_app(app: Flask) -> None:
    """Add the X-Data-Version header to every /api/v1 response of ``app``."""
    app.before_request(_read_version)
    app.after_request(_add_header)
