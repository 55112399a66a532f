"""Swagger UI shows a real error body per status, an API description, and "/" leads to it."""

from http import HTTPStatus

import pytest

from api.schemas import ErrorSchema

ERROR_REF = {"$ref": "#/components/schemas/Error"}
# Shared responses whose name is not an HTTP status name.
STATUS_OF_NAME = {"RATE_LIMITED": "429", "DEFAULT_ERROR": "500"}


@pytest.fixture
def spec(app) -> dict:
    return app.test_client().get("/openapi.json").get_json()


def _error_responses(spec: dict):
    """Yield (where, status, JSON media object) for every response using Error."""
    for name, response in spec["components"]["responses"].items():
        media = response.get("content", {}).get("application/json")
        if media and media.get("schema") == ERROR_REF:
            status = STATUS_OF_NAME.get(name) or str(HTTPStatus[name].value)
            yield f"components {name}", status, media
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            for key, response in operation["responses"].items():
                media = response.get("content", {}).get("application/json")
                if media and media.get("schema") == ERROR_REF:
                    yield f"{method} {path}", key, media


class TestErrorExamples:
    def test_every_error_response_has_an_example_that_the_error_schema_accepts(self, spec):
        found = list(_error_responses(spec))
        assert len(found) > 10
        for where, key, media in found:
            assert "example" in media, (where, key)
            assert ErrorSchema().validate(media["example"]) == {}, (where, key)
            assert "additionalProp1" not in str(media["example"]), (where, key)

    def test_each_numbered_example_carries_its_own_status_code_and_phrase(self, spec):
        for where, key, media in _error_responses(spec):
            example = media["example"]
            assert example["code"] == int(key), (where, key)
            assert example["status"] == HTTPStatus(int(key)).phrase, (where, key)

    def test_different_statuses_show_different_messages(self, spec):
        messages_by_status: dict[str, set[str]] = {}
        for _, key, media in _error_responses(spec):
            messages_by_status.setdefault(key, set()).add(media["example"]["message"])
        statuses_of_message: dict[str, list[str]] = {}
        for status, messages in messages_by_status.items():
            for message in messages:
                statuses_of_message.setdefault(message, []).append(status)
        assert {m: s for m, s in statuses_of_message.items() if len(s) > 1} == {}
        assert {"401", "403", "404", "422", "429", "500", "502", "503", "504"} <= set(
            messages_by_status
        )

    def test_an_unknown_table_is_shown_as_the_404_of_the_legacy_endpoint(self, spec):
        response = spec["paths"]["/api/v1/stats/{table_name}"]["get"]["responses"]["404"]
        assert "table" in response["content"]["application/json"]["example"]["message"]


class TestFrontPage:
    def test_the_document_describes_the_api_and_how_to_send_a_key(self, spec):
        assert "X-API-Key" in spec["info"]["description"]

    def test_the_customer_id_path_parameter_is_an_integer(self, spec):
        parameters = spec["paths"]["/api/v1/customers/{customer_id}"]["parameters"]
        assert parameters[0]["schema"]["type"] == "integer"

    def test_the_bare_address_redirects_to_swagger_ui_without_a_key(self, app):
        response = app.test_client().get("/")
        assert response.status_code == 302
        assert response.headers["Location"] == "/docs"
        assert app.test_client().get(response.headers["Location"]).status_code == 200
