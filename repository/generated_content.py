"""Every piece of generated text, kept so the business can audit what was produced: the
interface, its records and filters (the PostgreSQL implementation is generated_content_postgres)."""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from repository.customers import check_page
from repository.errors import InvalidInput, NotFound

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

    # For a summary: the fingerprint of the customer's data it was written from (see
    # CustomerProfile.fingerprint), which the summary cache matches. None: never reused.
    data_fingerprint: str | None = None
    # Summed over every model call; None when the provider did not report them.
    input_tokens: int | None = None
    output_tokens: int | None = None
    tokens_estimated: bool = False  # counted by the service (the mock), not the provider
    cost: float | None = None  # from the configured price table; None for an unpriced model
    # An email's checked subject line; None for other types and emails stored before subjects.
    subject: str | None = None


@dataclass(frozen=True)
class ContentFilter:
    """Which stored generations to list; None means any. Days are UTC and inclusive."""

    review_status: str | None = None
    customer_id: int | None = None
    created_from: date | None = None
    created_to: date | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class StoredContent(NewContent):
    """A stored generation, with the id and time the database gave it."""

    content_id: UUID = field(kw_only=True)
    created_at: datetime = field(kw_only=True)
    # True when this request was answered with an earlier generation (the summary cache).
    cached: bool = field(default=False, kw_only=True)


USAGE_GROUPS = ("model", "prompt_version", "content_type")


@dataclass(frozen=True)
class UsageRow:
    """Totals of the generations of one group (``key`` None: the column was empty)."""

    key: str | None
    generations: int
    input_tokens: int
    output_tokens: int
    without_tokens: int  # generations whose provider reported no usage
    tokens_estimated: bool  # some counts were estimated by the service
    cost: float
    unpriced: int  # generations without a cost (a model missing from the price table)


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

    @abstractmethod
    def cached_summary(
        self, customer_id: int, prompt_version: str | None, provider: str, model: str | None
    ) -> StoredContent | None:
        """Return the newest summary still valid for this customer and writer, or None.

        Valid: written from the customer's current fingerprint by this prompt version,
        provider and model, or without a model (a customer without interactions, whose
        fingerprint then says they still have none). Returned marked ``cached``.
        """

    def usage(
        self, since: datetime | None, until: datetime | None, group_by: str
    ) -> list[UsageRow]:
        """Return usage totals of generations created in [since, until), one row per group.

        Raises:
            InvalidInput: ``group_by`` is not one of USAGE_GROUPS.
        """
        if group_by not in USAGE_GROUPS:
            raise InvalidInput(f"group_by must be one of {', '.join(USAGE_GROUPS)}")
        return self._usage(since, until, group_by)

    @abstractmethod
    def _usage(
        self, since: datetime | None, until: datetime | None, group_by: str
    ) -> list[UsageRow]:
        """Return the groups' totals, ordered by key (None last)."""


def day_bounds(filters: ContentFilter) -> tuple[datetime | None, datetime | None]:
    """Return the filter's days as a UTC range: from its first instant to after its last."""
    start = end = None
    if filters.created_from is not None:
        start = datetime.combine(filters.created_from, time(), UTC)
    if filters.created_to is not None:
        end = datetime.combine(filters.created_to + timedelta(days=1), time(), UTC)
    return start, end
