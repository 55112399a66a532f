"""Unknown query parameters are refused with a 422 naming them; documented ones still work."""

import pytest

from tests.support import assert_error_shape, client_with_key

# One documented parameter of each kind: filters, pagination, format, refresh.
DOCUMENTED = [
    ("/api/v1/statistics/product-interactions", {"format": "csv", "granularity": "year"}),
    ("/api/v1/statistics/overview", {"from": "2024-01-01"}),
    ("/api/v1/statistics/timeseries", {"group_by": "channel", "granularity": "year"}),
    ("/api/v1/customers", {"type": "Unknown", "page": "1", "page_size": "5"}),
    ("/api/v1/generated-content", {"page": "1", "page_size": "5"}),
    ("/api/v1/generated-content/usage", {"group_by": "model"}),
    ("/api/v1/stats/customers", {}),
]


@pytest.fixture
def client(app):
    return client_with_key(app)


class TestUnknownQueryParameters:
    @pytest.mark.parametrize(("path", "params"), DOCUMENTED)
    def test_an_extra_parameter_is_a_422_naming_it(self, client, path, params):
        response = client.get(path, query_string={**params, "foo": "bar"})
        body = assert_error_shape(response, 422)
        assert list(body["errors"]["query"]) == ["foo"]
        assert "'foo'" in body["message"]

    @pytest.mark.parametrize(("path", "params"), DOCUMENTED)
    def test_documented_parameters_still_work(self, client, path, params):
        assert client.get(path, query_string=params).status_code == 200

    def test_the_customer_type_filter_of_the_issue_is_no_longer_ignored(self, client):
        path = "/api/v1/statistics/product-interactions"
        body = assert_error_shape(client.get(path, query_string={"customer_typ": "Red"}), 422)
        assert "customer_typ" in body["errors"]["query"]

    def test_every_unknown_name_is_named_and_the_message_lists_what_is_taken(self, client):
        response = client.get("/api/v1/statistics/overview?foo=1&bar=2&foo=3")
        body = assert_error_shape(response, 422)
        assert set(body["errors"]["query"]) == {"foo", "bar"}
        assert "channel" in body["errors"]["query"]["foo"][0]

    def test_an_endpoint_without_parameters_refuses_any(self, client):
        response = client.get("/api/v1/customers/1", query_string={"verbose": "1"})
        body = assert_error_shape(response, 422)
        assert "no query parameters" in body["errors"]["query"]["verbose"][0]

    def test_without_a_key_the_answer_is_401_not_a_list_of_parameters(self, app):
        response = app.test_client().get("/api/v1/statistics/overview?foo=bar")
        assert_error_shape(response, 401)

    def test_health_probes_stay_lenient(self, client):
        assert client.get("/health/live", query_string={"_": "123"}).status_code == 200
