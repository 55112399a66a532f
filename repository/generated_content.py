"""Every piece of generated text, kept in PostgreSQL so the business can audit what was produced."""

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, text

from repository.engine import single_statements
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


_COLUMNS = (
    "customer_id, content_type, provider, model, mock, prompt_version, sources, content, "
    "latency_ms, attempts, parameters, facts"
)
_INSERT = text(f"""
    INSERT INTO insights.generated_content ({_COLUMNS})
    VALUES (:customer_id, :content_type, :provider, :model, :mock, :prompt_version,
            CAST(:sources AS bigint[]), :content, :latency_ms, :attempts,
            CAST(:parameters AS jsonb), CAST(:facts AS jsonb))
    RETURNING id, created_at
""")  # nosec B608 # built from constants; values are bound
_SELECT = text(f"SELECT {_COLUMNS}, id, created_at FROM insights.generated_content WHERE id = :id")  # nosec B608 # built from constants; values are bound


class PostgresGeneratedContentRepository(AbstractGeneratedContentRepository):
    """Generations kept in ``insights.generated_content``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, content: NewContent) -> StoredContent:
        params: dict[str, Any] = {
            **vars(content),
            "sources": list(content.sources),
            "parameters": json.dumps(content.parameters),
            "facts": None if content.facts is None else json.dumps(content.facts),
        }
        # One INSERT is atomic on its own: no BEGIN/COMMIT round trips around it.
        with single_statements(self._engine) as connection:
            content_id, created_at = connection.execute(_INSERT, params).one()
        return StoredContent(**vars(content), content_id=content_id, created_at=created_at)

    def _get(self, content_id: UUID) -> StoredContent | None:
        with single_statements(self._engine) as connection:
            row = connection.execute(_SELECT, {"id": content_id}).mappings().one_or_none()
        if row is None:
            return None
        fields = dict(row)
        content_id = fields.pop("id")
        sources = tuple(fields.pop("sources"))
        return StoredContent(**fields, sources=sources, content_id=content_id)
