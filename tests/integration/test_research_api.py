"""POST /api/v1/research and `insights ask` over the bundled sample, stored for audit."""

import json

import pytest

from tests.integration.generated_facts import reference_facts
from tests.support import (
    assert_error_shape,
    client_with_key,
    create_api_key,
    ingest_bundled_sample,
    query,
)

CONTRACT = {"id", "question", "answered", "answer", "figures", "queries", "data", "citations",
            "model", "mock", "prompt_version"}  # fmt: skip


@pytest.fixture
def sample(app, database_url):
    ingest_bundled_sample(database_url)
    return client_with_key(app), reference_facts(database_url)


class TestResearchEndpoint:
    def test_a_count_is_answered_from_the_data_with_its_query_and_citations(
        self, sample, database_url
    ):
        client, facts = sample
        question = "How many email interactions did Red customers have in 2024?"
        body = client.post("/api/v1/research", json={"question": question}).get_json()
        assert set(body) == CONTRACT
        in_2024 = facts[facts["day"].map(lambda d: d.year) == 2024]
        expected = in_2024[(in_2024["channel"] == "Email") & (in_2024["customer_type"] == "Red")]
        assert body["answered"] is True and body["mock"] is True
        assert body["figures"] == [{"label": "interactions", "value": len(expected)}]
        assert str(len(expected)) in body["answer"]
        assert body["queries"][0]["source"] == "rollup"
        assert body["prompt_version"] == "research/v1"
        cited = {c["id"] for c in body["citations"]}
        assert 0 < len(cited) <= 10 and cited <= set(expected["id"])
        for citation in body["citations"]:
            row = expected[expected["id"] == citation["id"]].iloc[0]
            assert citation["date"] == row["day"].isoformat()
            assert citation["customer"] == row["customer_id"] and citation["channel"] == "Email"

    def test_every_answer_is_stored_with_its_plan(self, sample, database_url):
        client, _ = sample
        asked = ["Which topic was discussed most in 2024?", "What is the weather in Paris?"]
        answers = [client.post("/api/v1/research", json={"question": q}).get_json() for q in asked]
        stored = query(
            database_url,
            "SELECT id, question, answered, plan->>'kind', citations, model "
            "FROM insights.research_log ORDER BY id",
        )
        assert [(row[1], row[2], row[3]) for row in stored] == [
            (asked[0], True, "ranking"), (asked[1], False, "not_answerable")]  # fmt: skip
        assert [row[0] for row in stored] == [a["id"] for a in answers]
        assert stored[0][4] == [c["id"] for c in answers[0]["citations"]]
        assert stored[0][5] == answers[0]["model"]

    def test_a_question_it_cannot_answer_gets_no_figures(self, sample):
        client, _ = sample
        body = client.post("/api/v1/research", json={"question": "Who will win the cup?"})
        assert body.status_code == 200
        assert body.get_json()["answered"] is False and body.get_json()["figures"] == []

    @pytest.mark.parametrize("payload", [{}, {"question": ""}, {"question": "x" * 501},
                                         {"question": 42}])  # fmt: skip
    def test_a_missing_or_oversized_question_is_a_422(self, sample, payload):
        client, _ = sample
        error = assert_error_shape(client.post("/api/v1/research", json=payload), 422)
        assert "question" in error["errors"]["json"]

    def test_a_key_without_stats_read_is_refused(self, app, sample):
        client = client_with_key(app, create_api_key(app, scopes="content:write"))
        assert_error_shape(client.post("/api/v1/research", json={"question": "How many?"}), 403)


class TestAskCommand:
    def test_prints_the_same_answer_as_json(self, sample, insights):
        result = insights("ask", "How many interactions in 2024?")
        assert result.exit_code == 0, result.output
        body = json.loads(result.stdout)
        assert set(body) == CONTRACT and body["answered"] is True

    @pytest.mark.parametrize("question", ["  ", "nul\x00", "x" * 501])
    def test_a_bad_question_is_one_line_and_exit_status_2(self, sample, insights, question):
        result = insights("ask", question)
        assert result.exit_code == 2
        assert result.stderr.strip().startswith("insights: error:")
        assert len(result.stderr.strip().splitlines()) == 1
