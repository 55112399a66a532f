"""A real provider plans through tool calls; its answer is held to the query results."""

from datetime import datetime

import pandas as pd
import pytest
from langchain_core.messages import AIMessage, ToolMessage

from pipelines.content.providers import ChatProvider
from pipelines.research.assistant import ResearchAssistant, load_research_prompt
from tests.fakes import (
    InMemoryResearchLogRepository,
    InMemorySemanticRepository,
    ToolScriptedChatModel,
)
from tests.support import MIGRATIONS_DIR

FACTS = pd.DataFrame(
    [
        {"id": i, "occurred_at": datetime(2021, 1 + i % 12, 1 + i % 28), "customer_id": i % 5 + 1,
         "channel": ["Email", "Call"][i % 2], "topic": "Billing", "sentiment": "Positive",
         "product": "Zentrix", "customer_type": ["Gold", "Silver", "Gold"][i % 3]}
        for i in range(1, 61)
    ]
)  # fmt: skip
EMAILS = int((FACTS["channel"] == "Email").sum())
GOLD_EMAILS = int(((FACTS["channel"] == "Email") & (FACTS["customer_type"] == "Gold")).sum())


def call(args: dict, call_id: str = "c1") -> AIMessage:
    return AIMessage("", tool_calls=[{"name": "query_interactions", "args": args, "id": call_id}])


EMAIL_QUERY = {"filters": [{"dimension": "channel", "op": "equals", "values": ["email"]}]}


def assistant_with(*replies: AIMessage) -> tuple[ResearchAssistant, ToolScriptedChatModel]:
    model = ToolScriptedChatModel(replies=list(replies), requests=[], tools=[])
    provider = ChatProvider("openai", "scripted-1", False, model)
    prompt = load_research_prompt(MIGRATIONS_DIR.parent / "prompts")
    semantic = InMemorySemanticRepository(FACTS)
    return ResearchAssistant(semantic, InMemoryResearchLogRepository(), provider, prompt), model


class TestToolCalling:
    def test_the_models_query_runs_and_its_grounded_answer_is_kept(self):
        assistant, model = assistant_with(
            call(EMAIL_QUERY), AIMessage(f"There were {EMAILS} email interactions.")
        )
        answer = assistant.ask("How many emails?")
        assert answer["answered"] is True and answer["mock"] is False
        assert answer["answer"] == f"There were {EMAILS} email interactions."
        assert answer["figures"] == [{"label": "interactions", "value": EMAILS}]
        assert answer["queries"][0]["query"]["filters"][0]["values"] == ["Email"]
        assert answer["model"] == "scripted-1" and answer["prompt_version"] == "research/v1"
        assert model.tools[0]["function"]["name"] == "query_interactions"
        tool_reply = model.requests[1][-1]
        assert isinstance(tool_reply, ToolMessage) and str(EMAILS) in tool_reply.text
        assert all(c["channel"] == "Email" for c in answer["citations"])

    def test_an_invented_number_gets_one_retry(self):
        assistant, model = assistant_with(
            call(EMAIL_QUERY), AIMessage("There were 999 emails."), AIMessage(f"{EMAILS} emails.")
        )
        answer = assistant.ask("How many emails?")
        assert answer["answer"] == f"{EMAILS} emails."
        assert "999" in model.requests[2][-1].text  # the retry names the unbacked claim

    def test_invented_twice_gives_the_numbers_only_answer(self):
        assistant, _ = assistant_with(call(EMAIL_QUERY), AIMessage("Roughly 12,345 on 1 May 1999."))
        answer = assistant.ask("How many emails?")
        assert answer["answered"] is True
        assert answer["answer"] == f"interactions: {EMAILS}"
        (entry,) = assistant.research_log.recent(1)
        assert len(entry.entry.plan["problems"]) == 2 and entry.entry.plan["problems"][1]

    def test_an_invalid_call_is_answered_with_its_problems_and_can_be_corrected(self):
        bad = {"dimensions": ["region"], "filters": [{"dimension": "channel", "values": ["Fax"]}]}
        good = {**EMAIL_QUERY, "filters": [*EMAIL_QUERY["filters"],
                {"dimension": "customer_type", "values": ["gold"]}]}  # fmt: skip
        assistant, model = assistant_with(
            call(bad), call(good, "c2"), AIMessage(f"{GOLD_EMAILS} Gold emails.")
        )
        answer = assistant.ask("How many Gold emails?")
        assert answer["figures"] == [{"label": "interactions", "value": GOLD_EMAILS}]
        error = model.requests[1][-1].text
        assert "'region'" in error and "'Fax'" in error
        assert len(answer["queries"]) == 1

    def test_an_answer_without_a_query_is_not_given(self):
        assistant, _ = assistant_with(AIMessage("About 40, I believe."))
        answer = assistant.ask("How many emails?")
        assert answer["answered"] is False and answer["figures"] == []
        assert "40" not in answer["answer"]


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_answer_text_counts_as_unbacked(text):
    assistant, _ = assistant_with(call(EMAIL_QUERY), AIMessage(text))
    assert assistant.ask("How many emails?")["answer"] == f"interactions: {EMAILS}"
