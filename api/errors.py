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

from repository.errors import InsightsError

log = logging.getLogger(__name__)

_LOCATION_NAMES = {"query": "query parameter", "json": "field", "view_args": "path parameter"}


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
        return error_response(error.code or 500, describe_validation_errors(messages), messages)
    return error_response(error.code or 500, data.get("message") or error.description or "")


def _handle_insights_error(error: InsightsError):
    if error.status_code >= 500:
        log.warning("request failed: %s", error.message)
    return error_response(error.status_code, error.message, error.errors)


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
