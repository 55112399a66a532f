"""Campaigns and their items: what a campaign is, who it writes to, and how items move.

An item moves pending -> written -> approved | rejected, or ends failed (the model's text
failed its checks, or the provider failed too often) or cancelled (the customer opted out,
or the campaign was cancelled). The PostgreSQL implementation is in campaigns_postgres.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from repository.generated_content import NewContent

# The queue and task every campaign batch job uses (pipelines/campaigns/tasks.py).
QUEUE = "campaigns"
BATCH_TASK = "campaigns.write_batch"
OPEN_STATUSES = ("queued", "running", "paused")
ITEM_STATUSES = ("pending", "written", "approved", "rejected", "failed", "cancelled")


@dataclass(frozen=True)
class Segment:
    """Which customers a campaign is for; an empty field matches everyone."""

    customer_types: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()  # discussed at least once, any of them
    last_contact_from: date | None = None
    last_contact_to: date | None = None  # inclusive
    min_interactions: int | None = None
    customer_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class NewCampaign:
    """A campaign as asked for, validated."""

    name: str
    content_type: str
    tone: str
    max_words: int
    segment: Segment
    prompt_versions: tuple[str, ...]
    created_by: str | None = None


@dataclass(frozen=True)
class SegmentCount:
    """How many customers a segment would write to, and how many it leaves out and why."""

    recipients: int
    excluded: dict[str, int]  # opted_out always; not_matched when ids were listed


@dataclass(frozen=True)
class Recipient:
    """One eligible customer and the prompt version (A/B arm) they were given."""

    customer_id: int
    customer_type: str
    prompt_version: str = ""


@dataclass(frozen=True)
class Campaign:
    """A stored campaign with its item counts."""

    id: int
    name: str
    content_type: str
    tone: str
    max_words: int
    segment: dict[str, Any]
    prompt_versions: list[str]
    status: str
    status_reason: str | None
    recipients: int
    excluded: dict[str, int]
    batches: int
    created_at: datetime
    finished_at: datetime | None
    counts: dict[str, int] = field(default_factory=dict)
    # When the first item was written and the latest one: throughput and ETA.
    first_written_at: datetime | None = None
    last_written_at: datetime | None = None


@dataclass(frozen=True)
class BatchWork:
    """What one batch job must write: the campaign's settings and its pending items."""

    campaign: Campaign
    cold_start: dict[str, str]
    items: list[Recipient]


@dataclass(frozen=True)
class WrittenItem:
    """A draft written for one item, with the focus it was written about."""

    customer_id: int
    focus: str | None
    focus_reason: str
    content: NewContent


@dataclass(frozen=True)
class FailedItem:
    """An item whose draft could not be written this time, and whether to try again."""

    customer_id: int
    error: str
    retry: bool  # a provider failure (retried with backoff); else the item fails now


@dataclass(frozen=True)
class BatchOutcome:
    """What a batch write left: items still pending in it, and the campaign's status."""

    pending: int
    status: str


@dataclass(frozen=True)
class Item:
    """One campaign item as listed and exported."""

    campaign_id: int
    customer_id: int
    customer_type: str
    prompt_version: str
    focus: str | None
    focus_reason: str | None
    status: str
    status_reason: str | None
    review_status: str | None
    review_reasons: list[Any] | None
    generation_id: UUID | None
    content: str | None
    subject: str | None  # the email's checked subject; None before subjects were stored
    attempts: int
    last_error: str | None
    note: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    written_at: datetime | None


@dataclass(frozen=True)
class ItemFilter:
    """Which items to list; None matches any."""

    status: str | None = None
    review_status: str | None = None
    customer_id: int | None = None


class AbstractCampaignRepository(ABC):
    """Create campaigns with their jobs, move their items, and read them back."""

    @abstractmethod
    def create(
        self,
        new: NewCampaign,
        batch_size: int,
        assign: Callable[[int, int], str],
        cold_start: Any = None,
    ) -> Campaign:
        """Store the campaign, one pending item per eligible customer and one job per batch,
        in one transaction; ``assign(campaign_id, customer_id)`` gives each item's arm."""

    @abstractmethod
    def preview(self, segment: Segment) -> SegmentCount:
        """Count the recipients and exclusions ``create`` would store, writing nothing."""

    @abstractmethod
    def get(self, campaign_id: int) -> Campaign:
        """Return one campaign with its counts. Raises NotFound."""

    @abstractmethod
    def all(self) -> list[Campaign]:
        """Return every campaign, newest first, with its counts."""

    @abstractmethod
    def start_batch(self, campaign_id: int, batch: int) -> BatchWork | None:
        """Return a batch's pending items, or None when the campaign is not running."""

    @abstractmethod
    def write_batch(
        self,
        campaign_id: int,
        batch: int,
        written: Sequence[WrittenItem],
        failed: Sequence[FailedItem],
        limits: dict[str, Any],
    ) -> BatchOutcome:
        """Store drafts and failures of one batch in one transaction (see the module)."""

    @abstractmethod
    def set_status(self, campaign_id: int, action: str) -> Campaign:
        """Pause, resume or cancel a campaign. Raises NotFound, Conflict."""

    @abstractmethod
    def items(
        self, campaign_id: int, where: ItemFilter, page: int, page_size: int
    ) -> tuple[list[Item], int]:
        """Return one page of a campaign's items by customer id, and their total."""

    @abstractmethod
    def review_item(
        self, campaign_id: int, customer_id: int, verdict: str, note: str | None, actor: str | None
    ) -> Item:
        """Approve or reject one written item. Raises NotFound, Conflict."""

    @abstractmethod
    def approve_clear(self, campaign_id: int, actor: str | None) -> int:
        """Approve every written item whose review is clear; return how many."""

    @abstractmethod
    def approved(self, campaign_id: int) -> list[Item]:
        """Return the approved items, by customer id (the export)."""

    @abstractmethod
    def cancel_pending_items(self, customer_id: int) -> int:
        """Cancel the customer's pending or unapproved items of open campaigns (an opt-out)."""
