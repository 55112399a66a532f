"""Campaigns in PostgreSQL: items and procrastinate jobs in the same transactions."""

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from repository import campaigns_sql as sql
from repository.campaigns import (
    BATCH_TASK,
    OPEN_STATUSES,
    QUEUE,
    AbstractCampaignRepository,
    BatchOutcome,
    BatchWork,
    Campaign,
    FailedItem,
    Item,
    ItemFilter,
    NewCampaign,
    Recipient,
    Segment,
    SegmentCount,
    WrittenItem,
)
from repository.customers import check_page
from repository.engine import single_statements
from repository.errors import Conflict, NotFound

# Which statuses each action may leave, and the status it sets.
_TRANSITIONS = {
    "pause": (("queued", "running"), "paused"),
    "resume": (("paused",), "running"),
    "cancel": (OPEN_STATUSES, "cancelled"),
}


class PostgresCampaignRepository(AbstractCampaignRepository):
    """Campaigns, their items and their queue jobs in one database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def recent_topics(self, days: int) -> list[tuple[str | None, str, int, datetime]]:
        """Return (customer type or None for all, topic, uses, last use) over the last
        ``days`` days of data: what the cold-start focus is chosen from."""
        with single_statements(self._engine) as connection:
            rows = connection.execute(sql.RECENT_TOPICS, {"days": days})
            return [(row[0], row[1], int(row[2]), row[3]) for row in rows]

    def create(
        self,
        new: NewCampaign,
        batch_size: int,
        assign: Callable[[int, int], str],
        cold_start: Any = None,
    ) -> Campaign:
        with self._engine.begin() as connection:
            eligible, excluded = _select(connection, new.segment)
            batches = -(-len(eligible) // batch_size)
            campaign_id = connection.execute(
                sql.INSERT_CAMPAIGN,
                {**asdict(new), "segment": json.dumps(asdict(new.segment), default=str),
                 "prompt_versions": list(new.prompt_versions),
                 "cold_start": json.dumps(cold_start or {}), "recipients": len(eligible),
                 "excluded": json.dumps(excluded), "batch_size": batch_size,
                 "batches": batches},
            ).scalar_one()  # fmt: skip
            connection.execute(
                sql.INSERT_ITEMS,
                {
                    "campaign_id": campaign_id,
                    "ids": [r.customer_id for r in eligible],
                    "batches": [n // batch_size for n in range(len(eligible))],
                    "types": [r.customer_type for r in eligible],
                    "versions": [assign(campaign_id, r.customer_id) for r in eligible],
                },
            )
            _defer(connection, campaign_id, list(range(batches)), 0.0)
        return self.get(campaign_id)

    def preview(self, segment: Segment) -> SegmentCount:
        # Read only: the same selection as create, in a transaction that writes nothing.
        with self._engine.connect() as connection:
            eligible, excluded = _select(connection, segment)
            connection.rollback()
        return SegmentCount(len(eligible), excluded)

    def defer_batch(self, campaign_id: int, batch: int, delay_s: float) -> None:
        """Enqueue a batch's job again, to run after ``delay_s`` seconds (a retry)."""
        with self._engine.begin() as connection:
            _defer(connection, campaign_id, [batch], delay_s)

    def get(self, campaign_id: int) -> Campaign:
        with single_statements(self._engine) as connection:
            row = connection.execute(sql.GET_CAMPAIGN, {"campaign_id": campaign_id}).one_or_none()
        if row is None:
            raise NotFound(f"No campaign has id {campaign_id}.", field="campaign_id")
        return _campaign(row)

    def all(self) -> list[Campaign]:
        with single_statements(self._engine) as connection:
            return [_campaign(row) for row in connection.execute(sql.LIST_CAMPAIGNS)]

    def start_batch(self, campaign_id: int, batch: int) -> BatchWork | None:
        with self._engine.begin() as connection:
            connection.execute(sql.START, {"id": campaign_id})
            row = connection.execute(sql.GET_CAMPAIGN, {"campaign_id": campaign_id}).one_or_none()
            if row is None or row.status != "running":
                return None
            params = {"campaign_id": campaign_id, "batch": batch}
            items = [Recipient(*item) for item in connection.execute(sql.PENDING_OF_BATCH, params)]
        return BatchWork(_campaign(row), dict(row.cold_start), items)

    def write_batch(
        self,
        campaign_id: int,
        batch: int,
        written: Sequence[WrittenItem],
        failed: Sequence[FailedItem],
        limits: dict[str, Any],
    ) -> BatchOutcome:
        ids = [item.customer_id for item in written] + [item.customer_id for item in failed]
        base = {"campaign_id": campaign_id, "ids": ids}
        with self._engine.begin() as connection:
            connection.execute(sql.CANCEL_OPTED_OUT, base)
            writable = list(connection.execute(sql.LOCK_WRITABLE, base).scalars())
            if written:
                drafts = json.dumps([_draft_json(item) for item in written], default=str)
                connection.execute(
                    sql.WRITE_DRAFTS, {**base, "drafts": drafts, "writable": writable}
                )
            if failed:
                rows = json.dumps([asdict(item) for item in failed])
                connection.execute(
                    sql.RECORD_FAILURES,
                    {**base, "failed": rows, "max_attempts": limits["max_attempts"]},
                )
            provider_failures = [item for item in failed if item.retry]
            reason = None
            if provider_failures:
                reason = (
                    f"paused after {limits['max_consecutive_failures']} consecutive provider "
                    f"failures; the last: {provider_failures[-1].error}"
                )
            connection.execute(
                sql.COUNT_FAILURES,
                {**base, "successes": len(written), "failures": len(provider_failures),
                 "limit": limits["max_consecutive_failures"], "reason": reason},
            )  # fmt: skip
        with single_statements(self._engine) as connection:
            connection.execute(sql.COMPLETE, base)
            status, pending = connection.execute(sql.BATCH_LEFT, {**base, "batch": batch}).one()
        return BatchOutcome(int(pending), status)

    def set_status(self, campaign_id: int, action: str) -> Campaign:
        current = self.get(campaign_id)
        from_statuses, to_status = _TRANSITIONS[action]
        params = {"campaign_id": campaign_id, "to_status": to_status,
                  "from_statuses": list(from_statuses),
                  "reason": "paused on request" if action == "pause" else None}  # fmt: skip
        with self._engine.begin() as connection:
            if action == "cancel":  # items first: the lock order every writer follows
                connection.execute(sql.CANCEL_ITEMS, params)
            if connection.execute(sql.SET_STATUS, params).one_or_none() is None:
                raise Conflict(
                    f"Campaign {campaign_id} is {current.status}: it cannot {action}.",
                    field="status",
                )
            if action == "resume":
                batches = list(connection.execute(sql.PENDING_BATCHES, params).scalars())
                _defer(connection, campaign_id, batches, 0.0)
        return self.get(campaign_id)

    def items(
        self, campaign_id: int, where: ItemFilter, page: int, page_size: int
    ) -> tuple[list[Item], int]:
        check_page(page, page_size)
        self.get(campaign_id)
        params = {**asdict(where), "campaign_id": campaign_id, "limit": page_size,
                  "offset": (page - 1) * page_size}  # fmt: skip
        with single_statements(self._engine) as connection:
            total = connection.execute(sql.ITEMS_COUNT, params).scalar_one()
            rows = connection.execute(sql.ITEMS_PAGE, params).all()
        return [Item(*row) for row in rows], int(total)

    def review_item(
        self, campaign_id: int, customer_id: int, verdict: str, note: str | None, actor: str | None
    ) -> Item:
        params = {"campaign_id": campaign_id, "customer_id": customer_id, "verdict": verdict,
                  "note": note, "actor": actor}  # fmt: skip
        with self._engine.begin() as connection:
            row = connection.execute(sql.ITEM_FOR_REVIEW, params).one_or_none()
            if row is None:
                self.get(campaign_id)  # an unknown campaign says so
                raise NotFound(
                    f"Campaign {campaign_id} has no item for customer {customer_id}.",
                    field="customer_id",
                )
            _check_review(row, verdict, customer_id)
            return Item(*connection.execute(sql.REVIEW_ITEM, params).one())

    def approve_clear(self, campaign_id: int, actor: str | None) -> int:
        campaign = self.get(campaign_id)
        if campaign.status == "cancelled":
            raise Conflict(f"Campaign {campaign_id} is cancelled.", field="status")
        with self._engine.begin() as connection:
            params = {"campaign_id": campaign_id, "actor": actor}
            return connection.execute(sql.APPROVE_CLEAR, params).rowcount

    def approved(self, campaign_id: int) -> list[Item]:
        self.get(campaign_id)
        with single_statements(self._engine) as connection:
            rows = connection.execute(sql.APPROVED, {"campaign_id": campaign_id})
            return [Item(*row) for row in rows]

    def cancel_pending_items(self, customer_id: int) -> int:
        with self._engine.begin() as connection:
            result = connection.execute(sql.CANCEL_CUSTOMER, {"customer_id": customer_id})
            return result.rowcount


def _defer(connection: Connection, campaign_id: int, batches: list[int], delay_s: float) -> None:
    if batches:
        params = {"queue": QUEUE, "task": BATCH_TASK, "campaign_id": campaign_id,
                  "batches": batches, "delay_s": delay_s}  # fmt: skip
        connection.execute(sql.DEFER_BATCHES, params)


def _select(connection: Connection, segment: Segment) -> tuple[list[Recipient], dict[str, int]]:
    """Return a segment's recipients (opted-out customers left out) and the exclusion counts."""
    rows = connection.execute(sql.ELIGIBLE, _segment_params(segment)).all()
    eligible = [Recipient(row.customer_id, row.customer_type) for row in rows
                if not row.opted_out]  # fmt: skip
    excluded = {"opted_out": len(rows) - len(eligible)}
    if segment.customer_ids:
        excluded["not_matched"] = len(set(segment.customer_ids)) - len(rows)
    return eligible, excluded


def _segment_params(segment: Segment) -> dict[str, Any]:
    return {
        "types": list(segment.customer_types) or None,
        "ids": list(segment.customer_ids) or None,
        "topics": list(segment.topics) or None,
        "min_interactions": segment.min_interactions or 0,
        "last_from": segment.last_contact_from,
        "last_to": segment.last_contact_to,
    }


def _check_review(row: Any, verdict: str, customer_id: int) -> None:
    """Refuse a review the item's state does not allow (Conflict)."""
    if row.campaign_status == "cancelled":
        raise Conflict("The campaign is cancelled: its items cannot be reviewed.", field="status")
    if row.status not in ("written", "approved", "rejected"):
        raise Conflict(f"The item is {row.status}: only a written item can be reviewed.",
                       field="status")  # fmt: skip
    if verdict == "approved" and row.review_status == "blocked":
        raise Conflict("The item's text is blocked by the compliance review: it can never be "
                       "approved.", field="review_status")  # fmt: skip
    if verdict == "approved" and row.opted_out:
        raise Conflict(f"Customer {customer_id} has opted out: the item cannot be approved.",
                       field="customer_id")  # fmt: skip


def _draft_json(item: WrittenItem) -> dict[str, Any]:
    content = item.content
    return {**vars(content), "sources": list(content.sources), "focus": item.focus,
            "focus_reason": item.focus_reason}  # fmt: skip


def _campaign(row: Any) -> Campaign:
    return Campaign(
        id=row.id, name=row.name, content_type=row.content_type, tone=row.tone,
        max_words=row.max_words, segment=row.segment, prompt_versions=list(row.prompt_versions),
        status=row.status, status_reason=row.status_reason, recipients=row.recipients,
        excluded=row.excluded, batches=row.batches, created_at=row.created_at,
        finished_at=row.finished_at, counts=dict(row.counts or {}),
        first_written_at=row.first_written_at, last_written_at=row.last_written_at,
    )  # fmt: skip
