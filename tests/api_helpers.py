"""Assertions shared by the HTTP tests of both tiers."""

import json


def assert_error_shape(response, code: int) -> dict:
    """Check the one JSON error shape every 4xx and 5xx uses; return the body."""
    assert response.status_code == code
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["code"] == code and body["message"]
    return body


def pagination(response) -> dict:
    """Return flask-smorest's pagination metadata from the X-Pagination header."""
    return json.loads(response.headers["X-Pagination"])
