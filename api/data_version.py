"""Name the data version behind each /api/v1 response, so that caches can key on it.

With a replica (READ_DATABASE_URL), a client that sends back the highest version it has
seen, as ``X-Min-Data-Version``, is never served an older one: when the replica has not
replayed that version yet, the request reads from the primary (docs/scale-out.md).
"""

import logging

from flask import Flask, Response, g, request

from api.errors import invalid_parameter
from api.extensions import repositories

HEADER = "X-Data-Version"
MIN_HEADER = "X-Min-Data-Version"
_API_PREFIX = "/api/v1/"
# PostgreSQL's INTEGER, the type of insights.data_version.version.
_MAX_VERSION = 2**31 - 1

log = logging.getLogger(__name__)


def current_data_version() -> int | None:
    """Return the data version readers are served, or None when the database cannot say."""
    try:
        return repositories().served_version()
    except Exception as error:  # a probe field must never turn into a 500
        log.warning("data version unavailable: %s", error)
        return None


def request_data_version() -> int | None:
    """Return the data version this request reads, as read before it ran (None outside)."""
    return g.get("data_version")


def version_seen() -> int | None:
    """Return the version the client says it has seen (``X-Min-Data-Version``), if any.

    Raises:
        InvalidParameter: the header is not a whole number from 1 to 2147483647.
    """
    raw = request.headers.get(MIN_HEADER)
    if raw is None or raw.strip() == "":
        return None
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= _MAX_VERSION:
        problem = f"must be a data version (a whole number from 1 to {_MAX_VERSION})"
        raise invalid_parameter("headers", MIN_HEADER, problem)
    return int(text)


def _read_version() -> None:
    # Read before the request's own reads, and let a failure answer the request (503):
    # a 200 then always names its version, and a stall here is a stall for the request.
    if not request.path.startswith(_API_PREFIX):
        return
    seen = version_seen()
    served = repositories()
    version = served.served_version()
    if seen is not None and served.primary is not None and (version or 0) < seen:
        # The replica lags behind what this client has seen: read from the primary. Data
        # versions only move forward, so the primary's is at least as new.
        g.repositories = served.primary
        version = served.primary.served_version()
        log.info("replica at data version %s, client saw %s: reading from the primary",
                 version, seen)  # fmt: skip
    g.data_version = version


def _add_header(response: Response) -> Response:
    # Popped: an app context (a test's, or a CLI's) can outlive one request.
    version = g.pop("data_version", None)
    if version is not None:
        response.headers[HEADER] = str(version)
    return response


def _forget_routing(_error: BaseException | None) -> None:
    g.pop("repositories", None)


def init_app(app: Flask) -> None:
    """Add the X-Data-Version header to every /api/v1 response of ``app``."""
    app.before_request(_read_version)
    app.after_request(_add_header)
    app.teardown_request(_forget_routing)
