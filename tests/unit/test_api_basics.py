"""The HTTP layer over in-memory repositories: shapes, errors, request ids."""

import pytest

from api import auth
from tests.fakes import InMemoryStatisticsRepository
from tests.support import assert_error_shape


class TestLegacyRowCounts:
    @pytest.mark.parametrize("table", ["customers", "interactions", "products"])
    def test_reports_the_number_of_rows(self, client, repositories, table):
        repositories.statistics = InMemoryStatisticsRepository({table: [1, 2, 3]})
        response = client.get(f"/api/v1/stats/{table}")
        assert response.status_code == 200
        assert response.get_json() == {"message": "Number of Rows", "rows": 3}

    def test_an_unknown_table_is_a_json_404_naming_the_table(self, client):
        body = assert_error_shape(client.get("/api/v1/stats/pg_user"), 404)
        assert "pg_user" in body["message"] and "customers" in body["message"]


class TestErrorShape:
    def test_an_unknown_route_is_json_not_html(self, client):
        assert_error_shape(client.get("/no/such/page"), 404)

    def test_a_wrong_method_is_json(self, client):
        assert_error_shape(client.delete("/health/live"), 405)

    def test_an_unexpected_error_is_a_500_without_traceback(self, app, client, monkeypatch):
        monkeypatch.setitem(auth.SCOPE_OF_ENDPOINT, "boom", "stats:read")

        @app.get("/boom")
        def boom():
            raise RuntimeError("secret internals /etc/passwd")

        response = client.get("/boom", headers={"X-Request-ID": "trace-me"})
        body = assert_error_shape(response, 500)
        assert "secret" not in response.get_data(as_text=True)
        assert "Traceback" not in response.get_data(as_text=True)
        assert "trace-me" in body["message"]


class TestHealth:
    def test_live_is_ok(self, client):
        assert client.get("/health/live").get_json() == {"status": "ok"}

    def test_ready_when_every_migration_is_applied(self, client):
        response = client.get("/health/ready")
        assert response.status_code == 200
        assert response.get_json()["checks"] == {"database": "ok", "migrations": "ok"}

    def test_not_ready_while_migrations_are_pending(self, client, repositories):
        repositories.health.applied = set()
        response = client.get("/health/ready")
        assert response.status_code == 503
        body = response.get_json()
        assert body["status"] == "unavailable"
        assert "0001_legacy_schema" in body["checks"]["migrations"]


class TestRequestIds:
    def test_a_client_id_is_echoed(self, client):
        response = client.get("/health/live", headers={"X-Request-ID": "abc-123"})
        assert response.headers["X-Request-ID"] == "abc-123"

    def test_an_id_is_generated_when_missing(self, client):
        first = client.get("/health/live").headers["X-Request-ID"]
        second = client.get("/health/live").headers["X-Request-ID"]
        assert first and second and first != second

    def test_error_responses_carry_the_id_too(self, client):
        response = client.get("/nowhere", headers={"X-Request-ID": "err-1"})
        assert response.headers["X-Request-ID"] == "err-1"


class TestRequestLogging:
    def test_one_record_per_request_with_the_fields_operators_need(self, client, caplog):
        caplog.set_level("INFO", logger="api.requests")
        client.get("/api/v1/stats/customers", headers={"X-Request-ID": "log-1"})
        records = [r for r in caplog.records if r.name == "api.requests"]
        assert len(records) == 1
        record = records[0]
        assert record.request_id == "log-1"
        assert record.method == "GET"
        assert record.route == "/api/v1/stats/<string:table_name>"
        assert record.status == 200
        assert isinstance(record.duration_ms, float) and record.duration_ms >= 0


class TestDocs:
    def test_openapi_lists_the_endpoints(self, client):
        spec = client.get("/openapi.json").get_json()
        assert spec["openapi"].startswith("3.")
        assert {"/health/live", "/health/ready", "/api/v1/stats/{table_name}"} <= set(spec["paths"])

    def test_swagger_ui_is_served_with_local_assets(self, client):
        page = client.get("/docs")
        assert page.status_code == 200
        assert "/docs/assets/swagger-ui-bundle.js" in page.get_data(as_text=True)
        with client.get("/docs/assets/swagger-ui-bundle.js") as asset:
            assert asset.status_code == 200 and len(asset.data) > 100_000
