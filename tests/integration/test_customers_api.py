"""The customers endpoints over HTTP against PostgreSQL loaded by a real ingestion."""

import pytest

from tests.integration.test_ingestion import export
from tests.support import assert_error_shape, ingest_bundled_sample, pagination, query

EVERY_CUSTOMER_ID = (
    "SELECT customer_id FROM insights.customers UNION SELECT customer_id FROM insights.interactions"
)


@pytest.fixture
def loaded(tmp_path, insights, database_url) -> str:
    """Ingest the small export of the ingestion tests; return the database URL."""
    result = insights("ingest", str(export(tmp_path)))
    assert result.exit_code == 0, result.output
    return database_url


class TestListingCustomers:
    def test_the_total_counts_customers_with_a_row_or_with_interactions(self, client, loaded):
        (expected,) = query(loaded, f"SELECT count(*) FROM ({EVERY_CUSTOMER_ID}) AS c")[0]
        response = client.get("/api/v1/customers")
        assert response.status_code == 200
        assert pagination(response)["total"] == expected == len(response.get_json())

    def test_pages_follow_customer_ids(self, client, loaded):
        expected = [row[0] for row in query(loaded, f"{EVERY_CUSTOMER_ID} ORDER BY 1")]
        response = client.get("/api/v1/customers?page=2&page_size=2")
        assert [c["customer_id"] for c in response.get_json()] == expected[2:4]
        assert pagination(response) == {
            "total": len(expected),
            "total_pages": 2,
            "first_page": 1,
            "last_page": 2,
            "page": 2,
            "previous_page": 1,
        }

    def test_the_type_filter_matches_the_stored_type_in_any_case(self, client, loaded):
        (expected,) = query(
            loaded, "SELECT count(*) FROM insights.customers WHERE customer_type = 'Red'"
        )[0]
        response = client.get("/api/v1/customers?type=rED")
        assert pagination(response)["total"] == expected > 0
        assert {c["customer_type"] for c in response.get_json()} == {"Red"}

    def test_a_customer_missing_from_the_customers_sheet_is_unknown(self, client, loaded):
        response = client.get("/api/v1/customers?type=Unknown")
        assert response.get_json() == [
            {"customer_id": 4, "occupation": None, "customer_type": "Unknown"}
        ]


class TestOneCustomer:
    def test_a_stored_customer_comes_with_its_values(self, client, loaded):
        (row,) = query(
            loaded, "SELECT occupation, customer_type FROM insights.customers WHERE customer_id = 1"
        )
        assert client.get("/api/v1/customers/1").get_json() == {
            "customer_id": 1,
            "occupation": row[0],
            "customer_type": row[1],
        }

    def test_an_unknown_id_is_a_json_404_naming_it(self, client, loaded):
        body = assert_error_shape(client.get("/api/v1/customers/999"), 404)
        assert "999" in body["message"]

    # Ids are INTEGERs from 1: anything else names no customer, as the spec's
    # integer 1..2147483647 path parameter says.
    @pytest.mark.parametrize(
        "path", ["abc", "-1", "1.5", "0", "%C2%B2", "2147483648", str(2**63), str(10**30)]
    )
    @pytest.mark.parametrize("suffix", ["", "/interactions"])
    def test_an_id_outside_1_to_2147483647_is_a_json_404(self, client, loaded, path, suffix):
        assert_error_shape(client.get(f"/api/v1/customers/{path}{suffix}"), 404)


class TestCustomerInteractions:
    def test_they_come_newest_first_with_their_products(self, client, loaded):
        expected = query(
            loaded,
            "SELECT id, product FROM insights.interaction_facts "
            "WHERE customer_id = 1 ORDER BY occurred_at DESC, id DESC",
        )
        response = client.get("/api/v1/customers/1/interactions")
        assert response.status_code == 200
        assert [(i["id"], i["product"]) for i in response.get_json()] == expected
        assert pagination(response)["total"] == len(expected)

    def test_every_page_and_a_page_past_the_end_carry_the_customer_s_total(
        self, client, database_url
    ):
        ingest_bundled_sample(database_url)  # customers with several interactions each
        loaded = database_url
        ((busiest,),) = query(
            loaded,
            "SELECT customer_id FROM insights.interactions "
            "GROUP BY customer_id ORDER BY count(*) DESC, customer_id LIMIT 1",
        )
        ids = [row[0] for row in query(
            loaded,
            "SELECT id FROM insights.interaction_facts "
            "WHERE customer_id = %s ORDER BY occurred_at DESC, id DESC",
            (busiest,),
        )]  # fmt: skip
        assert len(ids) >= 3
        path = f"/api/v1/customers/{busiest}/interactions"
        second = client.get(f"{path}?page=2&page_size=2")
        assert [i["id"] for i in second.get_json()] == ids[2:4]
        assert pagination(second)["total"] == len(ids)
        past = client.get(f"{path}?page={len(ids) + 1}&page_size=1")
        assert past.status_code == 200 and past.get_json() == []
        assert pagination(past)["total"] == len(ids)

    def test_a_customer_known_only_from_interactions_has_them(self, client, loaded):
        (expected,) = query(
            loaded, "SELECT count(*) FROM insights.interactions WHERE customer_id = 4"
        )[0]
        response = client.get("/api/v1/customers/4/interactions?page_size=1")
        assert pagination(response)["total"] == expected == 1
        (only,) = response.get_json()
        assert only["channel"] == "Bird" and only["occurred_at"] == "2020-03-05T11:23:00"

    def test_an_unknown_customer_is_a_json_404(self, client, loaded):
        body = assert_error_shape(client.get("/api/v1/customers/999/interactions"), 404)
        assert "999" in body["message"]


class TestBadArguments:
    @pytest.mark.parametrize(
        ("url", "named"),
        [
            ("/api/v1/customers?page=0", "page"),
            ("/api/v1/customers?page_size=10000", "page_size"),
            ("/api/v1/customers?page=x", "page"),
            ("/api/v1/customers?type=Purple", "type"),
            ("/api/v1/customers/1/interactions?page=0", "page"),
            ("/api/v1/customers/1/interactions?page_size=10000", "page_size"),
        ],
    )
    def test_a_bad_argument_is_a_json_422_naming_it(self, client, loaded, url, named):
        body = assert_error_shape(client.get(url), 422)
        assert f"{named}" in body["message"]
