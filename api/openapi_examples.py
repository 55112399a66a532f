"""Give every documented error response of /openapi.json a real example body.

Without one, Swagger UI renders the Error schema's field examples for every status (the
same 404 with ``additionalProp1`` placeholders). One table maps each status to a body the
API really sends; a few operations whose message differs get their own.
"""

from http import HTTPStatus
from typing import Any

ERROR_CONTENT_SCHEMA = {"$ref": "#/components/schemas/Error"}


def _body(code: int, message: str, errors: dict | None = None) -> dict[str, Any]:
    return {
        "code": code,
        "status": HTTPStatus(code).phrase,
        "message": message,
        "errors": errors or {},
    }


_BAD_PAGE_SIZE = "Must be greater than or equal to 1 and less than or equal to 100."
_BAD_MAX_WORDS = "Must be greater than or equal to 50 and less than or equal to 400."

EXAMPLE_OF_STATUS: dict[int, dict[str, Any]] = {
    400: _body(400, "The browser (or proxy) sent a request that this server could not understand."),
    401: _body(401, "Send an API key in the X-API-Key header or as Authorization: Bearer <key>."),
    403: _body(403, "This API key lacks the content:write scope this endpoint needs."),
    404: _body(404, "customer 999999 not found"),
    409: _body(409, "an API key named 'reporting' already exists"),
    422: _body(
        422,
        f"Invalid request: query parameter 'page_size': {_BAD_PAGE_SIZE}",
        {"query": {"page_size": [_BAD_PAGE_SIZE]}},
    ),
    429: _body(429, "Rate limit exceeded (60 per 1 minute); retry after 12 seconds."),
    500: _body(500, "Internal server error (request id 6f1c2a9e4b7d4c0a)."),
    502: _body(
        502,
        "The language model's text failed its checks twice: "
        "it names product 'Gold Card', which is not in the customer's interactions.",
    ),
    503: _body(503, "The database is unavailable or too slow; try again shortly."),
    504: _body(504, "The language model (openai) did not answer in time; try again shortly."),
}

# (OpenAPI path, status) -> a body for operations whose message differs from the table's.
EXAMPLE_OF_OPERATION: dict[tuple[str, int], dict[str, Any]] = {
    ("/api/v1/stats/{table_name}", 404): _body(
        404, "unknown table 'orders'; expected one of: customers, interactions"
    ),
    ("/api/v1/generate-content/{customer_id}", 422): _body(
        422,
        f"Invalid request: query parameter 'max_words': {_BAD_MAX_WORDS}",
        {"query": {"max_words": [_BAD_MAX_WORDS]}},
    ),
    ("/api/v1/summarized_interactions/{customer_id}", 422): _body(
        422,
        "Invalid request: query parameter 'refresh': Not a valid boolean.",
        {"query": {"refresh": ["Not a valid boolean."]}},
    ),
    ("/api/v1/generated-content/{content_id}", 404): _body(
        404, "generated content 3f2b8c1e-6d4a-4f0e-9a7b-2c5d8e1f0a93 not found"
    ),
}

# flask-smorest's shared responses, by component name, and the status each stands for.
STATUS_OF_COMPONENT = {"DEFAULT_ERROR": 500, "RATE_LIMITED": 429}


def document_error_examples(spec) -> None:
    """Set an example on every response documented with the Error schema."""
    for name, response in spec.components.responses.items():
        status = STATUS_OF_COMPONENT.get(name) or _status_of_name(name)
        if status in EXAMPLE_OF_STATUS:
            _set_example(response, EXAMPLE_OF_STATUS[status])
    for path, operations in spec._paths.items():  # apispec has no public accessor
        for operation in operations.values():
            if not isinstance(operation, dict):  # the path's shared "parameters" list
                continue
            for key, response in (operation.get("responses") or {}).items():
                if not str(key).isdigit():
                    continue
                status = int(key)
                example = EXAMPLE_OF_OPERATION.get((path, status), EXAMPLE_OF_STATUS.get(status))
                if example is not None:
                    _set_example(response, example)


def _status_of_name(name: str) -> int | None:
    """Return 404 for flask-smorest's "NOT_FOUND" component, None for other names."""
    member = HTTPStatus.__members__.get(name)
    return member.value if member else None


def _set_example(response: dict[str, Any], example: dict[str, Any]) -> None:
    media = (response.get("content") or {}).get("application/json")
    if media is not None and media.get("schema") == ERROR_CONTENT_SCHEMA:
        media["example"] = example
