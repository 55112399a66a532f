"""Who may call what: every endpoint is public or needs one scope, and anything else is closed.

A request presents a key in ``X-API-Key`` or ``Authorization: Bearer``. No key, or one
that is unknown, revoked or expired: 401. A key without the endpoint's scope: 403. An
endpoint missing from the tables below answers 403 to everyone (tests/integration/
test_auth.py fails for it), so a new endpoint is never open by accident.
"""

import logging
import re
from datetime import UTC, datetime

from flask import Flask, Response, g, request

from api.errors import error_response
from api.extensions import repositories
from repository.api_keys import ApiKey, prefix_of

log = logging.getLogger(__name__)

PUBLIC = "public"
# Issue 20: the web console signs in with a key once and then authenticates by its session
# cookie; api/console checks each page's scope against the key the session re-verifies.
SESSION = "console-session"
# The scope each blueprint's endpoints need; "api-docs" is flask-smorest's (the OpenAPI
# document and Swagger UI).
SCOPE_OF_BLUEPRINT = {
    "health": PUBLIC,
    "api-docs": PUBLIC,
    "statistics": "stats:read",
    "customers": "stats:read",
    "legacy_stats": "stats:read",
    "content": "content:write",
    "usage": "content:write",  # totals over the stored generations
    # Outreach and personal data (opt-outs, email addresses): never stats:read.
    "consent": "campaigns:manage",
    "contacts": "campaigns:manage",
    # Issue 16: reads of the data, like the statistics (research also stores its audit entry).
    "query": "stats:read",
    "research": "stats:read",
    "campaigns": "campaigns:manage",
    "console": SESSION,  # issue 20
    # Issue 15: sending, delivery counts, feedback events and metrics run campaigns; the
    # unsubscribe link is opened by customers, who have no key (signed, rate limited).
    "deliveries": "campaigns:manage",
    "unsubscribe": PUBLIC,
    "events": "campaigns:manage",  # the mail provider's webhook gets a key of this scope
}
# Endpoints outside blueprints, and exceptions to their blueprint's rule.
SCOPE_OF_ENDPOINT = {
    "docs_assets": PUBLIC,  # Swagger UI's scripts and styles
    "root_redirect": PUBLIC,  # "/" only redirects to /docs
    "static": PUBLIC,  # Flask's own static route (the package ships no files there)
    # Prometheus text (api/metrics.py): routes, models, volumes and costs are not for every
    # key holder; the scraper gets an admin key of its own (docs/operations.md).
    "metrics": "admin",
}
REALM = 'Bearer realm="customer-insights"'
_MISSING = "Send an API key in the X-API-Key header or as Authorization: Bearer <key>."
_REJECTED = "The API key is unknown, revoked or expired."


def required_scope(endpoint: str) -> str | None:
    """Return PUBLIC, the scope ``endpoint`` needs, or None when nobody decided (closed)."""
    if endpoint in SCOPE_OF_ENDPOINT:
        return SCOPE_OF_ENDPOINT[endpoint]
    blueprint = endpoint.rpartition(".")[0]
    return SCOPE_OF_BLUEPRINT.get(blueprint) if blueprint else None


def presented_key(headers) -> str | None:
    """Return the key a request carries, if any (``X-API-Key`` wins over a bearer token)."""
    key = headers.get("X-API-Key", "").strip()
    if key:
        return key
    scheme, _, token = headers.get("Authorization", "").strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def current_key() -> ApiKey | None:
    """Return the verified key of the current request, if it presented one."""
    return g.get("api_key")


def _identify() -> None:
    """Verify a presented key before the rate limiter, which counts per key."""
    # Reset both: an app context (a test's) can outlive one request.
    g.api_key = None
    g.pop("rejected_key", None)
    presented = presented_key(request.headers)
    scope = required_scope(request.endpoint) if request.endpoint else PUBLIC
    if presented is None or scope in (PUBLIC, SESSION):
        return
    g.api_key = repositories().api_keys.verify(presented, datetime.now(UTC))
    if g.api_key is None:
        # The public part only, and only of something shaped like our keys.
        g.rejected_key = prefix_of(presented) or "malformed"


def _enforce() -> tuple[Response, int] | None:
    """Answer 401 or 403 unless the request may reach its endpoint."""
    if request.endpoint is None:  # no such route: the router's 404 or 405 follows
        return None
    scope = required_scope(request.endpoint)
    if scope in (PUBLIC, SESSION):
        return None
    if scope is None:
        log.error("endpoint has no access decision", extra={"endpoint": request.endpoint})
        return error_response(403, "This endpoint is closed: it has no access decision yet.")
    key = current_key()
    if key is None:
        rejected = g.get("rejected_key") is not None
        response, status = error_response(401, _REJECTED if rejected else _MISSING)
        error = ', error="invalid_token"' if rejected else ""
        response.headers["WWW-Authenticate"] = REALM + error
        return response, status
    if not key.grants(scope):
        return error_response(403, f"This API key lacks the {scope} scope this endpoint needs.")
    return None


def init_app(app: Flask) -> None:
    """Check keys on every request, with the rate limiter between identifying and refusing.

    Limiting after identification counts each key in its own bucket; limiting before
    refusal counts failed attempts too (by address), so guessing is rate limited as well.
    """
    from api import rate_limits

    app.before_request(_identify)
    rate_limits.init_app(app)
    app.before_request(_enforce)


_SCHEMES = {
    "ApiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    "BearerKey": {"type": "http", "scheme": "bearer", "description": "The same API key."},
}
_RATE_LIMITED = {
    "description": "Too many requests for this key (or address); wait Retry-After seconds.",
    "headers": {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def document_security(api, app: Flask) -> None:
    """Declare the key schemes and, per operation, the scope it needs and its 401/403/429.

    The decisions come from the same tables the requests are checked against, so the
    document cannot drift from them; Swagger UI's Authorize button uses the schemes.
    """
    spec = api.spec
    for name, scheme in _SCHEMES.items():
        spec.components.security_scheme(name, scheme)
    spec.components.response("RATE_LIMITED", _RATE_LIMITED)
    paths = spec._paths  # apispec keeps no public accessor for registered paths
    for rule in app.url_map.iter_rules():
        path = paths.get(_openapi_path(rule.rule))
        scope = required_scope(rule.endpoint)
        for method in rule.methods or ():
            operation = (path or {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            responses["429"] = {"$ref": "#/components/responses/RATE_LIMITED"}
            if scope == PUBLIC:
                operation["security"] = []
                continue
            operation["security"] = [{name: []} for name in _SCHEMES]
            operation["description"] = _with_scope(operation.get("description"), scope)
            responses["401"] = {"$ref": "#/components/responses/UNAUTHORIZED"}
            responses["403"] = {"$ref": "#/components/responses/FORBIDDEN"}
    for status in ("UNAUTHORIZED", "FORBIDDEN"):
        spec.components.get_ref("response", status)  # emit the lazily registered responses


def _openapi_path(rule: str) -> str:
    """Turn ``/customers/<int:customer_id>`` into ``/customers/{customer_id}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _with_scope(description: str | None, scope: str | None) -> str:
    needs = f"Needs an API key with the `{scope}` scope (or `admin`)."
    return f"{description}\n\n{needs}" if description else needs
