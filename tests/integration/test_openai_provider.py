"""The openai provider over the wire, against a fake OpenAI-compatible server on 127.0.0.1.

Switching LLM_PROVIDER needs no code change: these tests only set configuration.
"""

import pytest

from tests.fake_llm_server import Reply
from tests.support import assert_error_shape, query

CUSTOMER = 1  # Jedi, in the bundled sample
GOOD_EMAIL = (
    "Dear Jedi,\n\nThank you for the conversations you have had with our team. We would be "
    "glad to answer any further questions you may have, whenever it suits you.\n\n"
    "Kind regards,\nThe Customer Engagement Team"
)


@pytest.fixture
def fake_openai(fake_llm):
    return fake_llm


@pytest.fixture
def client(llm_client, fake_openai):
    return llm_client(LLM_PROVIDER="openai", LLM_BASE_URL=fake_openai.url, LLM_MODEL="fake-model")


def stored_generations(url: str) -> int:
    return query(url, "SELECT count(*) FROM insights.generated_content")[0][0]


class TestANormalAnswer:
    def test_the_providers_text_is_returned_with_its_provenance(self, client, fake_openai):
        fake_openai.script(Reply(GOOD_EMAIL))
        response = client.get(f"/api/v1/generate-content/{CUSTOMER}")
        assert response.status_code == 200
        body = response.get_json()
        # No "Subject:" line in the answer: the derived subject (no focus: the default).
        assert body["generated_content"] == {
            "Content_type": "email",
            "Content": GOOD_EMAIL,
            "Subject": "A note from our team",
        }
        assert (body["provider"], body["model"], body["mock"]) == ("openai", "fake-model", False)
        assert body["prompt_version"] == "email/v2"
        assert body["attempts"] == 1

    def test_the_request_carries_the_customers_own_data_to_the_model(
        self, client, fake_openai, database_url
    ):
        fake_openai.script(Reply(GOOD_EMAIL))
        sources = client.get(f"/api/v1/generate-content/{CUSTOMER}").get_json()["sources"]
        (sent,) = fake_openai.requests
        assert sent["model"] == "fake-model"
        system, user = sent["messages"]
        assert (system["role"], user["role"]) == ("system", "user")
        assert '"salutation": "Jedi"' in user["content"]
        own_ids = {
            row[0]
            for row in query(
                database_url,
                "SELECT id FROM insights.interactions WHERE customer_id = %s",
                (CUSTOMER,),
            )
        }
        assert sources and set(sources) <= own_ids
        for interaction_id in sources:
            assert f'"id": {interaction_id},' in user["content"]

    def test_the_key_placeholder_is_sent_to_a_local_endpoint(self, client, fake_openai):
        fake_openai.script(Reply(GOOD_EMAIL))
        client.get(f"/api/v1/generate-content/{CUSTOMER}")
        assert fake_openai.headers[0]["authorization"] == "Bearer not-needed"


class TestProviderFailures:
    def test_a_provider_that_stalls_gives_a_504_after_bounded_retries(
        self, client, fake_openai, database_url
    ):
        fake_openai.script(Reply(GOOD_EMAIL, delay_s=3))
        response = client.get(f"/api/v1/generate-content/{CUSTOMER}")
        assert_error_shape(response, 504)
        assert "did not answer in time" in response.get_json()["message"]
        assert len(fake_openai.requests) == 2  # the first try and one retry
        assert stored_generations(database_url) == 0

    def test_a_provider_error_gives_a_503_after_bounded_retries(
        self, client, fake_openai, database_url
    ):
        fake_openai.script(Reply(status=500))
        response = client.get(f"/api/v1/summarized_interactions/{CUSTOMER}")
        assert_error_shape(response, 503)
        assert "(openai) is unavailable" in response.get_json()["message"]
        assert len(fake_openai.requests) == 2
        assert stored_generations(database_url) == 0

    def test_a_failing_provider_is_never_replaced_by_other_text(self, client, fake_openai):
        fake_openai.script(Reply(status=503))
        body = client.get(f"/api/v1/generate-content/{CUSTOMER}").get_json()
        assert "generated_content" not in body


class TestCheckedOutput:
    def test_a_text_to_the_wrong_customer_is_regenerated_once(self, client, fake_openai):
        fake_openai.script(Reply(GOOD_EMAIL.replace("Jedi", "Batman")), Reply(GOOD_EMAIL))
        response = client.get(f"/api/v1/generate-content/{CUSTOMER}")
        assert response.status_code == 200
        assert response.get_json()["attempts"] == 2
        retry = fake_openai.requests[1]["messages"]
        assert retry[2] == {"role": "assistant", "content": GOOD_EMAIL.replace("Jedi", "Batman")}
        assert "not addressed to 'Jedi'" in retry[3]["content"]

    def test_an_invented_topic_twice_gives_a_502(self, client, fake_openai, database_url):
        (foreign_topic,) = query(
            database_url,
            "SELECT min(topic) FROM insights.interactions WHERE topic NOT IN "
            "(SELECT topic FROM insights.interactions WHERE customer_id = %s "
            "AND topic IS NOT NULL)",
            (CUSTOMER,),
        )[0]
        invented = GOOD_EMAIL.replace("further questions", f"questions about {foreign_topic}")
        fake_openai.script(Reply(invented))
        response = client.get(f"/api/v1/generate-content/{CUSTOMER}")
        assert_error_shape(response, 502)
        assert foreign_topic in response.get_json()["message"]
        assert len(fake_openai.requests) == 2
        assert stored_generations(database_url) == 0
