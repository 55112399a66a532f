"""Rate limits: per key, per address without one, stricter for generation, shared in Redis."""

import socket

import pytest

from tests.support import assert_error_shape, client_with_key, create_api_key, make_app

STATS = "/api/v1/stats/customers"


@pytest.fixture
def limited_app(database_url):
    """Return a function building an app with the given limits (closed after the test)."""
    apps = []

    def build(**limits):
        app = make_app(database_url, **limits)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["insights"]["repositories"].close()


class TestDefaultLimit:
    def test_the_request_over_the_limit_is_a_json_429_with_retry_after(self, limited_app):
        client = client_with_key(limited_app(RATE_LIMIT_DEFAULT="3/minute"))
        assert [client.get(STATS).status_code for _ in range(3)] == [200, 200, 200]
        response = client.get(STATS)
        body = assert_error_shape(response, 429)
        assert 0 < int(response.headers["Retry-After"]) <= 61
        assert "3 per 1 minute" in body["message"]

    def test_each_key_has_its_own_budget(self, limited_app):
        app = limited_app(RATE_LIMIT_DEFAULT="2/minute")
        first = client_with_key(app, create_api_key(app, "first", "stats:read"))
        second = client_with_key(app, create_api_key(app, "second", "stats:read"))
        for _ in range(2):
            first.get(STATS)
        assert first.get(STATS).status_code == 429
        assert second.get(STATS).status_code == 200

    def test_the_budget_is_shared_by_every_endpoint_of_a_key(self, limited_app):
        client = client_with_key(limited_app(RATE_LIMIT_DEFAULT="2/minute"))
        client.get(STATS)
        client.get("/api/v1/customers")
        assert client.get("/api/v1/statistics/overview").status_code == 429

    def test_requests_without_a_key_are_counted_by_address(self, limited_app):
        app = limited_app(RATE_LIMIT_DEFAULT="2/minute")
        anonymous = app.test_client()
        assert anonymous.get(STATS).status_code == 401
        assert anonymous.get("/health/live").status_code == 200
        assert_error_shape(anonymous.get(STATS), 429)
        assert client_with_key(app).get(STATS).status_code == 200


class TestContentLimit:
    def test_generation_is_limited_sooner_than_reads(self, limited_app):
        app = limited_app(RATE_LIMIT_DEFAULT="100/minute", RATE_LIMIT_CONTENT="1/minute")
        client = client_with_key(app)
        assert client.get("/api/v1/generate-content/1").status_code == 404  # no such customer
        assert_error_shape(client.get("/api/v1/generate-content/1"), 429)
        assert client.get(STATS).status_code == 200


def _redis_is_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_is_up(), reason="no Redis on 127.0.0.1:6379")
class TestRedisStorage:
    def test_two_processes_share_one_count(self, limited_app):
        # Two apps stand for two gunicorn workers; each key's random prefix keeps runs apart.
        settings = {
            "RATE_LIMIT_DEFAULT": "3/minute",
            "RATE_LIMIT_STORAGE_URL": "redis://127.0.0.1:6379/15",
        }
        first, second = limited_app(**settings), limited_app(**settings)
        key = create_api_key(first, "shared", "stats:read")
        one, other = client_with_key(first, key), client_with_key(second, key)
        assert [one.get(STATS).status_code, other.get(STATS).status_code] == [200, 200]
        assert one.get(STATS).status_code == 200
        assert_error_shape(other.get(STATS), 429)


def _closed_port() -> int:
    """Return a local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TestAStorageThatFails:
    def test_requests_are_answered_and_still_counted_in_memory(self, limited_app, caplog):
        app = limited_app(
            RATE_LIMIT_DEFAULT="2/minute",
            RATE_LIMIT_STORAGE_URL=f"redis://127.0.0.1:{_closed_port()}/0",
        )
        client = client_with_key(app)
        assert [client.get(STATS).status_code for _ in range(2)] == [200, 200]
        assert_error_shape(client.get(STATS), 429)
        assert "counting in memory" in caplog.text
