"""The provider registry: configuration alone picks the model, and failures map to HTTP."""

import sys

import httpx
import openai
import pytest
from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableLambda

from api.config import load_config
from api.errors import status_of
from pipelines.content.errors import ModelTimeout
from pipelines.content.mock.model import GroundedMockChatModel
from pipelines.content.providers import ChatProvider, build_chat_provider
from repository.errors import ConfigurationError, Unavailable


def provider(**environ) -> ChatProvider:
    return build_chat_provider(load_config(environ))


class TestChoosingAProvider:
    def test_the_mock_is_the_default(self):
        chosen = provider()
        assert (chosen.name, chosen.model_name, chosen.mock) == ("mock", "grounded-mock-1", True)
        assert isinstance(chosen.model, GroundedMockChatModel)

    def test_openai_takes_its_endpoint_model_and_limits_from_the_environment(self):
        chosen = provider(
            LLM_PROVIDER="openai",
            LLM_BASE_URL="http://127.0.0.1:8000/v1",
            LLM_MODEL="served-model",
            LLM_TIMEOUT_S="7.5",
            LLM_MAX_RETRIES="4",
            LLM_TEMPERATURE="0",
        )
        assert (chosen.name, chosen.model_name, chosen.mock) == ("openai", "served-model", False)
        model = chosen.model
        assert model.openai_api_base == "http://127.0.0.1:8000/v1"
        assert (model.request_timeout, model.max_retries, model.temperature) == (7.5, 4, 0.0)

    def test_openai_without_an_endpoint_needs_a_key(self):
        with pytest.raises(ConfigurationError, match="LLM_API_KEY"):
            provider(LLM_PROVIDER="openai")

    def test_ollama_defaults_to_the_local_server(self):
        chosen = provider(LLM_PROVIDER="ollama", LLM_MODEL="llama3.2")
        assert (chosen.name, chosen.model_name, chosen.mock) == ("ollama", "llama3.2", False)
        assert chosen.model.bound.base_url == "http://127.0.0.1:11434"
        assert chosen.model.max_attempt_number == 3

    def test_an_unknown_provider_stops_start_up_with_the_choices(self):
        with pytest.raises(ConfigurationError, match="mock, openai, ollama, got 'gpt5'"):
            provider(LLM_PROVIDER="gpt5")

    @pytest.mark.parametrize(
        ("provider_name", "package"),
        [("openai", "langchain_openai"), ("ollama", "langchain_ollama")],
    )
    def test_a_provider_without_its_extra_installed_names_the_install_command(
        self, monkeypatch, provider_name, package
    ):
        monkeypatch.setitem(sys.modules, package, None)  # makes the import fail
        with pytest.raises(ConfigurationError, match=rf"customer-insights\[{provider_name}\]"):
            provider(LLM_PROVIDER=provider_name, LLM_API_KEY="k")

    def test_the_registry_itself_rejects_an_unknown_name(self):
        config = {**load_config({}), "LLM_PROVIDER": "bard"}
        with pytest.raises(ConfigurationError, match="'bard'"):
            build_chat_provider(config)


def failing(error: BaseException) -> ChatProvider:
    def raise_it(_):
        raise error

    return ChatProvider(
        "openai",
        "m",
        False,
        RunnableLambda(raise_it),
        (openai.APITimeoutError,),
        (openai.OpenAIError,),
    )


class TestProviderFailures:
    def test_a_timeout_becomes_a_504(self):
        request = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
        with pytest.raises(ModelTimeout) as raised:
            failing(openai.APITimeoutError(request)).ask([HumanMessage("hi")])
        assert status_of(raised.value) == 504

    def test_a_provider_error_becomes_a_503_naming_the_provider(self):
        request = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
        with pytest.raises(Unavailable, match=r"\(openai\) is unavailable: APIConnectionError"):
            failing(openai.APIConnectionError(request=request)).ask([HumanMessage("hi")])

    def test_a_bug_of_ours_is_not_disguised_as_a_provider_failure(self):
        with pytest.raises(KeyError):
            failing(KeyError("oops")).ask([HumanMessage("hi")])
