"""GET /api/v1/generated-content: stored generations by review status, customer and day."""

from datetime import UTC, datetime
from uuid import UUID

import pytest

from repository.generated_content import StoredContent
from tests.support import assert_error_shape, pagination

# (content id's last digit, customer, review status, created at); 2 is a call script
CALL_SCRIPT = 2
ROWS = [
    (1, 7, "needs_review", datetime(2026, 3, 1, 9, tzinfo=UTC)),
    (2, 7, "clear", datetime(2026, 3, 2, 9, tzinfo=UTC)),
    (3, 8, "needs_review", datetime(2026, 3, 2, 23, 59, tzinfo=UTC)),
    (4, 8, "blocked", datetime(2026, 3, 3, 0, 0, tzinfo=UTC)),
    (5, 7, "needs_review", datetime(2026, 3, 4, 12, tzinfo=UTC)),
]


@pytest.fixture(autouse=True)
def stored(repositories):
    for digit, customer_id, status, created_at in ROWS:
        content_id = UUID(int=digit)
        repositories.generated_content.stored[content_id] = StoredContent(
            customer_id=customer_id,
            content_type="call_script" if digit == CALL_SCRIPT else "email",
            provider="mock",
            model="grounded-mock-1",
            mock=True,
            prompt_version="email/v1",
            sources=(1,),
            content=f"text {digit}",
            latency_ms=1.0,
            attempts=1,
            review_status=status,
            policy_version="policy/v1",
            content_id=content_id,
            created_at=created_at,
        )


def listed(client, **params) -> list[str]:
    response = client.get("/api/v1/generated-content", query_string=params)
    assert response.status_code == 200
    return [item["content"] for item in response.get_json()]


class TestFilters:
    def test_everything_is_listed_newest_first(self, client):
        assert listed(client) == ["text 5", "text 4", "text 3", "text 2", "text 1"]

    def test_one_review_status(self, client):
        assert listed(client, review="needs_review") == ["text 5", "text 3", "text 1"]

    def test_one_customer_and_status(self, client):
        assert listed(client, review="needs_review", customer_id=8) == ["text 3"]

    def test_one_content_type(self, client):
        assert listed(client, content_type="call_script") == ["text 2"]
        assert listed(client, content_type="email", customer_id=7) == ["text 5", "text 1"]
        assert listed(client, content_type="summary") == []

    def test_days_are_inclusive_utc_days(self, client):
        assert listed(client, **{"from": "2026-03-02", "to": "2026-03-02"}) == ["text 3", "text 2"]
        assert listed(client, **{"from": "2026-03-03"}) == ["text 5", "text 4"]

    def test_each_item_carries_its_review(self, client):
        (item,) = client.get("/api/v1/generated-content?review=blocked").get_json()
        assert item["review"] == {"status": "blocked", "reasons": []}
        assert item["content_id"] == str(UUID(int=4))


class TestPages:
    def test_a_page_and_the_total_in_the_pagination_header(self, client):
        response = client.get("/api/v1/generated-content?page=2&page_size=2")
        assert [item["content"] for item in response.get_json()] == ["text 3", "text 2"]
        assert pagination(response)["total"] == 5


class TestBadParameters:
    @pytest.mark.parametrize(
        ("params", "named"),
        [
            ({"review": "approved"}, "review"),
            ({"customer_id": "x"}, "customer_id"),
            ({"customer_id": "0"}, "customer_id"),
            ({"content_type": "letter"}, "content_type"),
            ({"from": "yesterday"}, "from"),
            ({"from": "2026-03-04", "to": "2026-03-01"}, "to"),
            ({"page_size": "101"}, "page_size"),
            ({"page": "0"}, "page"),
        ],
    )
    def test_a_bad_value_is_a_422_naming_the_parameter(self, client, params, named):
        body = assert_error_shape(client.get("/api/v1/generated-content", query_string=params), 422)
        assert f"'{named}'" in body["message"]

    def test_the_listing_is_documented(self, client):
        spec = client.get("/openapi.json").get_json()
        operation = spec["paths"]["/api/v1/generated-content"]["get"]
        names = {parameter["name"] for parameter in operation["parameters"]}
        assert {"review", "customer_id", "content_type", "from", "to", "page", "page_size"} <= names
