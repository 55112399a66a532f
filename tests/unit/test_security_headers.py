"""Security headers on every response, and werkzeug's own errors in the JSON shape."""

import base64
import hashlib
from html.parser import HTMLParser

import pytest
from flask import request

from api import auth
from tests.support import assert_error_shape

EVERY_KIND = [
    "/api/v1/customers",  # data
    "/api/v1/customers/424242",  # a domain 404
    "/api/v1/customers?page=0",  # a 422
    "/no/such/path",  # werkzeug's 404
    "/openapi.json",
    "/docs",
    "/docs/assets/swagger-ui-bundle.js",
    "/health/live",
]


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []
        self.inline: list[str] = []
        self._in_inline = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            source = dict(attrs).get("src")
            self._in_inline = source is None
            if source:
                self.sources.append(source)

    def handle_data(self, data):
        if self._in_inline:
            self.inline.append(data)

    def handle_endtag(self, tag):
        self._in_inline = False


def _directives(policy: str) -> dict[str, list[str]]:
    pairs = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in pairs}


@pytest.mark.parametrize("url", EVERY_KIND)
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    response.close()  # file responses (the assets) hold their file open until closed
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    policy = _directives(response.headers["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("url", ["/api/v1/customers", "/api/v1/customers/424242", "/health/live"])
def test_data_is_not_stored_by_caches(client, url):
    assert client.get(url).headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("method", ["GET", "OPTIONS"])
def test_answers_other_than_the_docs_page_allow_nothing_to_load(client, method):
    response = client.open("/api/v1/customers", method=method)
    policy = _directives(response.headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'none'"]
    assert "script-src" not in policy


def test_the_docs_page_may_run_its_local_scripts_and_only_its_own_inline_one(client):
    response = client.get("/docs")
    page = _Scripts()
    page.feed(response.get_data(as_text=True))
    policy = _directives(response.headers["Content-Security-Policy"])
    # Swagger UI comes from this server (the bundled package), not from a CDN.
    assert page.sources and all(src.startswith("/docs/assets/") for src in page.sources)
    for source in page.sources:
        asset = client.get(source)
        asset.close()
        assert asset.status_code == 200
    (inline,) = page.inline
    digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
    assert policy["script-src"] == ["'self'", f"'sha256-{digest}'"]
    assert policy["connect-src"] == ["'self'"]  # "Try it out" calls this server


def test_a_405_says_which_methods_are_allowed(client):
    response = client.post("/api/v1/customers")
    assert_error_shape(response, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET"}
    assert "POST" not in response.headers["Allow"]


def test_an_unknown_path_is_a_json_404_with_a_request_id(client):
    response = client.get("/no/such/path", headers={"X-Request-ID": "probe-1"})
    assert_error_shape(response, 404)
    assert response.headers["X-Request-ID"] == "probe-1"


@pytest.fixture
def echo_client(app, monkeypatch):
    """The app with a JSON-reading route and a 64-byte body limit, for werkzeug's errors."""
    monkeypatch.setitem(auth.SCOPE_OF_ENDPOINT, "echo", auth.PUBLIC)  # no key involved
    app.config["MAX_CONTENT_LENGTH"] = 64
    app.add_url_rule("/echo", "echo", lambda: {"got": request.get_json()}, methods=["POST"])
    return app.test_client()


def test_a_malformed_json_body_is_a_json_400(echo_client):
    response = echo_client.post("/echo", data="{not json", content_type="application/json")
    assert_error_shape(response, 400)
    assert response.headers["X-Request-ID"]


def test_a_body_over_the_limit_is_a_json_413(echo_client):
    response = echo_client.post(
        "/echo", data="[" + "1," * 100 + "1]", content_type="application/json"
    )
    assert_error_shape(response, 413)
    assert response.headers["X-Request-ID"]
