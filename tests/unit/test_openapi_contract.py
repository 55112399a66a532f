"""What /openapi.json declares matches what is sent: headers, timestamps, CSV, filters."""

import json
import re
from datetime import datetime

import pytest

from repository.model import Customer, Interaction
from tests.fakes import (
    InMemoryCustomerHistoryRepository,
    InMemoryCustomerRepository,
    InMemoryStatisticsRepository,
    InteractionFact,
)
from tests.support import assert_error_shape

AT = datetime(2020, 2, 11, 16, 10)
FILTERS = ["channel", "sentiment", "topic"]


@pytest.fixture(autouse=True)
def _data(repositories):
    customers = [Customer(1, "Jedi", "Red")]
    interactions = [Interaction(1, 1, AT, "Email", "Drug Efficacy", "Positive", "Sand")]
    repositories.customers = InMemoryCustomerRepository(customers, interactions)
    repositories.customer_history = InMemoryCustomerHistoryRepository(customers, interactions)
    fact = InteractionFact(AT, "Sand", "Red", "Email", "Drug Efficacy", "Positive")
    repositories.statistics = InMemoryStatisticsRepository(facts=[fact])


@pytest.fixture
def spec(client) -> dict:
    return client.get("/openapi.json").get_json()


def _ok(spec: dict, path: str) -> dict:
    return spec["paths"][path]["get"]["responses"]["200"]


def test_x_pagination_is_declared_as_the_json_text_that_is_sent(client, spec):
    declared = _ok(spec, "/api/v1/customers")["headers"]["X-Pagination"]
    assert declared["schema"] == {"type": "string"}
    sent = client.get("/api/v1/customers").headers["X-Pagination"]
    assert json.loads(sent)["total"] == 1
    assert json.loads(declared["example"]).keys() <= {
        "total", "total_pages", "first_page", "last_page", "page", "previous_page", "next_page"
    }  # fmt: skip


def test_occurred_at_is_declared_and_sent_as_a_local_time_without_offset(client, spec):
    declared = spec["components"]["schemas"]["Interaction"]["properties"]["occurred_at"]
    assert declared["type"] == "string" and "format" not in declared
    (sent,) = client.get("/api/v1/customers/1/interactions").get_json()
    assert sent["occurred_at"] == "2020-02-11T16:10:00"
    assert re.fullmatch(declared["pattern"], sent["occurred_at"])


def test_csv_is_documented_where_it_is_sent(client, spec):
    content = _ok(spec, "/api/v1/statistics/product-interactions")["content"]
    assert set(content) == {"application/json", "text/csv"}
    response = client.get("/api/v1/statistics/product-interactions?format=csv")
    assert response.mimetype == "text/csv"


def test_every_operation_that_sends_csv_documents_it(client, spec):
    for path, item in spec["paths"].items():
        if "{" in path or "get" not in item:
            continue
        response = client.get(path, headers={"Accept": "text/csv"})
        if response.mimetype == "text/csv":
            assert "text/csv" in item["get"]["responses"]["200"]["content"], path


@pytest.mark.parametrize("name", FILTERS)
def test_an_empty_filter_is_declared_invalid_and_refused(client, spec, name):
    parameters = spec["paths"]["/api/v1/statistics/overview"]["get"]["parameters"]
    (declared,) = [p for p in parameters if p["name"] == name]
    assert declared["schema"]["items"]["minLength"] == 1
    body = assert_error_shape(client.get(f"/api/v1/statistics/overview?{name}="), 422)
    assert name in body["errors"]["query"]


def test_ids_in_paths_are_declared_as_what_the_routes_accept(spec):
    for path, item in spec["paths"].items():
        for parameter in item.get("parameters", []):
            if parameter["name"] == "customer_id":
                assert parameter["schema"]["type"] == "integer", path
                assert parameter["schema"]["minimum"] == 1, path
            if parameter["name"] == "content_id":
                assert parameter["schema"] == {"type": "string", "format": "uuid"}, path
