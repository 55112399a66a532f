"""Replaying a stored generation: the messages rebuilt exactly, the diff of the texts."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from pipelines.content.providers import ChatProvider
from pipelines.content.replay import message_records, rebuild_messages, replay
from repository.errors import InvalidInput
from repository.generated_content import StoredContent
from tests.fakes import ScriptedChatModel

CONVERSATION = [
    SystemMessage('Rules <task>\n{"a": 1}\n</task>'),
    HumanMessage("Data with trailing spaces and ünïcode  \n"),
    AIMessage("Dear Batman, a first try."),
    HumanMessage("That text broke these rules: x. Write it again."),
]


def stored(text: str, messages) -> StoredContent:
    return StoredContent(
        customer_id=2,
        content_type="email",
        provider="openai",
        model="fake-model",
        mock=False,
        prompt_version="email/v1",
        sources=(21,),
        content=text,
        latency_ms=3.0,
        attempts=2,
        messages=messages,
        content_id=uuid4(),
        created_at=datetime.now(UTC),
    )


def provider(*texts: str) -> tuple[ChatProvider, ScriptedChatModel]:
    model = ScriptedChatModel(texts=list(texts))
    return ChatProvider("scripted", "scripted-1", False, model), model


def test_records_keep_roles_and_every_byte_of_content():
    records = message_records(CONVERSATION)
    assert [r["role"] for r in records] == ["system", "user", "assistant", "user"]
    assert rebuild_messages(records) == CONVERSATION


def test_a_two_attempt_generation_replays_the_conversation_that_produced_it():
    chat, model = provider("Dear Batman,\nsecond try.")
    outcome = replay(stored("Dear Batman,\nsecond try.", message_records(CONVERSATION)), chat)
    assert model.requests == [CONVERSATION]
    assert outcome.identical and outcome.diff == []


def test_a_different_answer_gives_a_unified_diff_of_the_changed_lines():
    chat, _ = provider("  Dear Batman,\nthird try.\n")
    outcome = replay(stored("Dear Batman,\nsecond try.", message_records(CONVERSATION)), chat)
    assert not outcome.identical
    assert outcome.replayed == "Dear Batman,\nthird try."  # stripped, as the pipeline stores
    changed = [line for line in outcome.diff[2:] if line[:1] in "+-"]
    assert changed == ["-second try.", "+third try."]


@pytest.mark.parametrize("messages", [None, []])
def test_a_text_without_messages_cannot_be_replayed(messages):
    chat, model = provider("anything")
    with pytest.raises(InvalidInput, match="nothing to replay"):
        replay(stored("Customer 2 has no recorded interactions.", messages), chat)
    assert model.requests == []
