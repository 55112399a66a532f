"""Replay a stored generation: send its exact messages to the model again and compare.

Each generation stores the messages that produced its final text as ``{role, content}``
records (the conversation with the correction when it took two attempts), so the
request can be rebuilt byte for byte whatever prompt version is current today.
"""

import difflib
from dataclasses import dataclass, replace

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from pipelines.content.providers import ChatProvider
from pipelines.content.subjects import split_subject
from repository.errors import InvalidInput
from repository.generated_content import StoredContent

_ROLES: dict[str, type[BaseMessage]] = {
    "system": SystemMessage,
    "user": HumanMessage,
    "assistant": AIMessage,
}


def message_records(messages: list[BaseMessage]) -> list[dict[str, str]]:
    """Return the messages as JSON-ready ``{role, content}`` records, in order."""
    records = []
    for message in messages:
        role = next(name for name, kind in _ROLES.items() if isinstance(message, kind))
        if not isinstance(message.content, str):
            raise TypeError(f"a {role} message with non-text content cannot be stored")
        records.append({"role": role, "content": message.content})
    return records


def rebuild_messages(records: list[dict[str, str]]) -> list[BaseMessage]:
    """Return the messages ``message_records`` described."""
    return [_ROLES[record["role"]](content=record["content"]) for record in records]


@dataclass(frozen=True)
class Replay:
    """A stored text, the text the model writes today from the same messages, and the diff."""

    stored: str
    replayed: str
    diff: list[str]

    @property
    def identical(self) -> bool:
        return self.stored == self.replayed


def replay(stored: StoredContent, provider: ChatProvider) -> Replay:
    """Ask ``provider`` again with the stored messages and diff its text with the stored one.

    Raises:
        InvalidInput: no model wrote this text (nothing to replay).
        ModelTimeout, Unavailable: the provider failed.
    """
    if not stored.messages:
        raise InvalidInput(
            f"generated content {stored.content_id} was not written by a model "
            f"(provider {stored.provider!r}): nothing to replay"
        )
    # The pipeline stores the answer stripped; compare like with like.
    text = provider.ask(rebuild_messages(stored.messages)).text.strip()
    subject, body = split_subject(text) if stored.content_type == "email" else (None, text)
    if subject is None or stored.subject is None:
        # Nothing stored, or nothing written, to compare a subject with: compare the bodies.
        text = body
    else:
        stored = replace(stored, content=f"Subject: {stored.subject}\n\n{stored.content}")
    diff = difflib.unified_diff(
        stored.content.splitlines(keepends=True),
        text.splitlines(keepends=True),
        fromfile=f"stored {stored.content_id} ({stored.provider}/{stored.model})",
        tofile=f"replayed ({provider.name}/{provider.model_name})",
    )
    return Replay(stored.content, text, list(diff))
