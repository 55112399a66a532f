"""Feedback on sent messages (events), the suppression list, and per-group counts."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text

from repository.errors import NotFound

# What metrics may be grouped by: a request names one of these keys, never a column.
GROUP_COLUMNS = {"prompt_version": "i.prompt_version", "customer_type": "i.customer_type",
                 "focus": "coalesce(i.focus, '(none)')"}  # fmt: skip
SUPPRESSING = ("bounced", "complained")

_KNOWN = text("""
    SELECT message_id, customer_id, email FROM insights.deliveries
    WHERE message_id = ANY(CAST(:ids AS text[]))
""")
_INSERT = text("""
    INSERT INTO insights.delivery_events (event_id, message_id, type, occurred_at)
    SELECT * FROM unnest(CAST(:event_ids AS text[]), CAST(:message_ids AS text[]),
                         CAST(:types AS text[]), CAST(:times AS timestamptz[]))
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
""")
_SUPPRESS = text("""
    INSERT INTO insights.suppressions (email, cause)
    SELECT lower(email), cause FROM unnest(CAST(:emails AS text[]), CAST(:causes AS text[]))
        AS s (email, cause)
    ON CONFLICT (email) DO NOTHING
""")
_CAMPAIGN = text("SELECT 1 FROM insights.campaigns WHERE id = :campaign_id")
_COUNTS = """
    SELECT {column} AS grp, count(*) AS sent,
           {counts}
    FROM insights.deliveries d
    JOIN insights.campaign_items i USING (campaign_id, customer_id)
    LEFT JOIN LATERAL (
        SELECT array_agg(DISTINCT e.type) AS types FROM insights.delivery_events e
        WHERE e.message_id = d.message_id
    ) AS seen ON true
    WHERE d.campaign_id = :campaign_id AND d.status = 'sent'
    GROUP BY grp ORDER BY grp
"""
EVENT_TYPES = ("delivered", "opened", "clicked", "replied", "unsubscribed", "bounced",
                "complained")  # fmt: skip


@dataclass(frozen=True)
class Event:
    """One feedback event as received."""

    event_id: str
    type: str
    message_id: str
    occurred_at: datetime


@dataclass(frozen=True)
class EventOutcome:
    """What a batch of events did."""

    stored: int
    duplicates: int
    unknown_message_ids: list[str]
    suppressed: int
    unsubscribed_customers: list[int]


class PostgresFeedbackRepository:
    """Events, suppressions and metrics counts in PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, events: Sequence[Event]) -> EventOutcome:
        """Store events of known messages once each (by event_id), in one transaction;
        suppress the addresses of new bounces and complaints."""
        with self._engine.begin() as connection:
            rows = connection.execute(_KNOWN, {"ids": sorted({e.message_id for e in events})})
            known = {row.message_id: row for row in rows}
            kept = [e for e in events if e.message_id in known]
            params = {
                "event_ids": [e.event_id for e in kept],
                "message_ids": [e.message_id for e in kept],
                "types": [e.type for e in kept],
                "times": [e.occurred_at for e in kept],
            }
            new_ids = set(connection.execute(_INSERT, params).scalars())
            new = [e for e in kept if e.event_id in new_ids]
            bad = [e for e in new if e.type in SUPPRESSING]
            if bad:
                connection.execute(_SUPPRESS, {"emails": [known[e.message_id].email for e in bad],
                                               "causes": [e.type for e in bad]})  # fmt: skip
        unknown = sorted({e.message_id for e in events} - set(known))
        unsubscribed = sorted({known[e.message_id].customer_id for e in new
                               if e.type == "unsubscribed"})  # fmt: skip
        return EventOutcome(len(new), len(kept) - len(new), unknown, len(bad), unsubscribed)

    def counts(self, campaign_id: int, by: str) -> list[dict[str, Any]]:
        """Return per group: sent, and messages with at least one event of each type.

        Raises:
            NotFound: no campaign has this id.
        """
        counts = ",\n           ".join(
            f"count(*) FILTER (WHERE '{t}' = ANY(seen.types)) AS {t}" for t in EVENT_TYPES
        )
        sql = _COUNTS.format(column=GROUP_COLUMNS[by], counts=counts)
        statement = text(sql)  # nosec B608 # built from constants; values are bound
        with self._engine.connect() as connection:
            if connection.execute(_CAMPAIGN, {"campaign_id": campaign_id}).first() is None:
                raise NotFound("No campaign has this id.")
            rows = connection.execute(statement, {"campaign_id": campaign_id}).mappings().all()
        return [dict(row) for row in rows]
