"""Stored generations over HTTP on PostgreSQL: one by id, and the reviewers' listing."""

from uuid import uuid4

import pytest

from tests.support import assert_error_shape, ingest_bundled_sample, pagination

CUSTOMER = 1


@pytest.fixture
def three(client, database_url):
    """An email, a call script and a summary for one customer, oldest first."""
    ingest_bundled_sample(database_url)
    urls = [
        f"/api/v1/generate-content/{CUSTOMER}",
        f"/api/v1/generate-content/{CUSTOMER}?content_type=call_script",
        f"/api/v1/summarized_interactions/{CUSTOMER}",
    ]
    return [client.get(url).get_json() for url in urls]


def test_an_unknown_id_is_a_404_naming_it(client):
    content_id = uuid4()
    body = assert_error_shape(client.get(f"/api/v1/generated-content/{content_id}"), 404)
    assert str(content_id) in body["message"]


def test_the_listing_pages_newest_first_with_the_total(client, three):
    response = client.get(f"/api/v1/generated-content?customer_id={CUSTOMER}&page_size=2")
    assert response.status_code == 200
    listed = response.get_json()
    assert [item["content_id"] for item in listed] == [
        three[2]["content_id"],
        three[1]["content_id"],
    ]
    assert pagination(response)["total"] == 3
    assert listed[0]["content"] == three[2]["summary"]["summary_text"]


def test_each_review_status_lists_exactly_the_generations_that_have_it(client, three):
    for status in ("clear", "needs_review", "blocked"):
        listed = client.get(f"/api/v1/generated-content?review={status}").get_json()
        expected = [
            made["content_id"] for made in reversed(three) if made["review"]["status"] == status
        ]
        assert [item["content_id"] for item in listed] == expected


def test_another_customer_or_day_lists_nothing(client, three):
    assert client.get("/api/v1/generated-content?customer_id=2").get_json() == []
    assert client.get("/api/v1/generated-content?to=2000-01-01").get_json() == []
