"""The content endpoints over HTTP on the bundled data in real PostgreSQL, with the mock model."""

import json
from collections import Counter

import pytest

from tests.support import ingest_bundled_sample, query


@pytest.fixture
def bundled(database_url):
    ingest_bundled_sample(database_url)
    return database_url


def customer_ids(url: str) -> list[int]:
    return [
        row[0]
        for row in query(
            url,
            "SELECT customer_id FROM insights.customers UNION "
            "SELECT customer_id FROM insights.interactions ORDER BY 1",
        )
    ]


def expected_summary(url: str, customer_id: int) -> dict:
    """The summary numbers, computed here from the raw rows, not by the repository's SQL."""
    rows = query(
        url,
        "SELECT occurred_at, id, channel, topic FROM insights.interactions "
        "WHERE customer_id = %s ORDER BY occurred_at, id",
        (customer_id,),
    )
    if not rows:
        return {
            "total_interactions": 0,
            "most_frequent_channel": None,
            "last_interaction": None,
            "key_topics": [],
        }

    def by_count_then_recency(column: int) -> list[str]:
        counts = Counter(row[column] for row in rows if row[column] is not None)
        last_used = {row[column]: row[0] for row in rows if row[column] is not None}
        # Sort by name first so the stable sort leaves it as the final tie-break.
        names = sorted(counts)
        names.sort(key=lambda name: (counts[name], last_used[name]), reverse=True)
        return names

    channels = by_count_then_recency(2)
    latest = rows[-1]
    return {
        "total_interactions": len(rows),
        "most_frequent_channel": channels[0] if channels else None,
        "last_interaction": {
            "date": latest[0].date().isoformat(),
            "channel": latest[2],
            "topic": latest[3],
        },
        "key_topics": by_count_then_recency(3)[:3],
    }


def test_every_bundled_customer_gets_an_email_and_a_summary_that_matches_the_data(client, bundled):
    ids = customer_ids(bundled)
    assert len(ids) > 30
    for customer_id in ids:
        email = client.get(f"/api/v1/generate-content/{customer_id}")
        assert email.status_code == 200, (customer_id, email.get_json())
        summary = client.get(f"/api/v1/summarized_interactions/{customer_id}")
        assert summary.status_code == 200, (customer_id, summary.get_json())
        numbers = {k: v for k, v in summary.get_json()["summary"].items() if k != "summary_text"}
        assert numbers == expected_summary(bundled, customer_id), customer_id


def test_sources_are_always_the_customers_own_interactions(client, bundled):
    owners = dict(query(bundled, "SELECT id, customer_id FROM insights.interactions"))
    for customer_id in customer_ids(bundled):
        for path in ("generate-content", "summarized_interactions"):
            sources = client.get(f"/api/v1/{path}/{customer_id}").get_json()["sources"]
            assert {owners[s] for s in sources} <= {customer_id}


def test_the_same_request_twice_gives_the_same_mock_text(client, bundled):
    path = "/api/v1/generate-content/1?tone=friendly&focus=side effects"
    first, second = client.get(path).get_json(), client.get(path).get_json()
    assert first["generated_content"] == second["generated_content"]
    assert first["content_id"] != second["content_id"]


def test_every_generation_is_stored_for_audit(client, bundled):
    made = client.get("/api/v1/generate-content/1").get_json()
    ((customer, content_type, provider, model, mock, version, sources, content),) = query(
        bundled,
        "SELECT customer_id, content_type, provider, model, mock, prompt_version, sources, "
        "content FROM insights.generated_content WHERE id = %s",
        (made["content_id"],),
    )
    assert (customer, content_type, provider, model, mock) == (
        1,
        "email",
        "mock",
        "grounded-mock-1",
        True,
    )
    assert version == made["prompt_version"] and sources == made["sources"]
    assert content == made["generated_content"]["Content"]
    again = client.get(f"/api/v1/generated-content/{made['content_id']}").get_json()
    assert again["content"] == content


@pytest.mark.parametrize("focus", [None, "dosage"])
def test_an_email_s_subject_is_grounded_stored_and_shown(client, bundled, focus):
    params = {"focus": focus} if focus else {}
    made = client.get("/api/v1/generate-content/1", query_string=params).get_json()
    subject = made["generated_content"]["Subject"]
    assert subject and 0 < len(subject) <= 78 and "\n" not in subject
    assert not made["generated_content"]["Content"].lower().startswith("subject")
    topics = {
        row[0]
        for row in query(
            bundled,
            "SELECT topic FROM insights.interactions WHERE id = ANY (%s)",
            (made["sources"],),
        )  # fmt: skip
    }
    # The mock names one topic of the interactions it was shown, nothing else of the data.
    assert any(topic and topic in subject for topic in topics), (subject, topics)
    ((stored,),) = query(
        bundled, "SELECT subject FROM insights.generated_content WHERE id = %s",
        (made["content_id"],),
    )  # fmt: skip
    again = client.get(f"/api/v1/generated-content/{made['content_id']}").get_json()
    assert stored == again["subject"] == subject


def test_a_call_script_has_no_subject(client, bundled):
    made = client.get(
        "/api/v1/generate-content/1", query_string={"content_type": "call_script"}
    ).get_json()
    assert made["generated_content"]["Subject"] is None


def test_a_summary_is_stored_with_its_facts(client, bundled):
    made = client.get("/api/v1/summarized_interactions/1").get_json()
    stored = client.get(f"/api/v1/generated-content/{made['content_id']}").get_json()
    assert stored["content_type"] == "summary"
    assert stored["content"] == made["summary"]["summary_text"]
    assert stored["facts"]["total_interactions"] == made["summary"]["total_interactions"]


def test_the_generation_log_line_names_the_prompt_version_and_the_request(client, bundled, capsys):
    client.get("/api/v1/generate-content/2", headers={"X-Request-ID": "trace-42"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line[:1] == "{"]
    (line,) = [line for line in lines if line.get("event") == "content_generated"]
    assert line["prompt_version"] == "email/v2"
    assert (line["request_id"], line["customer_id"], line["attempts"]) == ("trace-42", 2, 1)
    assert (line["provider"], line["model"]) == ("mock", "grounded-mock-1")


def test_an_unknown_customer_is_a_404_and_stores_nothing(client, bundled):
    assert client.get("/api/v1/generate-content/999999").status_code == 404
    assert query(bundled, "SELECT count(*) FROM insights.generated_content")[0][0] == 0
