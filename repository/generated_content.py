"""Every piece of generated text, kept in PostgreSQL so the business can audit what was produced."""

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, text

from repository.customers import check_page
from repository.engine import page_and_total, single_statements
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
    # The compliance review: clear, needs_review or blocked, why (JSON objects with a
    # "code"), and the policy version that decided. The defaults fit a text no model wrote.
    review_status: str = "clear"
    review_reasons: list[dict[str, Any]] = field(default_factory=list)
    policy_version: str | None = None
    # The exact messages ({role, content}) that produced the text, for replay; None when
    # no model was asked.
    messages: list[dict[str, str]] | None = None


@dataclass(frozen=True)
class ContentFilter:
    """Which stored generations to list; None means any. Days are UTC and inclusive."""

    review_status: str | None = None
    customer_id: int | None = None
    created_from: date | None = None
    created_to: date | None = None


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

    def matching(
        self, filters: ContentFilter, page: int, page_size: int
    ) -> tuple[list[StoredContent], int]:
        """Return one page of matching generations, newest first (ties by id), and their total.

        Raises:
            InvalidInput: a page or page size below 1.
        """
        check_page(page, page_size)
        return self._matching(filters, page_size, (page - 1) * page_size)

    @abstractmethod
    def _matching(
        self, filters: ContentFilter, limit: int, offset: int
    ) -> tuple[list[StoredContent], int]:
        """Return ``matching``'s page and total, both from one snapshot."""


def day_bounds(filters: ContentFilter) -> tuple[datetime | None, datetime | None]:
    """Return the filter's days as a UTC range: from its first instant to after its last."""
    start = end = None
    if filters.created_from is not None:
        start = datetime.combine(filters.created_from, time(), UTC)
    if filters.created_to is not None:
        end = datetime.combine(filters.created_to + timedelta(days=1), time(), UTC)
    return start, end


_COLUMNS = (
    "customer_id, content_type, provider, model, mock, prompt_version, sources, content, "
    "latency_ms, attempts, parameters, facts, review_status, review_reasons, policy_version, "
    "messages"
)
_INSERT = text(f"""
    INSERT INTO insights.generated_content ({_COLUMNS})
    VALUES (:customer_id, :content_type, :provider, :model, :mock, :prompt_version,
            CAST(:sources AS bigint[]), :content, :latency_ms, :attempts,
            CAST(:parameters AS jsonb), CAST(:facts AS jsonb), :review_status,
            CAST(:review_reasons AS jsonb), :policy_version, CAST(:messages AS jsonb))
    RETURNING id, created_at
""")  # nosec B608 # built from constants; values are bound
_SELECT = text(f"SELECT {_COLUMNS}, id, created_at FROM insights.generated_content WHERE id = :id")  # nosec B608 # built from constants; values are bound
_MATCHING = """
    FROM insights.generated_content
    WHERE (CAST(:review_status AS text) IS NULL OR review_status = :review_status)
      AND (CAST(:customer_id AS integer) IS NULL OR customer_id = :customer_id)
      AND (CAST(:start AS timestamptz) IS NULL OR created_at >= :start)
      AND (CAST(:end AS timestamptz) IS NULL OR created_at < :end)
"""
_LIST_COUNT = text(f"SELECT count(*) {_MATCHING}")  # nosec B608 # built from constants; values are bound
_LIST_PAGE = text(f"""
    SELECT {_COLUMNS}, id, created_at {_MATCHING}
    ORDER BY created_at DESC, id DESC
    LIMIT :limit OFFSET :offset
""")  # nosec B608 # built from constants; values are bound


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
            "review_reasons": json.dumps(content.review_reasons),
            "messages": None if content.messages is None else json.dumps(content.messages),
        }
        # One INSERT is atomic on its own: no BEGIN/COMMIT round trips around it.
        with single_statements(self._engine) as connection:
            content_id, created_at = connection.execute(_INSERT, params).one()
        return StoredContent(**vars(content), content_id=content_id, created_at=created_at)

    def _get(self, content_id: UUID) -> StoredContent | None:
        with single_statements(self._engine) as connection:
            row = connection.execute(_SELECT, {"id": content_id}).mappings().one_or_none()
        return None if row is None else _stored(row)

    def _matching(
        self, filters: ContentFilter, limit: int, offset: int
    ) -> tuple[list[StoredContent], int]:
        start, end = day_bounds(filters)
        params = {
            "review_status": filters.review_status,
            "customer_id": filters.customer_id,
            "start": start,
            "end": end,
            "limit": limit,
            "offset": offset,
        }
        rows, total = page_and_total(self._engine, _LIST_COUNT, _LIST_PAGE, params)
        return [_stored(row._mapping) for row in rows], total


def _stored(row: Any) -> StoredContent:
    fields = dict(row)
    content_id = fields.pop("id")
    sources = tuple(fields.pop("sources"))
    return StoredContent(**fields, sources=sources, content_id=content_id)
