"""The summary cache on PostgreSQL: a summary is reused until what it was written from changes."""

import shutil
from dataclasses import replace

import pytest
from langchain_core.runnables import RunnableLambda

from pipelines.ingestion import ingest
from pipelines.ingestion.sources import read_source
from repository.engine import build_engine
from repository.ingestion import PostgresIngestionRepository
from tests.support import (
    BUNDLED_CSV,
    assert_error_shape,
    client_with_key,
    ingest_bundled_sample,
    make_app,
    query,
)

CHANGED, UNCHANGED = 1, 2  # customers of the bundled sample, both with interactions


@pytest.fixture
def bundled(database_url):
    ingest_bundled_sample(database_url)
    return database_url


def count_model_calls(app) -> list:
    """Route the app's model through a counter; return the list each call is appended to."""
    pipeline = app.extensions["insights"]["content"]
    calls: list = []
    model = pipeline.provider.model

    def counted(messages):
        calls.append(messages)
        return model.invoke(messages)

    pipeline.provider = replace(pipeline.provider, model=RunnableLambda(counted))
    return calls


def load_with_one_more_interaction(url: str, folder, customer_id: int) -> None:
    """Ingest the bundled sample plus one new interaction of ``customer_id``: a new version."""
    shutil.copytree(BUNDLED_CSV, folder)
    with (folder / "interactions.csv").open("a") as interactions:
        interactions.write(f"14/03/2024 10:17,Call,{customer_id},Pricing Inquiry,Neutral\n")
    engine = build_engine(url)
    ingest(read_source(folder), PostgresIngestionRepository(engine))
    engine.dispose()


def summary(client, customer_id: int, **query_args):
    response = client.get(f"/api/v1/summarized_interactions/{customer_id}", query_string=query_args)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def stored_summaries(url: str, customer_id: int) -> int:
    return query(
        url,
        "SELECT count(*) FROM insights.generated_content "
        "WHERE customer_id = %s AND content_type = 'summary'",
        (customer_id,),
    )[0][0]


class TestSummaryCache:
    def test_a_repeat_request_is_answered_from_the_store_without_a_model_call(self, app, bundled):
        calls, client = count_model_calls(app), client_with_key(app)
        first = summary(client, CHANGED)
        assert (first["cached"], len(calls)) == (False, 1)
        again = summary(client, CHANGED)
        assert (again["cached"], len(calls)) == (True, 1)
        assert again["content_id"] == first["content_id"]
        assert again["summary"] == first["summary"]
        assert stored_summaries(bundled, CHANGED) == 1

    def test_refresh_writes_a_new_summary_that_later_requests_reuse(self, app, bundled):
        calls, client = count_model_calls(app), client_with_key(app)
        first = summary(client, CHANGED)
        fresh = summary(client, CHANGED, refresh="true")
        assert (fresh["cached"], len(calls)) == (False, 2)
        assert fresh["content_id"] != first["content_id"]
        assert summary(client, CHANGED)["content_id"] == fresh["content_id"]

    def test_a_load_that_changes_the_customer_gives_a_fresh_summary(self, app, bundled, tmp_path):
        calls, client = count_model_calls(app), client_with_key(app)
        before = summary(client, CHANGED)
        load_with_one_more_interaction(bundled, tmp_path / "export", CHANGED)
        after = summary(client, CHANGED)
        assert (after["cached"], len(calls)) == (False, 2)
        total = before["summary"]["total_interactions"]
        assert after["summary"]["total_interactions"] == total + 1

    def test_a_load_that_leaves_the_customer_alone_keeps_their_summary(
        self, app, bundled, tmp_path
    ):
        calls, client = count_model_calls(app), client_with_key(app)
        version = query(bundled, "SELECT version FROM insights.data_version")[0][0]
        before = summary(client, UNCHANGED)
        load_with_one_more_interaction(bundled, tmp_path / "export", CHANGED)
        assert query(bundled, "SELECT version FROM insights.data_version")[0][0] != version
        after = summary(client, UNCHANGED)
        assert (after["cached"], after["content_id"], len(calls)) == (
            True,
            before["content_id"],
            1,
        )

    def test_a_new_prompt_version_gives_a_fresh_summary(self, database_url, tmp_path):
        ingest_bundled_sample(database_url)
        prompts = tmp_path / "prompts"
        shutil.copytree(BUNDLED_CSV.parents[1] / "prompts", prompts)
        old = make_app(database_url, PROMPTS_DIR=prompts)
        first = summary(client_with_key(old), CHANGED)
        shutil.copy(prompts / "summary" / "v1.toml", prompts / "summary" / "v2.toml")
        new = make_app(database_url, PROMPTS_DIR=prompts)
        calls = count_model_calls(new)
        second = summary(client_with_key(new), CHANGED)
        assert (first["prompt_version"], second["prompt_version"]) == ("summary/v1", "summary/v2")
        assert (second["cached"], len(calls)) == (False, 1)
        for app in (old, new):
            app.extensions["insights"]["repositories"].close()

    def test_another_model_gives_a_fresh_summary(self, database_url):
        ingest_bundled_sample(database_url)
        first_app = make_app(database_url)
        other_app = make_app(database_url, LLM_MODEL="grounded-mock-2")
        calls = count_model_calls(other_app)
        first = summary(client_with_key(first_app), CHANGED)
        other = summary(client_with_key(other_app), CHANGED)
        assert (other["model"], other["cached"], len(calls)) == ("grounded-mock-2", False, 1)
        assert other["content_id"] != first["content_id"]
        for app in (first_app, other_app):
            app.extensions["insights"]["repositories"].close()

    def test_a_customer_without_interactions_is_cached_too(self, app, bundled):
        client = client_with_key(app)
        quiet = query(
            bundled,
            "SELECT customer_id FROM insights.customers WHERE customer_id NOT IN "
            "(SELECT customer_id FROM insights.interactions) LIMIT 1",
        )
        if not quiet:
            pytest.skip("the bundled sample has no customer without interactions")
        (customer_id,) = quiet[0]
        assert summary(client, customer_id)["cached"] is False
        assert summary(client, customer_id)["cached"] is True
        assert stored_summaries(bundled, customer_id) == 1

    def test_a_malformed_refresh_is_a_422_naming_it(self, app, bundled):
        response = client_with_key(app).get(
            f"/api/v1/summarized_interactions/{CHANGED}?refresh=maybe"
        )
        assert "refresh" in assert_error_shape(response, 422)["message"]
        assert stored_summaries(bundled, CHANGED) == 0
