"""The OpenAPI document declares how to authenticate, so Swagger UI's Authorize button works."""

import pytest

PROTECTED = [
    ("/api/v1/customers", "get"),
    ("/api/v1/statistics/overview", "get"),
    ("/api/v1/generate-content/{customer_id}", "get"),
]
PUBLIC = [("/health/live", "get"), ("/health/ready", "get")]


@pytest.fixture
def spec(app):
    # Public: Swagger UI fetches it before the user has entered a key.
    response = app.test_client().get("/openapi.json")
    assert response.status_code == 200
    return response.get_json()


class TestSecurityInTheDocument:
    def test_declares_the_header_and_the_bearer_scheme(self, spec):
        schemes = spec["components"]["securitySchemes"]
        assert {"type": "apiKey", "in": "header", "name": "X-API-Key"}.items() <= schemes[
            "ApiKeyHeader"
        ].items()
        assert schemes["BearerKey"]["type"] == "http" and schemes["BearerKey"]["scheme"] == "bearer"

    @pytest.mark.parametrize(("path", "method"), PROTECTED)
    def test_a_protected_operation_names_either_scheme_and_its_refusals(self, spec, path, method):
        operation = spec["paths"][path][method]
        assert operation["security"] == [{"ApiKeyHeader": []}, {"BearerKey": []}]
        assert {"401", "403", "429"} <= set(operation["responses"])
        assert "scope" in operation["description"]

    @pytest.mark.parametrize(("path", "method"), PUBLIC)
    def test_a_public_operation_needs_no_key(self, spec, path, method):
        assert spec["paths"][path][method]["security"] == []

    def test_every_referenced_response_exists(self, spec):
        responses = spec["components"]["responses"]
        for name in ("UNAUTHORIZED", "FORBIDDEN", "RATE_LIMITED"):
            assert responses[name]["content"]["application/json"]["schema"]
        assert "Retry-After" in responses["RATE_LIMITED"]["headers"]

    def test_the_generation_scope_is_named_where_it_is_needed(self, spec):
        operation = spec["paths"]["/api/v1/generate-content/{customer_id}"]["get"]
        assert "`content:write`" in operation["description"]


def test_swagger_ui_loads_without_a_key(app):
    response = app.test_client().get("/docs")
    assert response.status_code == 200 and b"swagger" in response.data.lower()
