"""Translate every error into one JSON shape: ``{code, status, message, errors}``.

No HTML error page and no traceback ever reaches a client; unexpected errors
are logged in full with the request id and answered with a short 500.
"""

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, g, jsonify
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from pipelines.content.errors import ContentBlocked, ModelOutputRejected, ModelTimeout
from repository.errors import Conflict, InsightsError, InvalidInput, NotFound, Unavailable

log = logging.getLogger(__name__)

_LOCATION_NAMES = {
    "query": "query parameter",
    "json": "field",
    "view_args": "path parameter",
    "path": "path parameter",
}

# Each domain error class and the status it is answered with; the most specific class of
# an error wins, anything else raised on purpose is a 500.
STATUS_OF_ERROR: dict[type[InsightsError], int] = {
    NotFound: 404,
    Conflict: 409,
    InvalidInput: 422,
    ModelOutputRejected: 502,
    Unavailable: 503,
    ModelTimeout: 504,
}

# Domain field names -> where a request carries them and under which name.
REQUEST_PARAMETER_OF_FIELD = {"customer_type": ("query", "type")}


class InvalidParameter(InvalidInput):
    """One or more request parameters are invalid; ``problems`` is ``{location: {name: [..]}}``."""

    def __init__(self, problems: dict[str, dict[str, list[str]]]) -> None:
        super().__init__(describe_validation_errors(problems))
        self.problems = problems


def invalid_parameter(location: str, name: str, problem: str) -> InvalidParameter:
    """Return the error for one bad parameter (``location`` is "query" or "path")."""
    return InvalidParameter({location: {name: [problem]}})


def status_of(error: InsightsError) -> int:
    """Return the HTTP status an error is answered with."""
    for cls in type(error).__mro__:
        if cls in STATUS_OF_ERROR:
            return STATUS_OF_ERROR[cls]
    return 500


def error_response(code: int, message: str, errors: dict | None = None):
    """Build the JSON error response every handler returns."""
    body = {
        "code": code,
        "status": HTTPStatus(code).phrase,
        "message": message,
        "errors": errors or {},
    }
    return jsonify(body), code


def describe_validation_errors(messages: dict[str, Any]) -> str:
    """Turn webargs' ``{location: {field: [problems]}}`` into one sentence naming each field."""
    parts = []
    for location, fields in messages.items():
        kind = _LOCATION_NAMES.get(location, location)
        if not isinstance(fields, dict):
            parts.append(f"{kind}: {_join(fields)}")
            continue
        for field, problems in fields.items():
            parts.append(f"{kind} '{field}': {_join(problems)}")
    return "Invalid request: " + "; ".join(parts) if parts else "Invalid request"


def _join(problems: Any) -> str:
    if isinstance(problems, dict):
        return "; ".join(f"{key}: {_join(value)}" for key, value in problems.items())
    if isinstance(problems, list | tuple):
        return " ".join(str(problem) for problem in problems)
    return str(problems)


def _handle_http_exception(error: HTTPException):
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if messages:
        body, code = error_response(
            error.code or 500, describe_validation_errors(messages), messages
        )
    else:
        body, code = error_response(
            error.code or 500, data.get("message") or error.description or ""
        )
    # Keep what the exception says beside its HTML page: Allow on a 405, for one.
    kept = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    return body, code, kept


def _handle_insights_error(error: InsightsError):
    if isinstance(error, InvalidParameter):
        return error_response(422, error.message, error.problems)
    if isinstance(error, InvalidInput) and error.field in REQUEST_PARAMETER_OF_FIELD:
        location, name = REQUEST_PARAMETER_OF_FIELD[error.field]
        return _handle_insights_error(invalid_parameter(location, name, error.message))
    if isinstance(error, ContentBlocked):
        # What a client needs to find the stored text for review, without parsing prose.
        details = {"content_id": str(error.content_id), "restricted_phrases": error.phrases}
        return error_response(502, error.message, details)
    status = status_of(error)
    if status >= 500:
        log.warning("request failed: %s", error.message)
    return error_response(status, error.message)


def _handle_database_unavailable(error: Exception):
    log.error("database unavailable: %s", error)
    return error_response(503, "The database is unavailable or too slow; try again shortly.")


def _handle_unexpected(error: Exception):
    log.exception("unhandled error")
    request_id = getattr(g, "request_id", None)
    suffix = f" (request id {request_id})" if request_id else ""
    return error_response(500, f"Internal server error{suffix}.")


def init_app(app: Flask) -> None:
    """Register the handlers; call after flask-smorest's Api so these take precedence."""
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(InsightsError, _handle_insights_error)
    app.register_error_handler(OperationalError, _handle_database_unavailable)
    app.register_error_handler(PoolTimeout, _handle_database_unavailable)
    app.register_error_handler(Exception, _handle_unexpected)
