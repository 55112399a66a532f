"""The customers endpoints over in-memory repositories: shapes, pagination, errors."""

from datetime import datetime

import pytest

from repository.model import Customer, Interaction
from tests.fakes import InMemoryCustomerHistoryRepository, InMemoryCustomerRepository
from tests.support import assert_error_shape, pagination

CUSTOMERS = [Customer(i, f"Job {i}", "Red" if i % 2 else "Blue") for i in range(1, 8)]
OLD, NEW = datetime(2020, 1, 1, 9), datetime(2021, 6, 30, 17, 45)
INTERACTIONS = [
    Interaction(1, 1, OLD, "Email", "Drug Efficacy", "Positive", "Sand"),
    Interaction(2, 1, NEW, "Call", None, None, "Unknown"),
    Interaction(3, 1, OLD, "Bird", None, "Negative", "Sand"),
    Interaction(4, 9, NEW, "Post", None, None, "Glass"),
]


@pytest.fixture(autouse=True)
def seeded(repositories):
    repositories.customers = InMemoryCustomerRepository(CUSTOMERS, INTERACTIONS)
    repositories.customer_history = InMemoryCustomerHistoryRepository(CUSTOMERS, INTERACTIONS)


class TestListingCustomers:
    def test_the_first_page_holds_up_to_fifty_customers_by_id(self, client):
        response = client.get("/api/v1/customers")
        assert response.status_code == 200
        assert [c["customer_id"] for c in response.get_json()] == [1, 2, 3, 4, 5, 6, 7, 9]
        assert pagination(response)["total"] == 8

    def test_a_customer_is_id_occupation_and_type(self, client):
        assert client.get("/api/v1/customers?page_size=1").get_json() == [
            {"customer_id": 1, "occupation": "Job 1", "customer_type": "Red"}
        ]

    def test_the_pagination_header_describes_the_page(self, client):
        response = client.get("/api/v1/customers?page=2&page_size=3")
        assert [c["customer_id"] for c in response.get_json()] == [4, 5, 6]
        assert pagination(response) == {
            "total": 8,
            "total_pages": 3,
            "first_page": 1,
            "last_page": 3,
            "page": 2,
            "previous_page": 1,
            "next_page": 3,
        }

    def test_the_type_filter_ignores_case(self, client):
        response = client.get("/api/v1/customers?type=blue")
        assert [c["customer_id"] for c in response.get_json()] == [2, 4, 6]
        assert pagination(response)["total"] == 3

    def test_unknown_finds_customers_known_only_from_interactions(self, client):
        assert client.get("/api/v1/customers?type=UNKNOWN").get_json() == [
            {"customer_id": 9, "occupation": None, "customer_type": "Unknown"}
        ]


class TestOneCustomer:
    def test_a_customer_comes_as_an_object(self, client):
        assert client.get("/api/v1/customers/3").get_json() == {
            "customer_id": 3,
            "occupation": "Job 3",
            "customer_type": "Red",
        }

    def test_an_unknown_customer_is_a_json_404_naming_it(self, client):
        body = assert_error_shape(client.get("/api/v1/customers/404"), 404)
        assert "404" in body["message"]

    @pytest.mark.parametrize("raw", ["abc", "0", "-1", "2147483648", "1.5"])
    def test_an_id_that_is_not_1_to_2147483647_is_a_json_404(self, client, raw):
        assert_error_shape(client.get(f"/api/v1/customers/{raw}"), 404)
        assert_error_shape(client.get(f"/api/v1/customers/{raw}/interactions"), 404)

    def test_the_id_is_documented_as_an_integer_from_1(self, client):
        paths = client.get("/openapi.json").get_json()["paths"]
        (parameter,) = paths["/api/v1/customers/{customer_id}"]["parameters"]
        assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": 2147483647}


class TestCustomerInteractions:
    def test_they_come_newest_first_then_by_id_descending(self, client):
        response = client.get("/api/v1/customers/1/interactions")
        assert [i["id"] for i in response.get_json()] == [2, 3, 1]
        assert pagination(response)["total"] == 3

    def test_an_interaction_has_its_time_channel_topic_sentiment_and_product(self, client):
        (newest,) = client.get("/api/v1/customers/1/interactions?page_size=1").get_json()
        assert newest == {
            "id": 2,
            "occurred_at": "2021-06-30T17:45:00",
            "channel": "Call",
            "topic": None,
            "sentiment": None,
            "product": "Unknown",
        }

    def test_a_page_past_the_end_is_empty_with_the_total(self, client):
        response = client.get("/api/v1/customers/1/interactions?page=5&page_size=2")
        assert response.status_code == 200 and response.get_json() == []
        assert pagination(response)["total"] == 3

    def test_an_unknown_customer_is_a_json_404(self, client):
        assert_error_shape(client.get("/api/v1/customers/8/interactions"), 404)


class TestBadArguments:
    @pytest.mark.parametrize(
        ("query", "named"),
        [("page=0", "page"), ("page_size=501", "page_size"), ("page_size=0", "page_size")],
    )
    @pytest.mark.parametrize("path", ["/api/v1/customers", "/api/v1/customers/1/interactions"])
    def test_pagination_out_of_range_is_a_json_422_naming_the_argument(
        self, client, path, query, named
    ):
        body = assert_error_shape(client.get(f"{path}?{query}"), 422)
        assert f"'{named}'" in body["message"]
        assert named in body["errors"]["query"]

    def test_the_largest_page_size_is_accepted(self, client):
        assert client.get("/api/v1/customers?page_size=500").status_code == 200

    def test_an_unknown_type_is_a_json_422_that_does_not_list_the_known_ones(self, client):
        body = assert_error_shape(client.get("/api/v1/customers?type=Purple"), 422)
        assert "type" in body["message"] and "Purple" in body["message"]
        assert "Blue" not in str(body) and "Red" not in str(body)
        assert "type" in body["errors"]["query"]

    def test_an_empty_type_is_a_json_422_as_documented(self, client):
        body = assert_error_shape(client.get("/api/v1/customers?type="), 422)
        assert "type" in body["errors"]["query"]
        parameters = client.get("/openapi.json").get_json()["paths"]["/api/v1/customers"]
        (type_,) = [p for p in parameters["get"]["parameters"] if p["name"] == "type"]
        assert type_["schema"]["minLength"] == 1

    @pytest.mark.parametrize("path", ["/api/v1/customers", "/api/v1/customers/1/interactions"])
    def test_a_page_past_the_bound_is_a_json_422_naming_it(self, client, path):
        body = assert_error_shape(client.get(f"{path}?page=9223372036854775807"), 422)
        assert "'page'" in body["message"] and "1000000" in body["message"]
        assert client.get(f"{path}?page=1000000").status_code == 200


class TestDocumentation:
    def test_the_openapi_document_describes_the_endpoints_and_their_errors(self, client):
        paths = client.get("/openapi.json").get_json()["paths"]
        assert {"422", "200"} <= set(paths["/api/v1/customers"]["get"]["responses"])
        detail = paths["/api/v1/customers/{customer_id}"]["get"]["responses"]
        assert {"200", "404"} <= set(detail)
        interactions = paths["/api/v1/customers/{customer_id}/interactions"]["get"]
        assert {"200", "404", "422"} <= set(interactions["responses"])
        assert "X-Pagination" in interactions["responses"]["200"]["headers"]
