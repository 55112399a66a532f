"""Retrieve one customer's interactions as Documents, ranked for the task at hand.

The retriever is bound to a single customer id when it is built and asks the repository
for that customer's interactions only; it also refuses any row that names another
customer, so no other customer's data can reach a prompt even if a repository misbehaves.

Ranking is lexical, not by embeddings: the offline mock embeddings carry no meaning, and
the texts ranked here are a handful of short labels (topic, product, channel, sentiment).
Each interaction scores by how many of the query's words it carries, how recent it is
(halving every ``half_life_days`` before the customer's latest interaction, so the score
never depends on today's date), and whether it has a topic and a product to talk about.
"""

import re
from collections.abc import Iterable
from datetime import datetime

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from repository.customer_history import AbstractCustomerHistoryRepository
from repository.errors import InsightsError
from repository.model import UNKNOWN, Interaction

_WORD = re.compile(r"[a-z0-9]+")
# Words too common in a task query to say anything about relevance.
_STOP_WORDS = frozenset({"a", "an", "and", "about", "for", "in", "of", "on", "or", "the", "to"})


class ScopeViolation(InsightsError):
    """A repository returned an interaction of a customer other than the one asked for."""


def words(text: str | None) -> set[str]:
    """Return the lowercase words of ``text`` that can carry meaning."""
    return set(_WORD.findall((text or "").lower())) - _STOP_WORDS


def document_text(item: Interaction) -> str:
    """One line a model can read: date, channel, topic, sentiment and product."""
    product = item.product if item.product != UNKNOWN else None
    parts = [
        item.occurred_at.strftime("%Y-%m-%d %H:%M"),
        f"channel: {item.channel or 'not recorded'}",
        f"topic: {item.topic or 'not recorded'}",
        f"sentiment: {item.sentiment or 'not recorded'}",
        f"product: {product or 'not recorded'}",
    ]
    return "; ".join(parts)


def to_document(item: Interaction) -> Document:
    """Wrap one interaction as a Document whose metadata keeps every field."""
    metadata = {
        "id": item.id,
        "customer_id": item.customer_id,
        "date": item.occurred_at.isoformat(timespec="minutes"),
        "channel": item.channel,
        "topic": item.topic,
        "sentiment": item.sentiment,
        "product": item.product if item.product != UNKNOWN else None,
    }
    return Document(page_content=document_text(item), metadata=metadata, id=str(item.id))


class CustomerInteractionRetriever(BaseRetriever):
    """Return the most relevant and recent interactions of ``customer_id``, within a budget."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    repository: AbstractCustomerHistoryRepository
    customer_id: int
    # How many of the latest interactions are considered at all.
    candidate_limit: int = 200
    max_documents: int = 20
    # Characters of page content the prompt may carry, all documents together.
    max_chars: int = 3000
    half_life_days: float = 180.0
    # The latest interactions when already read (with the profile, in one checkout): the
    # repository is then not asked again. They are checked for scope all the same.
    candidates: tuple[Interaction, ...] | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        candidates = self.candidates
        if candidates is None:
            candidates = self.repository.recent_interactions(self.customer_id, self.candidate_limit)
        strangers = {item.customer_id for item in candidates} - {self.customer_id}
        if strangers:
            raise ScopeViolation(
                f"retrieval for customer {self.customer_id} returned other customers' rows"
            )
        ranked = rank(candidates, words(query), self.half_life_days)
        return self._within_budget([to_document(item) for item in ranked])

    def _within_budget(self, documents: list[Document]) -> list[Document]:
        kept, used = [], 0
        for document in documents[: self.max_documents]:
            used += len(document.page_content)
            if used > self.max_chars:
                break
            kept.append(document)
        return kept


def rank(
    items: Iterable[Interaction], query_words: set[str], half_life_days: float
) -> list[Interaction]:
    """Order interactions by relevance to ``query_words``, recency and substance."""
    items = list(items)
    if not items:
        return []
    latest = max(item.occurred_at for item in items)

    def score(item: Interaction) -> tuple[float, datetime, int]:
        product = item.product if item.product != UNKNOWN else None
        labels = words(" ".join(filter(None, (item.topic, product, item.channel, item.sentiment))))
        relevance = len(query_words & labels) / len(query_words) if query_words else 0.0
        age_days = (latest - item.occurred_at).total_seconds() / 86_400
        recency = 0.5 ** (age_days / half_life_days)
        substance = (item.topic is not None) * 0.2 + (item.product != UNKNOWN) * 0.1
        return (2.0 * relevance + recency + substance, item.occurred_at, item.id)

    return sorted(items, key=score, reverse=True)
