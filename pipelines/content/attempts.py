"""One generation's text: ask the model, check the text, ask once more naming what was wrong.

A text passes when the output checks (pipelines/content/checks.py) find nothing and it uses
no restricted phrase of the policy; an email's subject line is checked beside it
(pipelines/content/subjects.py). A second text that still fails a check is rejected; one
whose only fault is a restricted phrase is returned with it, to be stored as blocked.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from pipelines.content.checks import Expectations, check_subject_line, check_text
from pipelines.content.errors import ModelOutputRejected
from pipelines.content.policy import Policy
from pipelines.content.prompts import PromptTemplate
from pipelines.content.subjects import derived_subject, split_subject
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
    subject: str | None = None  # an email's checked subject line (or the derived one)


def write_checked(
    draft: Draft,
    ask: Callable[[list[BaseMessage]], str],
    policy: Policy,
    vocabulary: Vocabulary,
    log: Callable[..., None],
) -> Written:
    """Return the draft's text from ``ask``, checked; ``log(event, **fields)`` hears retries.

    An email's ``Subject:`` line is split off and checked too. A bad subject asks for the
    same one regeneration as a bad body; if only the subject is still bad after it, the
    email keeps its body and gets the derived subject (a subject we can always write
    ourselves is no reason to lose a good email). A text without a subject line is not
    regenerated for it: it gets the derived subject at once.

    Raises:
        ModelOutputRejected: the second text still fails a check of its body.
    """
    attempt = _Attempt.of(ask(draft.messages), draft, policy, vocabulary)
    if attempt.passes():
        return attempt.written(1, draft.messages, draft, log)
    complaints = attempt.complaints()
    log("content_regenerating", problems=complaints)
    correction = HumanMessage(
        f"That text broke these rules: {'; '.join(complaints)}. "
        "Write it again, following every rule of the first message."
    )
    messages = [*draft.messages, AIMessage(attempt.raw), correction]
    attempt = _Attempt.of(ask(messages), draft, policy, vocabulary)
    if not attempt.problems:
        return attempt.written(2, messages, draft, log)
    complaints = attempt.complaints()
    log("content_rejected", problems=complaints)
    raise ModelOutputRejected(
        f"The language model's text failed its checks twice: {'; '.join(complaints)}."
    )


@dataclass(frozen=True)
class _Attempt:
    """One answer of the model, split into subject and body, with what is wrong with each."""

    raw: str
    subject: str | None
    body: str
    problems: list[str]
    restricted: list[str]
    subject_problems: list[str]

    @classmethod
    def of(cls, raw: str, draft: Draft, policy: Policy, vocabulary: Vocabulary) -> "_Attempt":
        subject, body = None, raw
        if draft.expected.content_type == "email":
            subject, body = split_subject(raw)
        subject_problems = []
        if subject is not None:
            subject_problems = check_subject_line(subject, draft.expected, vocabulary)
            subject_problems += map(_restricted_problem, policy.restricted_phrases(subject))
        problems = check_text(body, draft.expected, vocabulary)
        restricted = policy.restricted_phrases(body)
        return cls(raw, subject, body, problems, restricted, subject_problems)

    def passes(self) -> bool:
        return not (self.problems or self.restricted or self.subject_problems)

    def complaints(self) -> list[str]:
        return [*self.problems, *map(_restricted_problem, self.restricted), *self.subject_problems]

    def written(
        self, attempts: int, messages: list[BaseMessage], draft: Draft, log: Callable[..., None]
    ) -> Written:
        subject = self.subject
        if draft.expected.content_type != "email":
            return Written(self.body, attempts, messages, self.restricted)
        if subject is None or self.subject_problems:
            if self.subject_problems:
                log("subject_replaced", problems=self.subject_problems)
            subject = derived_subject(draft.parameters.get("focus"))
        return Written(self.body, attempts, messages, self.restricted, subject)


def _restricted_problem(phrase: str) -> str:
    return f"the text uses the restricted phrase {phrase!r}, which no reviewer has approved"
