"""Write grounded emails, call scripts and interaction summaries: the RAG pipeline.

For one customer: read their profile and summary facts (SQL), retrieve their most relevant
interactions (the retriever), render the task's versioned prompt with that data in
delimited blocks, ask the configured model, check its text, regenerate once if a check
fails, and store what was produced. Numbers never come from the model.
"""

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from time import perf_counter
from typing import Any

from langchain_core.documents import Document
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from pipelines.content_checks import Expectations, check_text
from pipelines.llm_providers import ChatProvider, build_chat_provider
from pipelines.prompts import PromptTemplate, data_block, load_prompts
from pipelines.retrieval import CustomerInteractionRetriever
from repository.errors import ModelOutputRejected
from repository.generated_content import (
    AbstractGeneratedContentRepository,
    NewContent,
    StoredContent,
)
from repository.interactions import AbstractInteractionRepository, CustomerProfile

log = logging.getLogger(__name__)

SUMMARY_MAX_WORDS = 120
# Products shown in the customer record; more would crowd the prompt for little gain.
MAX_PRODUCTS = 10
_MIN_WORDS = {"email": 25, "call_script": 20, "summary": 6}


@dataclass(frozen=True)
class ContentRequest:
    """What the caller asked for; the API validates the values."""

    content_type: str = "email"  # email or call_script
    tone: str = "formal"  # formal or friendly
    max_words: int = 180
    focus: str | None = None  # words to favour when retrieving, e.g. "side effects"


def salutation(profile: CustomerProfile) -> str:
    """How the text addresses the customer: their occupation, else "Customer <id>"."""
    return profile.customer.occupation or f"Customer {profile.customer.customer_id}"


def summary_facts(profile: CustomerProfile) -> dict[str, Any]:
    """The summary numbers and lists as plain JSON-ready values."""
    summary = profile.summary
    last = summary.last_interaction
    return {
        "total_interactions": summary.total_interactions,
        "most_frequent_channel": summary.most_frequent_channel,
        "last_interaction": None
        if last is None
        else {
            "date": last.occurred_at.date().isoformat(),
            "channel": last.channel,
            "topic": last.topic,
        },
        "key_topics": list(summary.key_topics),
    }


class ContentPipeline:
    """Generate and store content with one model, one prompt library and two repositories."""

    def __init__(
        self,
        provider: ChatProvider,
        prompts: dict[str, PromptTemplate],
        interactions: AbstractInteractionRepository,
        generated: AbstractGeneratedContentRepository,
        retrieval: dict[str, Any] | None = None,
    ) -> None:
        self.provider = provider
        self.prompts = prompts
        self.interactions = interactions
        self.generated = generated
        # Retriever budget overrides (candidate_limit, max_documents, max_chars).
        self.retrieval = retrieval or {}

    def generate(self, customer_id: int, request: ContentRequest) -> StoredContent:
        """Write, check and store an email or call script for one customer.

        Raises:
            NotFound: the customer does not exist.
            ModelTimeout, Unavailable: the provider failed.
            ModelOutputRejected: the text failed its checks twice.
        """
        profile = self.interactions.profile(customer_id)
        prompt = self.prompts[request.content_type]
        documents = self._retrieve(customer_id, request.focus or prompt.retrieval_query)
        task = {**asdict(request)}
        text, allowed = self._render_inputs(profile, documents)
        messages = prompt.template.format_messages(task=data_block(task), **text)
        expected = Expectations(
            request.content_type,
            customer_id,
            salutation(profile),
            _MIN_WORDS[request.content_type],
            request.max_words,
            allowed,
        )
        return self._write_and_store(messages, expected, prompt, documents, parameters=task)

    def summarize(self, customer_id: int) -> StoredContent:
        """Write and store the summary of a customer's interactions.

        A customer without interactions gets a plain sentence and no model call: there is
        nothing to summarise, and nothing a model could add but invention.
        """
        profile = self.interactions.profile(customer_id)
        facts = summary_facts(profile)
        if profile.summary.total_interactions == 0:
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
                )
            )
        prompt = self.prompts["summary"]
        documents = self._retrieve(customer_id, prompt.retrieval_query)
        task = {"content_type": "summary", "max_words": SUMMARY_MAX_WORDS}
        text, allowed = self._render_inputs(profile, documents)
        messages = prompt.template.format_messages(
            task=data_block(task), summary_facts=data_block(facts), **text
        )
        named_in_facts = set(profile.summary.key_topics)
        if profile.summary.last_interaction and profile.summary.last_interaction.topic:
            named_in_facts.add(profile.summary.last_interaction.topic)
        expected = Expectations(
            "summary",
            customer_id,
            salutation(profile),
            _MIN_WORDS["summary"],
            SUMMARY_MAX_WORDS,
            allowed | named_in_facts,
        )
        return self._write_and_store(
            messages, expected, prompt, documents, parameters=task, facts=facts
        )

    def _retrieve(self, customer_id: int, query: str) -> list[Document]:
        retriever = CustomerInteractionRetriever(
            repository=self.interactions, customer_id=customer_id, **self.retrieval
        )
        return retriever.invoke(query)

    def _render_inputs(
        self, profile: CustomerProfile, documents: list[Document]
    ) -> tuple[dict[str, str], frozenset[str]]:
        """Return the prompt's data blocks and every topic and product they name."""
        products = list(profile.products[:MAX_PRODUCTS])
        record = {
            "customer_id": profile.customer.customer_id,
            "salutation": salutation(profile),
            "customer_type": profile.customer.customer_type,
            "products_discussed": products,
        }
        # Newest first reads as a timeline; the retriever's order only chose what to keep.
        history = sorted(
            (doc.metadata for doc in documents), key=lambda m: (m["date"], m["id"]), reverse=True
        )
        history = [{k: v for k, v in item.items() if k != "customer_id"} for item in history]
        named = {item[key] for item in history for key in ("topic", "product") if item[key]}
        blocks = {"customer_record": data_block(record), "interaction_history": data_block(history)}
        return blocks, frozenset(named | set(products))

    def _write_and_store(
        self,
        messages: list[BaseMessage],
        expected: Expectations,
        prompt: PromptTemplate,
        documents: list[Document],
        parameters: dict[str, Any],
        facts: dict[str, Any] | None = None,
    ) -> StoredContent:
        started = perf_counter()
        text, attempts = self._write(messages, expected, prompt.version)
        latency_ms = round((perf_counter() - started) * 1000, 2)
        stored = self.generated.add(
            NewContent(
                customer_id=expected.customer_id,
                content_type=expected.content_type,
                provider=self.provider.name,
                model=self.provider.model_name,
                mock=self.provider.mock,
                prompt_version=prompt.version,
                sources=tuple(int(doc.metadata["id"]) for doc in documents),
                content=text,
                latency_ms=latency_ms,
                attempts=attempts,
                parameters=parameters,
                facts=facts,
            )
        )
        self._log(
            "content_generated",
            expected,
            prompt.version,
            attempts=attempts,
            model_latency_ms=latency_ms,
            sources=len(documents),
        )
        return stored

    def _write(
        self, messages: list[BaseMessage], expected: Expectations, prompt_version: str
    ) -> tuple[str, int]:
        """Ask the model; on a failed check ask once more, naming what was wrong."""
        vocabulary = self.interactions.vocabulary()
        text = self.provider.ask(messages).text.strip()
        problems = check_text(text, expected, vocabulary)
        if not problems:
            return text, 1
        self._log("content_regenerating", expected, prompt_version, problems=problems)
        correction = HumanMessage(
            "That text broke these rules: " + "; ".join(problems) + ". Write it again, "
            "following every rule of the first message."
        )
        text = self.provider.ask([*messages, AIMessage(text), correction]).text.strip()
        problems = check_text(text, expected, vocabulary)
        if not problems:
            return text, 2
        self._log("content_rejected", expected, prompt_version, problems=problems)
        raise ModelOutputRejected(
            "The language model's text failed its checks twice: " + "; ".join(problems) + "."
        )

    def _log(self, event: str, expected: Expectations, prompt_version: str, **fields: Any) -> None:
        level = logging.WARNING if event != "content_generated" else logging.INFO
        log.log(
            level,
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
                "prompt_version": prompt_version,
                **fields,
            },
        )


def build_content_pipeline(
    config: Mapping[str, Any],
    interactions: AbstractInteractionRepository,
    generated: AbstractGeneratedContentRepository,
) -> ContentPipeline:
    """Build the pipeline with the provider and prompts that ``config`` names."""
    return ContentPipeline(
        build_chat_provider(config), load_prompts(config["PROMPTS_DIR"]), interactions, generated
    )
