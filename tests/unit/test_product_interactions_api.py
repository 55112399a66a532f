"""The product-interactions endpoint over in-memory facts: shape, totals, CSV, validation."""

from datetime import datetime

import pytest

from tests.fakes import InMemoryStatisticsRepository, InteractionFact

FACTS = [
    InteractionFact(datetime(2024, 1, 5, 9), "Sand", "Red", "Email", "Drug Efficacy", "Positive"),
    InteractionFact(datetime(2024, 1, 9, 9), "Sand", "Red", "Call", "Drug Efficacy", "Negative"),
    InteractionFact(datetime(2024, 2, 1, 9), "Glass", "Blue", "Email", "Side Effects", None),
    InteractionFact(datetime(2024, 4, 2, 9), "Unknown", "Unknown", None, None, None),
]
URL = "/api/v1/statistics/product-interactions"


@pytest.fixture(autouse=True)
def _facts(repositories):
    repositories.statistics = InMemoryStatisticsRepository(facts=FACTS)


class TestProductInteractionsEndpoint:
    def test_long_rows_with_totals_and_echoed_filters(self, client):
        body = client.get(URL).get_json()
        assert body["data"] == [
            {"product": "Glass", "customer_type": "Blue", "interactions": 1},
            {"product": "Sand", "customer_type": "Red", "interactions": 2},
            {"product": "Unknown", "customer_type": "Unknown", "interactions": 1},
        ]
        assert body["totals"] == {
            "interactions": 4,
            "by_product": {"Glass": 1, "Sand": 2, "Unknown": 1},
            "by_customer_type": {"Blue": 1, "Red": 2, "Unknown": 1},
        }
        assert body["filters"]["from"] is None and body["filters"]["channel"] == []

    def test_filters_are_matched_case_insensitively_and_echoed_canonically(self, client):
        body = client.get(URL, query_string={"channel": ["EMAIL"], "to": "2024-01-31"}).get_json()
        assert body["totals"]["interactions"] == 1
        assert body["filters"]["channel"] == ["Email"] and body["filters"]["to"] == "2024-01-31"

    def test_granularity_adds_a_period(self, client):
        rows = client.get(URL, query_string={"granularity": "quarter"}).get_json()["data"]
        assert {(r["period"], r["product"]) for r in rows} == {
            ("2024-Q1", "Glass"), ("2024-Q1", "Sand"), ("2024-Q2", "Unknown")
        }  # fmt: skip

    def test_csv_on_request(self, client):
        response = client.get(URL, headers={"Accept": "text/csv"})
        assert response.mimetype == "text/csv"
        assert response.get_data(as_text=True).splitlines() == [
            "product,customer_type,interactions",
            "Glass,Blue,1",
            "Sand,Red,2",
            "Unknown,Unknown,1",
        ]

    def test_json_stays_the_default_for_browsers(self, client):
        response = client.get(URL, headers={"Accept": "text/html,*/*"})
        assert response.mimetype == "application/json"

    @pytest.mark.parametrize(
        ("query_string", "parameter"),
        [
            ({"sentiment": "Mixed"}, "sentiment"),
            ({"from": "2024-03-01", "to": "2024-02-01"}, "from"),
        ],
    )
    def test_bad_filters_are_422_naming_the_parameter(self, client, query_string, parameter):
        response = client.get(URL, query_string=query_string)
        assert response.status_code == 422
        assert parameter in response.get_json()["errors"]["query"]
