"""Read a page's query string or form with the API's own schemas, reporting problems as text."""

from typing import Any

from flask import request
from marshmallow import Schema, ValidationError
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import MultiDict

from api.errors import InvalidParameter
from repository.errors import InsightsError


def load(schema: Schema, source: str = "query") -> tuple[dict[str, Any], list[str]]:
    """Return the validated arguments and, when they are invalid, the problems (and {})."""
    data = request.args if source == "query" else request.form
    # A form's empty field means "not given" (an empty date box, no focus).
    data = MultiDict([(k, v) for k, v in data.items(multi=True) if v.strip() != ""])
    try:
        return schema.load(MultiDictProxy(data, schema)), []
    except ValidationError as error:
        return {}, problems_of(error.messages)


def problems_of(messages: Any, where: str = "") -> list[str]:
    """Flatten marshmallow's nested messages into "field: problem" lines."""
    if isinstance(messages, dict):
        found: list[str] = []
        for name, inner in messages.items():
            found += problems_of(inner, f"{where}.{name}" if where else str(name))
        return found
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [f"{where}: {m}" if where else m for m in messages]
    return [f"{where}: {messages}"]


def problems_of_error(error: InsightsError) -> list[str]:
    """Return the lines a domain error (e.g. an unknown filter value) shows on a page."""
    if isinstance(error, InvalidParameter):
        return problems_of(error.problems)
    return [f"{error.field}: {error.message}" if error.field else error.message]
