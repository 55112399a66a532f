"""A deterministic, grounded chat model: the default LLM of development and tests.

It is a real langchain-core chat model, so the chain that runs it is the chain that runs
a hosted model. It reads the task and data blocks of its prompt and writes from those
facts alone; a hash of the whole prompt seeds its choice of wording, so the same prompt
always gives the same text.
"""

import hashlib
import random
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from pipelines.content.mock.writing import WRITERS, PromptFacts
from pipelines.content.prompts import read_block

MOCK_MODEL_NAME = "grounded-mock-1"


def _first(messages: list[BaseMessage], kind: type[BaseMessage]) -> str:
    return next((m.text for m in messages if isinstance(m, kind)), "")


def read_prompt_facts(messages: list[BaseMessage]) -> PromptFacts | None:
    """Parse the task (system message) and data blocks (first human message), if present."""
    system = _first(messages, SystemMessage)
    task = read_block(system, "task")
    data = _first(messages, HumanMessage)
    customer = read_block(data, "customer_record")
    if not task or not customer:
        return None
    summary = read_block(data, "summary_facts")
    return PromptFacts(
        task=task[0],
        customer=customer[0],
        interactions=read_block(data, "interaction_history") or [],
        summary=summary[0] if summary else None,
        # A prompt version that asks for a subject line names its "Subject: " prefix.
        subject_line='"Subject: "' in system,
    )


class GroundedMockChatModel(BaseChatModel):
    """Writes emails, call scripts and summaries from the facts in its prompt."""

    model_name: str = MOCK_MODEL_NAME

    @property
    def _llm_type(self) -> str:
        return "grounded-mock"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name}

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        prompt = "\n".join(f"{m.type}: {m.text}" for m in messages)
        seed = hashlib.sha256(prompt.encode("utf-8")).digest()
        facts = read_prompt_facts(messages)
        writer = WRITERS.get(facts.task.get("content_type", "")) if facts else None
        if facts is None or writer is None:
            text = "The mock model found no task or customer record in its prompt."
        else:
            text = writer(facts, random.Random(int.from_bytes(seed[:8], "big")))
        metadata = {"model_name": self.model_name, "mock": True}
        message = AIMessage(content=text, response_metadata=metadata)
        return ChatResult(generations=[ChatGeneration(message=message)])
