"""``insights content replay``: stored generations sent to the model again, on PostgreSQL."""

from uuid import uuid4

import pytest

from repository.generated_content import NewContent
from tests.support import ingest_bundled_sample, query

CUSTOMER = 1
ENDPOINTS = {
    "email": f"/api/v1/generate-content/{CUSTOMER}?content_type=email",
    "call_script": f"/api/v1/generate-content/{CUSTOMER}?content_type=call_script",
    "summary": f"/api/v1/summarized_interactions/{CUSTOMER}",
}


@pytest.fixture
def bundled(database_url):
    ingest_bundled_sample(database_url)
    return database_url


def generated(client, content_type: str) -> str:
    response = client.get(ENDPOINTS[content_type])
    assert response.status_code == 200
    return response.get_json()["content_id"]


@pytest.mark.parametrize("content_type", ENDPOINTS)
def test_under_the_mock_a_replay_reproduces_the_stored_text(
    client, insights, bundled, content_type
):
    content_id = generated(client, content_type)
    (stored_type, messages), *_ = query(
        bundled,
        "SELECT content_type, messages FROM insights.generated_content WHERE id = %s",
        (content_id,),
    )
    assert stored_type == content_type and [m["role"] for m in messages] == ["system", "user"]
    result = insights("content", "replay", content_id)
    assert result.exit_code == 0, result.output
    assert result.output == f"identical: the replayed text matches stored content {content_id}\n"


def test_a_changed_text_prints_a_unified_diff_and_exits_1(client, insights, bundled):
    content_id = generated(client, "email")
    (original,) = query(
        bundled, "SELECT content FROM insights.generated_content WHERE id = %s", (content_id,)
    )[0]
    first_line = original.splitlines()[0]
    query(
        bundled,
        "UPDATE insights.generated_content SET content = 'Dear Someone Else,' || "
        "substr(content, length(split_part(content, E'\\n', 1)) + 1) WHERE id = %s "
        "RETURNING id",
        (content_id,),
    )
    result = insights("content", "replay", content_id)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"--- stored {content_id} (mock/grounded-mock-1)")
    assert lines[1].startswith("+++ replayed (mock/grounded-mock-1)")
    assert "-Dear Someone Else," in lines and f"+{first_line}" in lines
    # Only the changed line differs: the rest is context or absent.
    assert [line for line in lines[2:] if line[:1] in "+-"] == [
        "-Dear Someone Else,",
        f"+{first_line}",
    ]


def test_a_replay_stores_nothing(client, insights, bundled):
    content_id = generated(client, "summary")
    insights("content", "replay", content_id)
    assert query(bundled, "SELECT count(*) FROM insights.generated_content")[0][0] == 1


@pytest.mark.parametrize(
    ("content_id", "says"),
    [(str(uuid4()), "not found"), ("not-a-uuid", "must be a UUID")],
    ids=["unknown", "malformed"],
)
def test_a_bad_id_is_one_line_and_exit_2(insights, content_id, says):
    result = insights("content", "replay", content_id)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert result.output.startswith("insights: error: ") and says in result.output


def test_a_text_no_model_wrote_has_nothing_to_replay(app, insights):
    stored = app.extensions["insights"]["repositories"].generated_content.add(
        NewContent(
            customer_id=9,
            content_type="summary",
            provider="none",
            model=None,
            mock=False,
            prompt_version=None,
            sources=(),
            content="Customer 9 has no recorded interactions.",
            latency_ms=0.0,
            attempts=0,
        )
    )
    result = insights("content", "replay", str(stored.content_id))
    assert result.exit_code == 2 and "nothing to replay" in result.output
    assert result.output.count("\n") == 1
