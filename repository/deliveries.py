"""Deliveries of approved campaign items: one row per (campaign, customer), sent once.

A row moves queued -> sending -> sent | failed, or skipped (opted out or suppressed by
send time). ``sending`` is committed before the message goes out; a batch that starts and
finds a row still ``sending`` marks it ``unknown`` (docs/delivery.md): the server may have
accepted it, so only a person resends it (``insights deliveries unknown --resend``).
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Engine

from repository import deliveries_sql as sql
from repository.errors import NotFound

DELIVERY_STATUSES = ("queued", "sending", "sent", "failed", "skipped", "unknown")
SKIP_REASONS = ("opted_out", "suppressed", "no_address")


@dataclass(frozen=True)
class SendOutcome:
    """What a send request did: rows queued now, rows that existed, customers skipped."""

    campaign_id: int
    queued: int
    already_queued_or_sent: int
    skipped: dict[str, int] = field(default_factory=dict)
    batches: int = 0


@dataclass(frozen=True)
class Outgoing:
    """One queued message's data: who, what, and its Message-ID."""

    customer_id: int
    email: str
    display_name: str | None
    message_id: str
    content: str
    subject: str | None  # None: written before subjects were stored (derived at send time)
    focus: str | None
    prompt_version: str
    campaign_name: str


@dataclass(frozen=True)
class UnknownDelivery:
    """A delivery whose outcome nobody knows (listed for a person to decide)."""

    campaign_id: int
    customer_id: int
    email: str
    message_id: str
    status_reason: str | None
    updated_at: datetime


class PostgresDeliveryRepository:
    """Delivery rows and their queue jobs in PostgreSQL, in the same transactions."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def enqueue(self, campaign_id: int, batch_size: int, domain: str) -> SendOutcome:
        """Queue every approved item not yet queued, with one job per batch; count skips.

        Raises:
            NotFound: no campaign has this id.
        """
        with self._engine.begin() as connection:
            if connection.execute(sql.LOCK_CAMPAIGN, {"campaign_id": campaign_id}).first() is None:
                raise NotFound("No campaign has this id.")
            params = {"campaign_id": campaign_id}
            already = connection.execute(sql.ALREADY, params).scalar_one()
            rows = connection.execute(sql.CANDIDATES, params).all()
            skipped = Counter(row.skip for row in rows if row.skip)
            ready = [row for row in rows if not row.skip]
            first = connection.execute(sql.NEXT_BATCH, params).scalar_one()
            batches = [first + n // batch_size for n in range(len(ready))]
            if ready:
                connection.execute(sql.INSERT, {
                    **params, "domain": domain, "ids": [row.customer_id for row in ready],
                    "batches": batches, "emails": [row.email for row in ready],
                })  # fmt: skip
                _defer(connection, campaign_id, sorted(set(batches)))
        return SendOutcome(
            campaign_id, len(ready), already,
            {reason: skipped.get(reason, 0) for reason in SKIP_REASONS}, len(set(batches)),
        )  # fmt: skip

    def start_batch(self, campaign_id: int, batch: int) -> tuple[int, list[Outgoing]]:
        """Mark rows an earlier run left in sending as unknown; return how many, and the
        batch's queued rows."""
        params = {"campaign_id": campaign_id, "batch": batch}
        with self._engine.begin() as connection:
            orphans = connection.execute(sql.ORPHANS_TO_UNKNOWN, params).rowcount
            rows = connection.execute(sql.BATCH_ROWS, params).all()
        return orphans, [Outgoing(**row._asdict()) for row in rows]

    def claim(
        self, campaign_id: int, customer_id: int, done: tuple[int, str] | None = None
    ) -> str | None:
        """Commit ``sending`` (or ``skipped``, by an opt-out or a suppression since it was
        queued) before the message goes out; None when the row is no longer queued.

        ``done`` (customer id, status) is the previous message's outcome, recorded in the
        same commit: one commit per message instead of two, and still at most one row of
        a batch in ``sending`` at any time.
        """
        with self._engine.begin() as connection:
            if done is not None:
                params = {"campaign_id": campaign_id, "customer_id": done[0], "reason": None}
                connection.execute(sql.FINISH, {**params, "status": done[1]})
            status = connection.execute(
                sql.CLAIM, {"campaign_id": campaign_id, "customer_id": customer_id}
            ).scalar()
        return status

    def finish(self, campaign_id: int, customer_id: int, status: str, reason: str | None) -> None:
        """Record what the server said about a message being sent (sent, failed, unknown,
        or queued again after a temporary refusal)."""
        with self._engine.begin() as connection:
            params = {"campaign_id": campaign_id, "customer_id": customer_id}
            connection.execute(sql.FINISH, {**params, "status": status, "reason": reason})

    def defer_batch(self, campaign_id: int, batch: int, delay_s: float) -> None:
        """Run a batch's job again after ``delay_s`` seconds."""
        with self._engine.begin() as connection:
            _defer(connection, campaign_id, [batch], delay_s)

    def counts(self, campaign_id: int) -> dict[str, int]:
        """Return the number of deliveries per status."""
        with self._engine.connect() as connection:
            rows = connection.execute(sql.COUNTS, {"campaign_id": campaign_id}).all()
        return {status: 0 for status in DELIVERY_STATUSES} | {row[0]: row[1] for row in rows}

    def unknown(
        self, campaign_id: int | None = None, customer_ids: Sequence[int] = ()
    ) -> list[UnknownDelivery]:
        """Return the deliveries in ``unknown``, optionally of one campaign / customers."""
        params = {"campaign_id": campaign_id, "ids": list(customer_ids) or None}
        with self._engine.connect() as connection:
            rows = connection.execute(sql.UNKNOWN, params).all()
        return [UnknownDelivery(**row._asdict()) for row in rows]

    def resolve(self, campaign_id: int, customer_ids: Iterable[int], action: str) -> int:
        """Resend (back to queued, its batch's job enqueued) or mark sent unknown rows."""
        status, reason = (
            ("queued", "resent by hand") if action == "resend" else ("sent", "marked sent by hand")
        )
        ids = sorted(set(customer_ids))
        with self._engine.begin() as connection:
            params = {"campaign_id": campaign_id, "ids": ids, "status": status, "reason": reason}
            batches = connection.execute(sql.RESOLVE, params).scalars().all()
            if action == "resend":
                _defer(connection, campaign_id, sorted(set(batches)))
        return len(batches)


def _defer(
    connection: Connection, campaign_id: int, batches: list[int], delay_s: float = 0.0
) -> None:
    if batches:
        connection.execute(
            sql.DEFER, {"campaign_id": campaign_id, "batches": batches, "delay_s": delay_s}
        )
