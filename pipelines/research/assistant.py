"""Answer a research question from SQL, with the queries run and example interactions shown.

Under the mock model (the default) the deterministic planner turns the question into
semantic queries; with a real provider the model plans through tool calling over the same
query layer (tool_calling.py). Either way the answer, its plan and its figures are logged
and stored for audit.
"""

import logging
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any

from pipelines.content.providers import ChatProvider, build_chat_provider
from pipelines.research.answers import CITATIONS, compose
from pipelines.research.planner import NotAnswerable, plan_question
from repository.errors import ConfigurationError
from repository.research_log import AbstractResearchLogRepository, ResearchEntry
from repository.semantic import AbstractSemanticRepository, Citation

if TYPE_CHECKING:
    from repository.factory import Repositories

log = logging.getLogger(__name__)
PROMPT_TASK = "research"


@dataclass(frozen=True)
class ResearchPrompt:
    """The real model's instructions at one version ("research/v1")."""

    version: str
    system: str
    human: str


def load_research_prompt(prompts_dir: Path) -> ResearchPrompt:
    """Return the highest version of the research prompt.

    Raises:
        ConfigurationError: there is none, or it cannot be read.
    """
    folder = prompts_dir / PROMPT_TASK
    versions = sorted(folder.glob("v*.toml"), key=lambda p: int(p.stem[1:] or 0))
    if not versions:
        raise ConfigurationError(f"no research prompt in {folder}")
    try:
        spec = tomllib.loads(versions[-1].read_text(encoding="utf-8"))
        return ResearchPrompt(f"{PROMPT_TASK}/{versions[-1].stem}", spec["system"], spec["human"])
    except (OSError, KeyError, ValueError) as error:
        raise ConfigurationError(f"research prompt {versions[-1]} is unusable: {error!r}") from None


@dataclass(frozen=True)
class Outcome:
    """What either planner produced for one question."""

    answered: bool
    answer: str
    figures: list[dict[str, Any]]
    queries: list[dict[str, Any]]  # each: label, query (normalised), source
    data: list[dict[str, Any]]
    citations: list[Citation]
    plan: dict[str, Any]


def citation_dict(citation: Citation) -> dict[str, Any]:
    """Return a citation as the response shows it."""
    return {
        "id": citation.id,
        "date": citation.date.isoformat(),
        "customer": citation.customer,
        "channel": citation.channel,
        "topic": citation.topic,
    }


class ResearchAssistant:
    """Answer questions with one semantic repository, one model and one audit log."""

    def __init__(
        self,
        semantic: AbstractSemanticRepository,
        research_log: AbstractResearchLogRepository,
        provider: ChatProvider,
        prompt: ResearchPrompt,
    ) -> None:
        self.semantic = semantic
        self.research_log = research_log
        self.provider = provider
        self.prompt = prompt

    def ask(self, question: str) -> dict[str, Any]:
        """Answer ``question``, store the answer and its plan, and return the response."""
        started = perf_counter()
        if self.provider.mock:
            outcome = self.semantic.together(lambda: self.planned(question))
        else:
            from pipelines.research.tool_calling import answer_with_tools  # LangChain tools

            outcome = answer_with_tools(question, self.semantic, self.provider, self.prompt)
        elapsed = round((perf_counter() - started) * 1000)
        entry = ResearchEntry(
            question,
            outcome.answered,
            outcome.answer,
            outcome.plan,
            outcome.figures,
            tuple(c.id for c in outcome.citations),
            self.provider.model_name,
            self.provider.mock,
            self.prompt.version,
            elapsed,
        )
        entry_id = self.research_log.add(entry)
        log.info(
            "research question answered",
            extra={
                "research_id": entry_id,
                "answered": outcome.answered,
                "plan": outcome.plan,
                "duration_ms": elapsed,
            },
        )
        return {
            "id": entry_id,
            "question": question,
            "answered": outcome.answered,
            "answer": outcome.answer,
            "figures": outcome.figures,
            "queries": outcome.queries,
            "data": outcome.data,
            "citations": [citation_dict(c) for c in outcome.citations],
            "model": self.provider.model_name,
            "mock": self.provider.mock,
            "prompt_version": self.prompt.version,
        }

    def planned(self, question: str) -> Outcome:
        """Answer through the deterministic planner."""
        plan = plan_question(question, self.semantic.vocabulary(), self.semantic.customer_exists)
        if isinstance(plan, NotAnswerable):
            return Outcome(False, plan.reason, [], [], [], [], {"kind": "not_answerable"})
        results = [self.semantic.run(step.query) for step in plan.steps]
        composed = compose(plan, results)
        queries = [
            {"label": step.label, "query": step.query.as_dict(), "source": result.source}
            for step, result in zip(plan.steps, results, strict=True)
        ]
        data = [
            {**({"step": step.label} if len(results) > 1 else {}), **row}
            for step, result in zip(plan.steps, results, strict=True)
            for row in result.rows
        ]
        citations = self.citations(composed.evidence)
        plan_record = {"kind": plan.kind, "target": plan.target, "queries": queries}
        return Outcome(
            True, composed.answer, composed.figures, queries, data, citations, plan_record
        )

    def citations(self, evidence) -> list[Citation]:
        """Return up to CITATIONS distinct interactions from the evidence queries."""
        found: dict[int, Citation] = {}
        for query, count in evidence:
            for citation in self.semantic.examples(query, count):
                found.setdefault(citation.id, citation)
        return list(found.values())[:CITATIONS]


def build_research_assistant(
    config: Mapping[str, Any], repositories: "Repositories"
) -> ResearchAssistant | None:
    """Build the assistant over the app's repositories (None if they serve no research)."""
    if repositories.semantic is None or repositories.research_log is None:
        return None
    prompt = load_research_prompt(Path(config["PROMPTS_DIR"]))
    provider = build_chat_provider(config)
    return ResearchAssistant(repositories.semantic, repositories.research_log, provider, prompt)
