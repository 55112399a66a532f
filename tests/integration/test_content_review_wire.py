"""The compliance review end to end: the pipeline through the OpenAI-compatible wire client
against the fake server, on the bundled sample in PostgreSQL.

Each case scripts the model's replies and says what the API answers and what is stored.
"""

import json
from dataclasses import dataclass

import pytest

from tests.fake_llm_server import Reply
from tests.support import assert_error_shape, query

GOOD = (
    "Dear {salutation},\n\nThank you for the conversations you have had with our team. We "
    "would be glad to answer any further questions you may have, whenever it suits you.\n\n"
    "Kind regards,\nThe Customer Engagement Team"
)
RESTRICTED = GOOD.replace("glad to answer", "glad to give guaranteed answers to")
WRONG_NUMBER = GOOD.replace("for the conversations", "for the 412 conversations")


@dataclass(frozen=True)
class Case:
    replies: tuple[str, ...]  # the model's texts in turn; the last repeats
    status: int
    stored_review: str | None  # None: nothing is stored
    named: str = ""  # what the error message must name


CASES = {
    "a wrong number": Case((WRONG_NUMBER,), 502, None, "412"),
    "a restricted phrase": Case((RESTRICTED,), 502, "blocked", "'guaranteed'"),
    "a correct text": Case((GOOD,), 200, "clear"),
}


@pytest.fixture
def fake_openai(fake_llm):
    return fake_llm


@pytest.fixture
def client(llm_client, fake_openai):
    return llm_client(LLM_PROVIDER="openai", LLM_BASE_URL=fake_openai.url, LLM_MODEL="fake-model")


def untroubled_customer(url: str) -> tuple[int, str]:
    """A customer with an occupation and interactions, none of them Negative: no trigger."""
    return query(
        url,
        "SELECT customer_id, occupation FROM insights.customers AS c "
        "WHERE occupation IS NOT NULL "
        "AND occupation NOT IN (SELECT name FROM insights.products) "
        "AND EXISTS (SELECT 1 FROM insights.interactions WHERE customer_id = c.customer_id) "
        "AND NOT EXISTS (SELECT 1 FROM insights.interactions WHERE customer_id = c.customer_id "
        "                AND sentiment = 'Negative') "
        "ORDER BY customer_id LIMIT 1",
    )[0]


def stored_rows(url: str) -> list[tuple]:
    return query(
        url,
        "SELECT id, customer_id, content, review_status, review_reasons, policy_version, "
        "messages, attempts FROM insights.generated_content",
    )


@pytest.mark.parametrize("case", CASES.values(), ids=CASES)
def test_what_is_answered_and_stored(client, fake_openai, database_url, case):
    customer_id, salutation = untroubled_customer(database_url)
    texts = [text.format(salutation=salutation) for text in case.replies]
    fake_openai.script(*map(Reply, texts))
    response = client.get(f"/api/v1/generate-content/{customer_id}")
    rows = stored_rows(database_url)
    if case.status != 200:
        body = assert_error_shape(response, case.status)
        assert case.named in body["message"]
    if case.stored_review is None:
        assert rows == []
        return
    ((content_id, stored_customer, content, status, reasons, policy, messages, attempts),) = rows
    assert (stored_customer, content, status) == (customer_id, texts[-1], case.stored_review)
    assert policy == "policy/v1" and attempts == len(fake_openai.requests)
    # What was stored is byte for byte what went over the wire for the final text.
    assert messages == fake_openai.requests[-1]["messages"]
    if case.status == 200:
        body = response.get_json()
        assert body["content_id"] == str(content_id)
        assert body["review"] == {"status": status, "reasons": reasons}
    else:
        assert str(content_id) in body["message"]
        assert body["errors"]["content_id"] == str(content_id)
        assert [reason["phrase"] for reason in reasons] == ["guaranteed"]


def test_a_restricted_phrase_is_named_in_the_one_regeneration(client, fake_openai, database_url):
    customer_id, salutation = untroubled_customer(database_url)
    fake_openai.script(Reply(RESTRICTED.format(salutation=salutation)))
    client.get(f"/api/v1/generate-content/{customer_id}")
    first, retry = fake_openai.requests
    assert retry["messages"][:2] == first["messages"]
    assert "restricted phrase 'guaranteed'" in retry["messages"][3]["content"]


def test_a_recent_side_effect_report_needs_review_with_its_interactions(
    client, fake_openai, database_url
):
    customer_id, salutation, ids = query(
        database_url,
        "WITH latest AS (SELECT customer_id, max(occurred_at) AS at FROM insights.interactions "
        "                GROUP BY customer_id) "
        "SELECT i.customer_id, c.occupation, "
        "       array_agg(i.id ORDER BY i.occurred_at DESC, i.id DESC) "
        "FROM insights.interactions AS i JOIN latest USING (customer_id) "
        "JOIN insights.customers AS c USING (customer_id) "
        "WHERE i.sentiment = 'Negative' AND i.topic ILIKE %s "
        "AND i.occurred_at >= latest.at - interval '12 months' AND c.occupation IS NOT NULL "
        "AND c.occupation NOT IN (SELECT name FROM insights.products) "
        "GROUP BY i.customer_id, c.occupation ORDER BY i.customer_id LIMIT 1",
        ("%side effect%",),
    )[0]
    fake_openai.script(Reply(GOOD.format(salutation=salutation)))
    response = client.get(f"/api/v1/generate-content/{customer_id}")
    assert response.status_code == 200
    review = response.get_json()["review"]
    assert review["status"] == "needs_review"
    side_effects = [r for r in review["reasons"] if "side effects" in r["trigger"]]
    assert side_effects[0]["interaction_ids"] == ids
    listed = client.get(f"/api/v1/generated-content?review=needs_review&customer_id={customer_id}")
    assert [item["content_id"] for item in listed.get_json()] == [response.get_json()["content_id"]]
    assert json.loads(listed.headers["X-Pagination"])["total"] == 1
