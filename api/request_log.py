"""Log one structured line per request and give every request an id."""

import logging
import re
import uuid
from time import perf_counter

from flask import Flask, Response, g, request

REQUEST_ID_HEADER = "X-Request-ID"
# Ids from clients are echoed into logs and headers: accept only tame ones.
_ACCEPTABLE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

log = logging.getLogger("api.requests")


def request_id_from(header_value: str | None) -> str:
    """Return the client's request id if it is safe to reuse, else a new one."""
    if header_value and _ACCEPTABLE_ID.fullmatch(header_value):
        return header_value
    return uuid.uuid4().hex


def _start() -> None:
    g.request_started = perf_counter()
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))


def _finish(response: Response) -> Response:
    request_id = getattr(g, "request_id", None) or request_id_from(None)
    started = getattr(g, "request_started", None)
    duration_ms = round((perf_counter() - started) * 1000, 2) if started else None
    response.headers[REQUEST_ID_HEADER] = request_id
    if not log.isEnabledFor(logging.INFO):  # spare building the line nobody will read
        return response
    log.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={
            "request_id": request_id,
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule else None,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration_ms,
            **_key_fields(),
        },
    )
    return response


def _key_fields() -> dict[str, str]:
    """Name the API key a request used by its public prefix and name, never its secret."""
    key = g.get("api_key")
    if key is not None:
        return {"api_key": key.prefix, "api_key_name": key.name}
    rejected = g.get("rejected_key")
    return {"api_key_rejected": rejected} if rejected else {}


def init_app(app: Flask) -> None:
    """Attach the request-id and logging hooks to ``app``."""
    app.before_request(_start)
    app.after_request(_finish)
