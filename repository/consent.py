"""Consent: every opt-out and opt-in kept as history, and the current state beside it.

A change writes its ``consent_events`` row and updates ``opt_outs`` in one statement, so
the two never disagree. A change that changes nothing (opting out a customer who is
already out, opting in one who is not) writes nothing: the history records changes of
state, and a retried request or a re-imported file must not pile up rows that say the
same thing again. The first opt-out's reason, source and time stay current.
"""

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection, Engine, text

from repository.engine import single_statements

Action = Literal["opt_out", "opt_in"]
OPT_OUT: Action = "opt_out"
OPT_IN: Action = "opt_in"


@dataclass(frozen=True)
class ConsentChange:
    """One requested change of a customer's consent."""

    customer_id: int
    action: Action
    reason: str | None
    source: str
    actor: str | None


@dataclass(frozen=True)
class ConsentEvent:
    """One recorded change, as the history keeps it."""

    customer_id: int
    action: Action
    reason: str | None
    source: str
    actor: str | None
    recorded_at: datetime


@dataclass(frozen=True)
class ConsentState:
    """Whether a customer is opted out now, and since when, why and from where."""

    customer_id: int
    opted_out: bool
    reason: str | None = None
    source: str | None = None
    opted_out_at: datetime | None = None


@dataclass(frozen=True)
class ConsentCounts:
    """What applying a batch of changes did."""

    opted_out: int = 0
    opted_in: int = 0
    unchanged: int = 0


class AbstractConsentRepository(ABC):
    """Record opt-outs and opt-ins; read one customer's state and history."""

    def apply(self, changes: Sequence[ConsentChange]) -> ConsentCounts:
        """Apply ``changes`` in order, all in one transaction, and count what changed."""
        done = [
            c.action for c, changed in zip(changes, self._apply(changes), strict=True) if changed
        ]
        opted_out, opted_in = done.count(OPT_OUT), done.count(OPT_IN)
        return ConsentCounts(opted_out, opted_in, len(changes) - opted_out - opted_in)

    @abstractmethod
    def state(self, customer_id: int) -> ConsentState:
        """Return the customer's current state (opted in when nothing was ever recorded)."""

    @abstractmethod
    def history(self, customer_id: int) -> list[ConsentEvent]:
        """Return every recorded change of the customer, newest first."""

    @abstractmethod
    def _apply(self, changes: Sequence[ConsentChange]) -> list[bool]:
        """Apply the changes in one transaction; say for each whether it changed the state."""


_OPT_OUT = text("""
    WITH added AS (
        INSERT INTO insights.opt_outs (customer_id, reason, source)
        VALUES (:customer_id, :reason, :source)
        ON CONFLICT (customer_id) DO NOTHING
        RETURNING customer_id, opted_out_at
    )
    INSERT INTO insights.consent_events (customer_id, action, reason, source, actor, recorded_at)
    SELECT customer_id, 'opt_out', :reason, :source, :actor, opted_out_at FROM added
    RETURNING id
""")
_OPT_IN = text("""
    WITH removed AS (
        DELETE FROM insights.opt_outs WHERE customer_id = :customer_id RETURNING customer_id
    )
    INSERT INTO insights.consent_events (customer_id, action, reason, source, actor)
    SELECT customer_id, 'opt_in', :reason, :source, :actor FROM removed
    RETURNING id
""")
_STATE = text(
    "SELECT reason, source, opted_out_at FROM insights.opt_outs WHERE customer_id = :customer_id"
)
_HISTORY = text("""
    SELECT customer_id, action, reason, source, actor, recorded_at
    FROM insights.consent_events WHERE customer_id = :customer_id ORDER BY id DESC
""")


class PostgresConsentRepository(AbstractConsentRepository):
    """Consent in ``insights.consent_events`` (history) and ``insights.opt_outs`` (now)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def state(self, customer_id: int) -> ConsentState:
        with single_statements(self._engine) as connection:
            row = connection.execute(_STATE, {"customer_id": customer_id}).one_or_none()
        if row is None:
            return ConsentState(customer_id, opted_out=False)
        return ConsentState(customer_id, True, row.reason, row.source, row.opted_out_at)

    def history(self, customer_id: int) -> list[ConsentEvent]:
        with single_statements(self._engine) as connection:
            rows = connection.execute(_HISTORY, {"customer_id": customer_id}).all()
        return [ConsentEvent(*row) for row in rows]

    def _apply(self, changes: Sequence[ConsentChange]) -> list[bool]:
        # Statement by statement in order: a file may opt a customer out and back in.
        with self._engine.begin() as connection:
            return [_apply_one(connection, change) for change in changes]


def _apply_one(connection: Connection, change: ConsentChange) -> bool:
    statement = _OPT_OUT if change.action == OPT_OUT else _OPT_IN
    params = {
        "customer_id": change.customer_id,
        "reason": change.reason,
        "source": change.source,
        "actor": change.actor,
    }
    return connection.execute(statement, params).first() is not None
