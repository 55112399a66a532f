"""API keys end to end: every endpoint's access decision, 401/403, storage, revocation, audit."""

import hashlib
import logging
from datetime import UTC, datetime, timedelta

import pytest

from api.auth import PUBLIC, SESSION, required_scope
from repository.api_keys import SCOPES
from tests.support import assert_error_shape, client_with_key, create_api_key, query

# A value for each path parameter, so every rule can be turned into a URL.
PATH_VALUES = {
    "customer_id": "1",
    "content_id": "00000000-0000-0000-0000-000000000001",
    "table_name": "customers",
    "filename": "swagger-ui.css",
    "campaign_id": "1",
    "token": "1.1.00000000000000000000000000000000",  # issue 15: an unsubscribe link's
}
NON_ADMIN_SCOPES = [scope for scope in SCOPES if scope != "admin"]
# What issue 13 decided, by URL, written independently of api/auth.py's tables: a new
# endpoint fails TestEveryEndpointHasADecision until it is added both there and here.
EXPECTED_SCOPE_BY_URL = {
    "/health/": PUBLIC,
    "/docs": PUBLIC,
    "/openapi.json": PUBLIC,
    "/static/": PUBLIC,
    "/api/v1/statistics/": "stats:read",
    "/api/v1/customers": "stats:read",
    "/api/v1/stats/": "stats:read",
    "/api/v1/generate-content/": "content:write",
    "/api/v1/summarized_interactions/": "content:write",
    "/api/v1/generated-content": "content:write",  # the listing, one item, usage
    "/api/v1/campaigns": "campaigns:manage",  # every campaign endpoint
    "/api/v1/query": "stats:read",  # issue 16: the semantic query layer and its meta
    "/api/v1/research": "stats:read",  # issue 16: the research assistant
    "/metrics": "admin",  # issue 18: Prometheus text, for the scraper's own admin key
    # Issue 20: the web console authenticates by its session cookie, never by the key
    # header; tests/integration/test_console.py checks its sign-in and per-page scopes.
    "/console": SESSION,
    # Issue 15: a customer's unsubscribe link has no key (signed, rate limited).
    "/api/v1/unsubscribe/": PUBLIC,
    "/api/v1/events": "campaigns:manage",  # feedback from the mail provider
}
# Consent and contacts sit under /api/v1/customers but manage outreach and personal data:
# decided by exact URL (PATH_VALUES' customer 1), as the customers prefix also matches.
EXACT_SCOPE_BY_URL_OUTREACH = {
    "/api/v1/customers/1/opt-out": "campaigns:manage",
    "/api/v1/customers/1/consent": "campaigns:manage",
    "/api/v1/customers/1/contact": "campaigns:manage",
}
# URLs decided as a whole, not by prefix ("/" is the start of every URL).
EXACT_SCOPE_BY_URL = {"/": PUBLIC}  # redirects to /docs
EXACT_SCOPE_BY_URL |= EXACT_SCOPE_BY_URL_OUTREACH


def expected_scope(url: str) -> str | None:
    """Return the decision for ``url`` from the tables above, or None if it has none."""
    if url in EXACT_SCOPE_BY_URL:
        return EXACT_SCOPE_BY_URL[url]
    found = [scope for start, scope in EXPECTED_SCOPE_BY_URL.items() if url.startswith(start)]
    return found[0] if len(found) == 1 else None


def _routes(app) -> list[tuple[str, str, str]]:
    """Return (endpoint, method, url) for every rule and method of ``app``."""
    routes = []
    for rule in app.url_map.iter_rules():
        missing = set(rule.arguments) - set(PATH_VALUES)
        assert not missing, f"give PATH_VALUES a sample for {missing} ({rule.rule})"
        url = rule.build(dict.fromkeys(rule.arguments, "x") | PATH_VALUES, append_unknown=False)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, url[1]))
    return routes


def _protected(app) -> list[tuple[str, str, str, str]]:
    """Return (endpoint, method, url, scope) for every endpoint the table says needs a key."""
    return [
        (endpoint, method, url, expected_scope(url) or "")
        for endpoint, method, url in _routes(app)
        if expected_scope(url) not in (PUBLIC, SESSION)
    ]


class TestEveryEndpointHasADecision:
    def test_each_endpoint_has_the_decision_the_issue_made(self, app):
        for endpoint, method, url in _routes(app):
            expected = expected_scope(url)
            assert expected is not None, f"{method} {url}: add it to EXPECTED_SCOPE_BY_URL"
            assert required_scope(endpoint) == expected, (endpoint, url)

    def test_an_endpoint_without_a_decision_is_closed_even_to_admin(self, app):
        @app.get("/api/v1/undecided")
        def undecided():
            return {"open": True}

        response = client_with_key(app).get("/api/v1/undecided")
        assert "closed" in assert_error_shape(response, 403)["message"]


class TestRefusals:
    def test_no_key_is_401_with_www_authenticate_on_every_protected_endpoint(self, app):
        client = app.test_client()
        for endpoint, method, url, _ in _protected(app):
            response = client.open(url, method=method)
            assert_error_shape(response, 401)
            assert response.headers["WWW-Authenticate"].startswith("Bearer"), endpoint

    def test_an_unknown_key_is_401_naming_it_invalid(self, app):
        client = client_with_key(app, "ci_12345678_" + "A" * 43)
        for _, method, url, _ in _protected(app):
            response = client.open(url, method=method)
            assert "unknown" in assert_error_shape(response, 401)["message"]
            assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]

    @pytest.mark.parametrize("scope", NON_ADMIN_SCOPES)
    def test_a_key_is_403_exactly_where_it_lacks_the_scope(self, app, scope):
        client = client_with_key(app, create_api_key(app, "only-" + scope.split(":")[0], scope))
        for endpoint, method, url, needed in _protected(app):
            status = client.open(url, method=method).status_code
            if needed == scope:
                assert status not in (401, 403), (endpoint, status)
            else:
                assert status == 403, (endpoint, scope, status)

    def test_admin_reaches_every_endpoint(self, app):
        client = client_with_key(app, create_api_key(app, "root", "admin"))
        for endpoint, method, url, _ in _protected(app):
            assert client.open(url, method=method).status_code not in (401, 403), endpoint

    def test_public_endpoints_need_no_key(self, app):
        client = app.test_client()
        assert client.get("/health/live").status_code == 200
        assert client.get("/openapi.json").status_code == 200
        assert client.get("/docs").status_code == 200

    def test_a_bearer_token_works_like_the_header(self, app):
        key = create_api_key(app, "bearer", "stats:read")
        headers = {"Authorization": f"Bearer {key}"}
        assert app.test_client().get("/api/v1/stats/customers", headers=headers).status_code == 200


class TestRevocationAndExpiry:
    def test_a_revoked_key_stops_working_at_once(self, app, insights):
        client = client_with_key(app, create_api_key(app, "leaving", "stats:read"))
        assert client.get("/api/v1/stats/customers").status_code == 200
        assert insights("keys", "revoke", "leaving").exit_code == 0
        assert_error_shape(client.get("/api/v1/stats/customers"), 401)

    def test_an_expired_key_is_refused(self, app):
        keys = app.extensions["insights"]["repositories"].api_keys
        past = datetime.now(UTC) - timedelta(seconds=1)
        issued = keys.create("expired", ("stats:read",), past, None)
        response = client_with_key(app, issued.secret).get("/api/v1/stats/customers")
        assert_error_shape(response, 401)

    def test_a_key_with_a_tampered_secret_is_refused(self, app):
        key = create_api_key(app, "tampered", "stats:read")
        forged = key[:-1] + ("A" if key[-1] != "A" else "B")
        assert_error_shape(client_with_key(app, forged).get("/api/v1/stats/customers"), 401)


class TestStorage:
    def test_no_table_holds_a_secret_in_clear_or_unpeppered(self, app, database_url):
        keys = [create_api_key(app, f"k{n}", "admin") for n in range(3)]
        client_with_key(app, keys[0]).get("/api/v1/stats/customers")
        rows = query(database_url, "SELECT k::text FROM insights.api_keys k")
        rows += query(database_url, "SELECT a::text FROM insights.api_key_audit a")
        dump = "\n".join(row[0] for row in rows)
        for key in keys:
            assert key not in dump and key.split("_", 2)[2] not in dump
            assert hashlib.sha256(key.encode()).hexdigest() not in dump

    def test_creation_and_revocation_are_audited_without_the_secret(
        self, app, insights, database_url
    ):
        key = create_api_key(app, "audited", "stats:read,content:write")
        insights("keys", "revoke", "audited")
        rows = query(
            database_url,
            "SELECT action, key_prefix, scopes FROM insights.api_key_audit "
            "WHERE key_name = 'audited' ORDER BY id",
        )
        prefix = key[:11]
        scopes = ["stats:read", "content:write"]
        assert rows == [("created", prefix, scopes), ("revoked", prefix, scopes)]

    def test_use_is_recorded_once_a_minute_not_on_every_request(self, app, database_url):
        client = client_with_key(app, create_api_key(app, "busy", "stats:read"))
        statement = "SELECT last_used_at FROM insights.api_keys WHERE name = 'busy'"
        assert query(database_url, statement) == [(None,)]
        client.get("/api/v1/stats/customers")
        (first,) = query(database_url, statement)[0]
        client.get("/api/v1/stats/customers")
        assert first is not None and query(database_url, statement) == [(first,)]


class TestRequestLog:
    def test_names_the_key_by_prefix_and_name_never_the_secret(self, app, caplog):
        key = create_api_key(app, "logged", "stats:read")
        with caplog.at_level(logging.INFO, logger="api.requests"):
            client_with_key(app, key).get("/api/v1/stats/customers")
        (record,) = [r for r in caplog.records if r.name == "api.requests"]
        assert (record.api_key, record.api_key_name) == (key[:11], "logged")
        assert key not in caplog.text

    def test_a_refused_key_is_logged_by_its_prefix_only(self, app, caplog):
        forged = "ci_abcdef12_" + "S" * 43
        with caplog.at_level(logging.INFO, logger="api.requests"):
            client_with_key(app, forged).get("/api/v1/stats/customers")
        (record,) = [r for r in caplog.records if r.name == "api.requests"]
        assert record.api_key_rejected == "ci_abcdef12" and "S" * 43 not in caplog.text
