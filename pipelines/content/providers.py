"""Choose the chat model from configuration: the provider registry.

``LLM_PROVIDER`` names the provider; nothing else changes when it does. ``mock`` (the
default) needs nothing. ``openai`` reaches any OpenAI-compatible endpoint (OpenAI, Azure
OpenAI, vLLM, LM Studio, Ollama's /v1) through ``LLM_BASE_URL`` and ``LLM_MODEL``;
``ollama`` talks to Ollama's own API. Real providers are optional extras, imported only
when chosen. Every call has a timeout and a bounded number of retries with backoff; a
provider failure is raised as Unavailable or ModelTimeout, never a quiet switch to other text.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import BaseMessage
from langchain_core.runnables import Runnable
from pydantic import SecretStr

from pipelines.content.errors import ModelTimeout
from pipelines.content.mock.model import MOCK_MODEL_NAME, GroundedMockChatModel
from repository.errors import ConfigurationError, Unavailable

DEFAULT_MODELS = {"mock": MOCK_MODEL_NAME, "openai": "gpt-4o-mini", "ollama": "llama3.1"}
OLLAMA_URL = "http://127.0.0.1:11434"
# Local OpenAI-compatible servers ignore the key, but the client insists on one.
PLACEHOLDER_API_KEY = "not-needed"

ErrorTypes = tuple[type[BaseException], ...]


@dataclass(frozen=True)
class ChatProvider:
    """A configured chat model and how to read its failures."""

    name: str
    model_name: str
    mock: bool
    model: Runnable[LanguageModelInput, BaseMessage]
    timeout_errors: ErrorTypes = ()
    failure_errors: ErrorTypes = ()

    def ask(self, messages: list[BaseMessage]) -> BaseMessage:
        """Return the model's answer.

        Raises:
            ModelTimeout: the provider did not answer in time.
            Unavailable: the provider refused or failed, retries included.
        """
        try:
            return self.model.invoke(messages)
        except self.timeout_errors as error:
            raise ModelTimeout(
                f"The language model ({self.name}) did not answer in time; try again shortly."
            ) from error
        except self.failure_errors as error:
            raise Unavailable(
                f"The language model ({self.name}) is unavailable: {type(error).__name__}."
            ) from error


def _missing_extra(provider: str) -> ConfigurationError:
    return ConfigurationError(
        f"LLM_PROVIDER={provider} needs its optional packages: "
        f"pip install 'customer-insights[{provider}]'"
    )


def _mock(config: Mapping[str, Any]) -> ChatProvider:
    model_name = config["LLM_MODEL"] or MOCK_MODEL_NAME
    return ChatProvider("mock", model_name, True, GroundedMockChatModel(model_name=model_name))


def _openai(config: Mapping[str, Any]) -> ChatProvider:
    try:
        import openai
        from langchain_openai import ChatOpenAI
    except ImportError:
        raise _missing_extra("openai") from None
    api_key = config["LLM_API_KEY"]
    if api_key is None and config["LLM_BASE_URL"] is None:
        raise ConfigurationError("LLM_PROVIDER=openai without LLM_BASE_URL needs LLM_API_KEY")
    model_name = config["LLM_MODEL"] or DEFAULT_MODELS["openai"]
    model = ChatOpenAI(
        model=model_name,
        base_url=config["LLM_BASE_URL"],
        api_key=SecretStr(api_key or PLACEHOLDER_API_KEY),
        timeout=config["LLM_TIMEOUT_S"],
        # The OpenAI client retries timeouts, 429s and 5xx itself, backing off exponentially.
        max_retries=config["LLM_MAX_RETRIES"],
        temperature=config["LLM_TEMPERATURE"],
    )
    return ChatProvider(
        "openai", model_name, False, model, (openai.APITimeoutError,), (openai.OpenAIError,)
    )


def _ollama(config: Mapping[str, Any]) -> ChatProvider:
    try:
        import httpx
        import ollama
        from langchain_ollama import ChatOllama
    except ImportError:
        raise _missing_extra("ollama") from None
    model_name = config["LLM_MODEL"] or DEFAULT_MODELS["ollama"]
    model = ChatOllama(
        model=model_name,
        base_url=config["LLM_BASE_URL"] or OLLAMA_URL,
        temperature=config["LLM_TEMPERATURE"],
        client_kwargs={"timeout": config["LLM_TIMEOUT_S"]},
    )
    failures: ErrorTypes = (ollama.ResponseError, httpx.HTTPError, ConnectionError)
    retrying = model.with_retry(
        retry_if_exception_type=failures,
        stop_after_attempt=config["LLM_MAX_RETRIES"] + 1,
        wait_exponential_jitter=True,
    )
    return ChatProvider("ollama", model_name, False, retrying, (httpx.TimeoutException,), failures)


PROVIDERS: dict[str, Callable[[Mapping[str, Any]], ChatProvider]] = {
    "mock": _mock,
    "openai": _openai,
    "ollama": _ollama,
}


def build_chat_provider(config: Mapping[str, Any]) -> ChatProvider:
    """Build the provider ``config["LLM_PROVIDER"]`` names.

    Raises:
        ConfigurationError: an unknown provider, a missing extra or a missing setting.
    """
    name = config["LLM_PROVIDER"]
    if name not in PROVIDERS:
        raise ConfigurationError(
            f"LLM_PROVIDER must be one of {', '.join(PROVIDERS)}, got {name!r}"
        )
    return PROVIDERS[name](config)
