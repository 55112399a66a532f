"""Tokens and cost of generations on PostgreSQL: recorded per generation, reported per group."""

import pytest

from tests.fake_llm_server import Reply
from tests.integration.test_openai_provider import CUSTOMER, GOOD_EMAIL
from tests.support import assert_error_shape, ingest_bundled_sample, query

# Per million tokens: 100 input tokens cost 0.0002, 50 output tokens 0.0005.
PRICES = {"fake-model": {"input": 2.0, "output": 10.0}}


def stored_usage(url: str) -> list[tuple]:
    return query(
        url,
        "SELECT input_tokens, output_tokens, tokens_estimated, cost::float, attempts "
        "FROM insights.generated_content ORDER BY created_at",
    )


class TestRecordedPerGeneration:
    def test_reported_tokens_are_stored_and_priced(self, llm_client, fake_llm, database_url):
        client = llm_client(
            LLM_PROVIDER="openai", LLM_BASE_URL=fake_llm.url, LLM_MODEL="fake-model",
            MODEL_PRICES=PRICES,
        )  # fmt: skip
        fake_llm.script(Reply(GOOD_EMAIL))
        body = client.get(f"/api/v1/generate-content/{CUSTOMER}").get_json()
        # The fake server reports 100 prompt and 50 completion tokens per call.
        assert (body["input_tokens"], body["output_tokens"], body["tokens_estimated"]) == (
            100,
            50,
            False,
        )
        assert body["cost"] == pytest.approx(0.0007)
        assert stored_usage(database_url) == [(100, 50, False, pytest.approx(0.0007), 1)]

    def test_tokens_of_a_regeneration_are_summed_over_both_calls(
        self, llm_client, fake_llm, database_url
    ):
        client = llm_client(
            LLM_PROVIDER="openai", LLM_BASE_URL=fake_llm.url, LLM_MODEL="fake-model",
            MODEL_PRICES=PRICES,
        )  # fmt: skip
        fake_llm.script(Reply("Hi."), Reply(GOOD_EMAIL))  # too short, then right
        assert client.get(f"/api/v1/generate-content/{CUSTOMER}").status_code == 200
        assert stored_usage(database_url) == [(200, 100, False, pytest.approx(0.0014), 2)]

    def test_a_model_missing_from_the_price_table_is_stored_without_a_cost(
        self, llm_client, fake_llm, database_url
    ):
        client = llm_client(LLM_PROVIDER="openai", LLM_BASE_URL=fake_llm.url, LLM_MODEL="other")
        fake_llm.script(Reply(GOOD_EMAIL))
        assert client.get(f"/api/v1/generate-content/{CUSTOMER}").get_json()["cost"] is None
        assert stored_usage(database_url) == [(100, 50, False, None, 1)]

    def test_a_provider_reporting_no_usage_still_stores_the_generation(
        self, llm_client, fake_llm, database_url
    ):
        # The fake Ollama server, like some real servers, sends no token counts.
        base_url = fake_llm.url.removesuffix("/v1")
        client = llm_client(LLM_PROVIDER="ollama", LLM_BASE_URL=base_url, LLM_MODEL="llama-fake")
        fake_llm.script(Reply(GOOD_EMAIL))
        response = client.get(f"/api/v1/generate-content/{CUSTOMER}")
        assert response.status_code == 200
        body = response.get_json()
        assert (body["input_tokens"], body["output_tokens"], body["cost"]) == (None, None, None)
        assert stored_usage(database_url) == [(None, None, False, None, 1)]

    def test_the_mock_estimates_its_tokens_and_says_so(self, client, database_url):
        ingest_bundled_sample(database_url)
        body = client.get(f"/api/v1/generate-content/{CUSTOMER}").get_json()
        assert body["tokens_estimated"] is True
        # About four characters a token: the text alone bounds the output count.
        assert body["output_tokens"] * 4 >= len(body["generated_content"]["Content"])
        assert body["input_tokens"] > body["output_tokens"]
        assert body["cost"] == 0


# (content_type, model, prompt_version, input, output, estimated, cost, created_at)
ROWS = [
    ("email", "m1", "email/v1", 100, 40, False, 0.5, "2026-01-10 09:00+00"),
    ("email", "m1", "email/v2", 200, 60, False, 1.25, "2026-01-11 23:59+00"),
    ("summary", "m2", "summary/v1", None, None, False, None, "2026-01-12 00:00+00"),
    ("call_script", "mock-1", "call_script/v1", 30, 10, True, 0.0, "2026-01-12 12:00+00"),
    ("email", "m1", "email/v1", 999, 999, False, 9.0, "2026-02-01 00:00+00"),  # outside
]


@pytest.fixture
def stored_rows(database_url):
    for kind, model, version, sent, written, estimated, cost, at in ROWS:
        query_args = (kind, model, version, sent, written, estimated, cost, at)
        query(
            database_url,
            "INSERT INTO insights.generated_content (customer_id, content_type, provider, model, "
            "mock, prompt_version, sources, content, latency_ms, attempts, input_tokens, "
            "output_tokens, tokens_estimated, cost, created_at, review_status) VALUES (1, %s, 'p', "
            "%s, false, %s, '{}', 'text', 1, 1, %s, %s, %s, %s, %s, 'clear') RETURNING id",
            query_args,
        )
    return database_url


JANUARY = {"from": "2026-01-10", "to": "2026-01-12"}


class TestUsageEndpoint:
    def test_totals_per_model_over_whole_days(self, client, stored_rows):
        response = client.get("/api/v1/generated-content/usage", query_string=JANUARY)
        assert response.status_code == 200
        body = response.get_json()
        assert (body["from"], body["to"], body["group_by"]) == ("2026-01-10", "2026-01-12", "model")
        assert body["groups"] == [
            {"key": "m1", "generations": 2, "input_tokens": 300, "output_tokens": 100,
             "without_tokens": 0, "tokens_estimated": False, "cost": 1.75, "unpriced": 0},
            {"key": "m2", "generations": 1, "input_tokens": 0, "output_tokens": 0,
             "without_tokens": 1, "tokens_estimated": False, "cost": 0.0, "unpriced": 1},
            {"key": "mock-1", "generations": 1, "input_tokens": 30, "output_tokens": 10,
             "without_tokens": 0, "tokens_estimated": True, "cost": 0.0, "unpriced": 0},
        ]  # fmt: skip
        assert body["total"] == {
            "generations": 4, "input_tokens": 330, "output_tokens": 110, "without_tokens": 1,
            "tokens_estimated": True, "cost": 1.75, "unpriced": 1,
        }  # fmt: skip

    @pytest.mark.parametrize(
        ("group_by", "expected"),
        [
            ("content_type", {"call_script": 1, "email": 2, "summary": 1}),
            (
                "prompt_version",
                {"call_script/v1": 1, "email/v1": 1, "email/v2": 1, "summary/v1": 1},
            ),
        ],
    )
    def test_other_groupings(self, client, stored_rows, group_by, expected):
        args = {**JANUARY, "group_by": group_by}
        body = client.get("/api/v1/generated-content/usage", query_string=args).get_json()
        assert {group["key"]: group["generations"] for group in body["groups"]} == expected

    def test_without_a_range_every_generation_counts(self, client, stored_rows):
        body = client.get("/api/v1/generated-content/usage").get_json()
        assert body["total"]["generations"] == len(ROWS)

    @pytest.mark.parametrize(
        ("args", "parameter"),
        [
            ({"group_by": "customer"}, "group_by"),
            ({"from": "2026-13-01"}, "from"),
            ({"to": "yesterday"}, "to"),
            ({"from": "2026-01-12", "to": "2026-01-10"}, "from"),
        ],
    )
    def test_a_bad_value_is_a_422_naming_the_parameter(self, client, stored_rows, args, parameter):
        response = client.get("/api/v1/generated-content/usage", query_string=args)
        body = assert_error_shape(response, 422)
        assert parameter in body["errors"]["query"]

    def test_the_endpoint_is_documented(self, client):
        spec = client.get("/openapi.json").get_json()
        operation = spec["paths"]["/api/v1/generated-content/usage"]["get"]
        assert {p["name"] for p in operation["parameters"]} >= {"from", "to", "group_by"}


class TestUsageCommand:
    def test_prints_one_line_per_group_and_the_total(self, insights, stored_rows):
        result = insights(
            "content", "usage", "--from", "2026-01-10", "--to", "2026-01-12",
            "--group-by", "content_type",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        lines = [line.split("\t") for line in result.output.splitlines()]
        assert lines[0][0] == "content_type"
        by_key = {line[0]: line[1:] for line in lines[1:]}
        assert by_key["email"] == ["2", "300", "100", "0", "1.75", "0", "no"]
        assert by_key["summary"] == ["1", "0", "0", "1", "0.0", "1", "no"]
        assert by_key["TOTAL"] == ["4", "330", "110", "1", "1.75", "1", "yes"]

    @pytest.mark.parametrize(
        "args",
        [
            ("--from", "2026-02-30"),
            ("--group-by", "customer"),
            ("--from", "2026-01-12", "--to", "2026-01-10"),
        ],
    )
    def test_a_bad_option_is_one_line_and_exit_2(self, insights, stored_rows, args):
        result = insights("content", "usage", *args)
        assert result.exit_code == 2
        assert len(result.output.strip().splitlines()) == 1, result.output
        assert result.output.startswith("insights: error: " + args[0])
