"""One generation's text: ask the model, check the text, ask once more naming what was wrong.

A text passes when the output checks (pipelines/content/checks.py) find nothing and it uses
no restricted phrase of the policy. A second text that still fails a check is rejected; one
whose only fault is a restricted phrase is returned with it, to be stored as blocked.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from pipelines.content.checks import Expectations, check_text
from pipelines.content.errors import ModelOutputRejected
from pipelines.content.policy import Policy
from pipelines.content.prompts import PromptTemplate
from repository.customer_history import Vocabulary


@dataclass(frozen=True)
class Draft:
    """One generation about to be asked for: its prompt and what its text must satisfy."""

    prompt: PromptTemplate
    messages: list[BaseMessage]
    expected: Expectations
    sources: tuple[int, ...]
    parameters: dict[str, Any]
    facts: dict[str, Any] | None = None
    data_fingerprint: str | None = None  # set for summaries: what the summary cache matches


@dataclass(frozen=True)
class Written:
    """A text that passed its checks, and what it took."""

    text: str
    attempts: int
    messages: list[BaseMessage]  # the conversation that produced ``text``
    restricted: list[str]  # restricted phrases it still uses (then it is stored blocked)


def write_checked(
    draft: Draft,
    ask: Callable[[list[BaseMessage]], str],
    policy: Policy,
    vocabulary: Vocabulary,
    log: Callable[..., None],
) -> Written:
    """Return the draft's text from ``ask``, checked; ``log(event, **fields)`` hears retries.

    Raises:
        ModelOutputRejected: the second text still fails a check.
    """
    text = ask(draft.messages)
    problems, restricted = _problems(text, draft, policy, vocabulary)
    if not problems and not restricted:
        return Written(text, 1, draft.messages, [])
    complaints = [*problems, *map(_restricted_problem, restricted)]
    log("content_regenerating", problems=complaints)
    correction = HumanMessage(
        f"That text broke these rules: {'; '.join(complaints)}. "
        "Write it again, following every rule of the first message."
    )
    messages = [*draft.messages, AIMessage(text), correction]
    text = ask(messages)
    problems, restricted = _problems(text, draft, policy, vocabulary)
    if not problems:
        return Written(text, 2, messages, restricted)
    complaints = [*problems, *map(_restricted_problem, restricted)]
    log("content_rejected", problems=complaints)
    raise ModelOutputRejected(
        f"The language model's text failed its checks twice: {'; '.join(complaints)}."
    )


def _problems(
    text: str, draft: Draft, policy: Policy, vocabulary: Vocabulary
) -> tuple[list[str], list[str]]:
    """Return what the checks find wrong, and the restricted phrases the text uses."""
    return check_text(text, draft.expected, vocabulary), policy.restricted_phrases(text)


def _restricted_problem(phrase: str) -> str:
    return f"the text uses the restricted phrase {phrase!r}, which no reviewer has approved"
