"""Every piece of generated text, kept so the business can audit what was produced."""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from repository.errors import NotFound

CONTENT_TYPES = ("email", "call_script", "summary")


@dataclass(frozen=True)
class NewContent:
    """A generation about to be stored."""

    customer_id: int
    content_type: str  # one of CONTENT_TYPES
    provider: str  # "mock", "openai", "ollama"; "none" when no model was asked
    model: str | None
    mock: bool  # True when the text was written by the mock model
    prompt_version: str | None
    sources: tuple[int, ...]  # ids of the interactions the text was grounded on
    content: str
    latency_ms: float  # time spent in the model, all attempts
    attempts: int  # model calls it took (0 when no model was asked)
    # What the caller asked for (tone, max_words, focus) and, for a summary, its facts.
    parameters: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, Any] | None = None


@dataclass(frozen=True)
class StoredContent(NewContent):
    """A stored generation, with the id and time the database gave it."""

    content_id: UUID = field(kw_only=True)
    created_at: datetime = field(kw_only=True)


class AbstractGeneratedContentRepository(ABC):
    """Store generations and read them back by id."""

    @abstractmethod
    def add(self, content: NewContent) -> StoredContent:
        """Store one generation and return it with its new id and creation time."""

    def get(self, content_id: UUID) -> StoredContent:
        """Return one stored generation.

        Raises:
            NotFound: nothing is stored under ``content_id``.
        """
        stored = self._get(content_id)
        if stored is None:
            raise NotFound(f"generated content {content_id} not found")
        return stored

    @abstractmethod
    def _get(self, content_id: UUID) -> StoredContent | None:
        """Return the generation, or None."""
