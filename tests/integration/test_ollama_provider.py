"""The ollama provider over the wire, against a fake Ollama /api/chat server on 127.0.0.1."""

import pytest

from tests.fake_llm_server import Reply
from tests.integration.test_openai_provider import CUSTOMER, GOOD_EMAIL
from tests.support import assert_error_shape


@pytest.fixture
def fake_ollama(fake_llm):
    return fake_llm


@pytest.fixture
def client(llm_client, fake_ollama):
    base_url = fake_ollama.url.removesuffix("/v1")
    return llm_client(LLM_PROVIDER="ollama", LLM_BASE_URL=base_url, LLM_MODEL="llama-fake")


def test_a_normal_answer_comes_back_with_its_provenance(client, fake_ollama):
    fake_ollama.script(Reply(GOOD_EMAIL))
    body = client.get(f"/api/v1/generate-content/{CUSTOMER}").get_json()
    assert body["generated_content"]["Content"] == GOOD_EMAIL
    assert (body["provider"], body["model"], body["mock"]) == ("ollama", "llama-fake", False)
    (sent,) = fake_ollama.requests
    assert sent["model"] == "llama-fake"
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]


def test_a_stalling_server_gives_a_504_after_one_retry(client, fake_ollama):
    fake_ollama.script(Reply(GOOD_EMAIL, delay_s=3))
    response = client.get(f"/api/v1/generate-content/{CUSTOMER}")
    assert_error_shape(response, 504)
    assert len(fake_ollama.requests) == 2


def test_a_failing_server_gives_a_503_after_one_retry(client, fake_ollama):
    fake_ollama.script(Reply(status=500))
    response = client.get(f"/api/v1/summarized_interactions/{CUSTOMER}")
    assert_error_shape(response, 503)
    assert "(ollama) is unavailable" in response.get_json()["message"]
    assert len(fake_ollama.requests) == 2
