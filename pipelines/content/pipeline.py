"""Write grounded emails, call scripts and interaction summaries: the RAG pipeline.

For one customer: read their profile and summary facts (SQL), retrieve their most relevant
interactions (the retriever), render the task's versioned prompt with that data in
delimited blocks, ask the configured model, check its text, regenerate once if a check
fails, and store what was produced with its compliance review (pipelines/content/policy.py)
and the messages that produced it. Numbers never come from the model.
"""

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from time import perf_counter
from typing import Any

from langchain_core.messages import BaseMessage

from pipelines.content.attempts import Draft, Written, write_checked
from pipelines.content.checks import Expectations
from pipelines.content.context import context_blocks, salutation, summary_facts
from pipelines.content.errors import ContentBlocked
from pipelines.content.policy import BLOCKED, Policy, Review
from pipelines.content.prompts import PromptTemplate, data_block
from pipelines.content.providers import ChatProvider
from pipelines.content.replay import message_records
from pipelines.content.retrieval import CustomerInteractionRetriever
from pipelines.content.usage import NO_CALL, Price, Usage, cost, total, usage_of
from pipelines.metrics import GENERATIONS, count_check_failures, record_model_call
from repository.customer_history import (
    AbstractCustomerHistoryRepository,
    CustomerProfile,
    FlaggedInteraction,
)
from repository.generated_content import (
    AbstractGeneratedContentRepository,
    NewContent,
    StoredContent,
)
from repository.model import Interaction

log = logging.getLogger(__name__)

SUMMARY_MAX_WORDS = 120
_MIN_WORDS = {"email": 25, "call_script": 20, "summary": 6}


@dataclass(frozen=True)
class ContentRequest:
    """What the caller asked for; the API validates the values."""

    content_type: str = "email"  # email or call_script
    tone: str = "formal"  # formal or friendly
    max_words: int = 180
    focus: str | None = None  # words to favour when retrieving, e.g. "side effects"


class ContentPipeline:
    """Generate and store content with one model, one prompt library and two repositories."""

    def __init__(
        self,
        provider: ChatProvider,
        prompts: dict[str, PromptTemplate],
        history: AbstractCustomerHistoryRepository,
        generated: AbstractGeneratedContentRepository,
        retrieval: dict[str, Any] | None = None,
        prices: Mapping[str, Price] | None = None,
        *,
        policy: Policy,
    ) -> None:
        self.provider = provider
        self.policy = policy
        self.prompts = prompts
        self.history = history
        self.generated = generated
        # Retriever budget overrides (candidate_limit, max_documents, max_chars).
        self.retrieval = retrieval or {}
        # Per-million-token prices by model name; a model missing here is stored unpriced.
        self.prices = prices or {}

    def generate(self, customer_id: int, request: ContentRequest) -> StoredContent:
        """Write, check and store an email or call script for one customer.

        Raises:
            NotFound: the customer does not exist.
            ModelTimeout, Unavailable: the provider failed.
            ModelOutputRejected: the text failed its checks twice.
        """
        profile, recent = self.history.profile_and_recent(customer_id, self.candidate_limit())
        task = asdict(request)
        draft = self._draft(profile, task, request.max_words, request.focus, candidates=recent)
        return self._produce(draft)

    def summarize(self, customer_id: int, refresh: bool = False) -> StoredContent:
        """Return the customer's summary: the stored one if still valid, else a new one.

        A summary stays valid while the customer's data (their record and interactions,
        whatever the data version), the prompt version, the provider and the model stay
        the same; ``refresh`` writes a new one regardless. Raises as ``generate``.

        A customer without interactions gets a plain sentence and no model call: there is
        nothing to summarise, and nothing a model could add but invention.
        """
        if not refresh:
            provider, version = self.provider, self.prompts["summary"].version
            stored = self.generated.cached_summary(
                customer_id, version, provider.name, provider.model_name
            )
            if stored is not None:
                return stored
        profile, recent = self.history.profile_and_recent(customer_id, self.candidate_limit())
        facts = summary_facts(profile)
        if profile.summary.total_interactions == 0:
            return self._no_history_summary(customer_id, facts, profile.fingerprint)
        task = {"content_type": "summary", "max_words": SUMMARY_MAX_WORDS}
        draft = self._draft(profile, task, SUMMARY_MAX_WORDS, None, facts, candidates=recent)
        return self._produce(replace(draft, data_fingerprint=profile.fingerprint))

    def _no_history_summary(
        self, customer_id: int, facts: dict[str, Any], fingerprint: str
    ) -> StoredContent:
        return self.generated.add(
            NewContent(
                customer_id=customer_id,
                content_type="summary",
                provider="none",
                model=None,
                mock=False,
                prompt_version=None,
                sources=(),
                content=f"Customer {customer_id} has no recorded interactions.",
                latency_ms=0.0,
                attempts=0,
                facts=facts,
                data_fingerprint=fingerprint,
                input_tokens=NO_CALL.input_tokens,
                output_tokens=NO_CALL.output_tokens,
                cost=0.0,
            )
        )

    def draft_for(
        self,
        profile: CustomerProfile,
        recent: tuple[Interaction, ...],
        request: ContentRequest,
        prompt: PromptTemplate | None = None,
    ) -> Draft:
        """Prepare one customer's email or call script from data already read (a batch).

        ``prompt`` replaces the task's latest template (an A/B arm); a customer without
        interactions still gets the introduction prompt.
        """
        task = asdict(request)
        return self._draft(profile, task, request.max_words, request.focus, None, recent, prompt)

    def compose(self, draft: Draft, flagged: list[FlaggedInteraction]) -> NewContent:
        """Write, check and review a draft's text; return the row to store, not yet stored.

        Raises:
            ModelTimeout, Unavailable: the provider failed.
            ModelOutputRejected: the text failed its checks twice.
        """
        started = perf_counter()
        calls: list[Usage] = []
        written = self._write(draft, calls)
        latency_ms = round((perf_counter() - started) * 1000, 2)
        usage = total(calls)
        review = self.policy.review(written.restricted, flagged)
        GENERATIONS.labels(draft.expected.content_type, str(written.attempts), review.status).inc()
        return self._record(draft, written, latency_ms, usage, review)

    def _draft(
        self,
        profile: CustomerProfile,
        task: dict[str, Any],
        max_words: int,
        focus: str | None,
        facts: dict[str, Any] | None = None,
        candidates: tuple[Interaction, ...] | None = None,
        arm: PromptTemplate | None = None,
    ) -> Draft:
        customer_id, content_type = profile.customer.customer_id, task["content_type"]
        # No interactions, no pretence: a first contact gets its own introduction prompt.
        first_contact = profile.summary.total_interactions == 0 and content_type != "summary"
        prompt = self.prompts[f"{content_type}_introduction" if first_contact else content_type]
        if arm is not None and not first_contact:
            prompt = arm
        retriever = CustomerInteractionRetriever(
            repository=self.history, customer_id=customer_id, candidates=candidates,
            **self.retrieval,
        )  # fmt: skip
        documents = retriever.invoke(focus or prompt.retrieval_query)
        blocks, named, grounding = context_blocks(profile, documents, facts, not first_contact)
        expected = Expectations(
            content_type,
            customer_id,
            salutation(profile),
            _MIN_WORDS[content_type],
            max_words,
            named,
            grounding,
            first_contact,
        )
        messages = prompt.template.format_messages(task=data_block(task), **blocks)
        sources = tuple(int(document.metadata["id"]) for document in documents)
        return Draft(prompt, messages, expected, sources, task, facts)

    def _produce(self, draft: Draft) -> StoredContent:
        flagged = self.history.flagged_interactions(
            draft.expected.customer_id, self.policy.triggers, self.policy.window_months
        )
        record = self.compose(draft, flagged)
        stored = self.generated.add(record)
        event = "content_blocked" if record.review_status == BLOCKED else "content_generated"
        self._log(event, draft, attempts=record.attempts, model_latency_ms=record.latency_ms,
                  sources=len(draft.sources), review=record.review_status,
                  input_tokens=record.input_tokens, output_tokens=record.output_tokens)  # fmt: skip
        if record.review_status == BLOCKED:
            raise ContentBlocked(stored.content_id, self.policy.restricted_phrases(record.content))
        return stored

    def _record(
        self, draft: Draft, written: Written, latency_ms: float, usage: Usage, review: Review
    ) -> NewContent:
        return NewContent(
            customer_id=draft.expected.customer_id,
            content_type=draft.expected.content_type,
            provider=self.provider.name,
            model=self.provider.model_name,
            mock=self.provider.mock,
            prompt_version=draft.prompt.version,
            sources=draft.sources,
            content=written.text,
            subject=written.subject,
            latency_ms=latency_ms,
            attempts=written.attempts,
            parameters=draft.parameters,
            facts=draft.facts,
            review_status=review.status,
            review_reasons=list(review.reasons),
            policy_version=self.policy.version,
            messages=message_records(written.messages),
            data_fingerprint=draft.data_fingerprint,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            tokens_estimated=usage.estimated,
            cost=self._cost(usage),
        )

    def _write(self, draft: Draft, calls: list[Usage]) -> Written:
        """Ask for the draft's text, checked, regenerated once if needed (write_checked)."""
        return write_checked(
            draft,
            lambda messages: self._ask(messages, calls, draft.prompt.version),
            self.policy,
            self.history.vocabulary(),
            lambda event, **fields: self._log(event, draft, **fields),
        )

    def candidate_limit(self) -> int:
        """Return how many of the latest interactions a generation considers."""
        default = CustomerInteractionRetriever.model_fields["candidate_limit"].default
        return int(self.retrieval.get("candidate_limit", default))

    def _ask(self, messages: list[BaseMessage], calls: list[Usage], prompt_version: str) -> str:
        """Ask the model, note the call's tokens in ``calls`` and count it in the metrics."""
        provider = self.provider
        with record_model_call(provider.name, provider.model_name, prompt_version) as call:
            answer = self.provider.ask(messages)
            usage = usage_of(messages, answer, estimate=self.provider.mock)
            call.used(usage.input_tokens, usage.output_tokens, self._cost(usage))
        calls.append(usage)
        return answer.text.strip()

    def _cost(self, usage: Usage) -> float | None:
        # The mock runs in this process: it costs nothing, whatever its tokens.
        if self.provider.mock:
            return 0.0
        return cost(usage, self.provider.model_name, self.prices)

    def _log(self, event: str, draft: Draft, **fields: Any) -> None:
        expected = draft.expected
        count_check_failures(fields.get("problems", ()))
        log.log(
            logging.INFO if event == "content_generated" else logging.WARNING,
            "%s: %s for customer %s",
            event,
            expected.content_type,
            expected.customer_id,
            extra={
                "event": event,
                "customer_id": expected.customer_id,
                "content_type": expected.content_type,
                "provider": self.provider.name,
                "model": self.provider.model_name,
                "prompt_version": draft.prompt.version,
                **fields,
            },
        )
