"""POST /api/v1/campaigns/preview: a segment's recipients and exclusions, nothing created."""

import json

import pytest

from tests.support import (
    assert_error_shape,
    client_with_key,
    create_api_key,
    ingest_bundled_sample,
    query,
)

PREVIEW = "/api/v1/campaigns/preview"


@pytest.fixture
def sample(database_url):
    ingest_bundled_sample(database_url)
    return database_url


def opt_out(url: str, customer_ids) -> None:
    for customer_id in customer_ids:
        query(
            url,
            "INSERT INTO insights.opt_outs (customer_id, source) VALUES (%s, 'test') "
            "RETURNING customer_id",
            (customer_id,),
        )


def busy_customers(url: str, customer_type: str, at_least: int) -> list[int]:
    """Customers of a type with at least ``at_least`` interactions, read from the rows."""
    rows = query(
        url,
        "SELECT customer_id FROM insights.interaction_facts WHERE customer_type = %s "
        "GROUP BY customer_id HAVING count(*) >= %s ORDER BY customer_id",
        (customer_type, at_least),
    )
    return [row[0] for row in rows]


def campaign_count(url: str) -> int:
    return query(url, "SELECT count(*) FROM insights.campaigns")[0][0]


class TestPreviewCounts:
    def test_the_count_leaves_out_opted_out_customers_and_names_them(self, client, sample):
        matched = busy_customers(sample, "Red", 5)
        assert len(matched) > 2
        opt_out(sample, matched[:2])
        segment = {"customer_types": ["Red"], "min_interactions": 5}
        response = client.post(PREVIEW, json={"segment": segment})
        assert response.status_code == 200, response.get_json()
        assert response.get_json() == {
            "recipients": len(matched) - 2,
            "excluded": {"opted_out": 2},
        }
        assert campaign_count(sample) == 0

    def test_listed_ids_the_data_lacks_are_counted_as_not_matched(self, client, sample):
        known = sorted(
            row[0]
            for row in query(
                sample,
                "SELECT customer_id FROM insights.customers "
                "UNION SELECT customer_id FROM insights.interactions",
            )
        )
        missing = max(known) + 1000
        segment = {"customer_ids": [known[0], known[1], missing]}
        body = client.post(PREVIEW, json={"segment": segment}).get_json()
        assert body == {"recipients": 2, "excluded": {"opted_out": 0, "not_matched": 1}}

    def test_an_empty_segment_counts_every_customer(self, client, sample):
        everyone = query(
            sample,
            "SELECT count(*) FROM (SELECT customer_id FROM insights.customers "
            "UNION SELECT customer_id FROM insights.interactions) AS c",
        )[0][0]
        body = client.post(PREVIEW, json={}).get_json()
        assert body == {"recipients": everyone, "excluded": {"opted_out": 0}}

    def test_the_campaign_created_from_the_segment_stores_the_same_counts(self, client, sample):
        matched = busy_customers(sample, "Blue", 3)
        opt_out(sample, matched[:1])
        segment = {"customer_types": ["Blue"], "min_interactions": 3}
        preview = client.post(PREVIEW, json={"segment": segment}).get_json()
        created = client.post("/api/v1/campaigns", json={"name": "blue", "segment": segment})
        assert created.status_code == 202, created.get_json()
        stored = created.get_json()
        assert (stored["recipients"], stored["excluded"]) == (
            preview["recipients"],
            preview["excluded"],
        )


class TestPreviewRefusals:
    @pytest.mark.parametrize(
        ("segment", "field"),
        [
            ({"min_interactions": -1}, "min_interactions"),
            ({"last_contact_from": "2024-02-01", "last_contact_to": "2024-01-01"},
             "last_contact_from"),
            ({"customer_ids": ["x"]}, "customer_ids"),
            ({"colour": "red"}, "colour"),
        ],
    )  # fmt: skip
    def test_a_bad_field_is_422_naming_it(self, client, segment, field):
        body = assert_error_shape(client.post(PREVIEW, json={"segment": segment}), 422)
        assert field in json.dumps(body["errors"])

    def test_a_key_without_the_campaigns_scope_is_refused(self, app, sample):
        reader = client_with_key(app, create_api_key(app, "reader", "stats:read"))
        assert_error_shape(reader.post(PREVIEW, json={}), 403)

    def test_the_endpoint_is_documented(self, client):
        spec = client.get("/openapi.json").get_json()
        operation = spec["paths"][PREVIEW]["post"]
        assert {"200", "422"} <= set(operation["responses"])
