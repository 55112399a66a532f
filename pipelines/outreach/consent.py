"""Consent changes: the one function every opt-out and opt-in goes through, and the
reading of a consent CSV file into changes."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipelines.outreach.fields import (
    MAX_REASON_CHARS,
    checked_source,
    customer_id_of,
    optional_text,
)
from pipelines.outreach.rows import BadRow, read_rows
from repository.consent import (
    OPT_IN,
    OPT_OUT,
    AbstractConsentRepository,
    ConsentChange,
    ConsentCounts,
    ConsentEvent,
    ConsentState,
)
from repository.customers import AbstractCustomerRepository
from repository.errors import InsightsError, InvalidInput

IMPORT_SOURCE = "import"
_ACTIONS = {OPT_OUT, OPT_IN}


def record_consent(
    consent: AbstractConsentRepository,
    changes: Sequence[ConsentChange],
    cancel_pending: Callable[[int], int] | None = None,
) -> ConsentCounts:
    """Apply consent changes in order, in one transaction; count what they changed.

    The API (one change) and ``insights consent import`` (a file of them) both come here,
    so whatever else an opt-out must do belongs in this function and nowhere else.
    ``cancel_pending`` (the campaigns' ``cancel_pending_items``) then cancels the unsent,
    unapproved campaign items of each customer opted out. It runs after the consent commit:
    a worker writing that customer's item in between finds the opt-out at write time and
    cancels the item itself, so no order of the two leaves an item behind.
    """
    counts = consent.apply(changes)
    if cancel_pending is not None:
        opted_out = {c.customer_id for c in changes if c.action == OPT_OUT}
        for customer_id in sorted(opted_out):
            if consent.state(customer_id).opted_out:
                cancel_pending(customer_id)
    return counts


def consent_change_of(
    customer_id: int, action: str, reason: str | None, source: str, actor: str | None
) -> ConsentChange:
    """Return a checked change.

    Raises:
        InvalidInput: an unknown action, a bad source, or a reason too long.
    """
    if action not in _ACTIONS:
        raise InvalidInput(f"action must be opt_out or opt_in, got {action[:20]!r}", field="action")
    return ConsentChange(
        customer_id,
        OPT_OUT if action == OPT_OUT else OPT_IN,
        optional_text(reason, "reason", MAX_REASON_CHARS),
        checked_source(source),
        actor,
    )


def consent_changes_from_csv(
    path: Path, actor: str | None
) -> tuple[list[ConsentChange], list[BadRow]]:
    """Read a consent file: customer_id, and optionally action, reason and source.

    ``action`` defaults to opt_out and ``source`` to "import"; rows keep their order.

    Raises:
        InvalidInput: the file as a whole cannot be read.
    """
    rows = read_rows(path, {"customer_id"}, {"action", "reason", "source"})
    changes, bad = [], []
    for row in rows:
        if row.extra_cells:
            bad.append(BadRow(row.line, "more cells than the header has columns"))
            continue
        cells = row.cells
        try:
            changes.append(
                consent_change_of(
                    customer_id_of(cells["customer_id"]),
                    cells.get("action", "").strip().lower() or OPT_OUT,
                    cells.get("reason"),
                    cells.get("source", "").strip() or IMPORT_SOURCE,
                    actor,
                )
            )
        except InsightsError as error:
            bad.append(BadRow(row.line, error.message))
    return changes, bad


@dataclass(frozen=True)
class ConsentOutcome:
    """A customer's state after a change, and whether the change changed it."""

    state: ConsentState
    changed: bool


@dataclass(frozen=True)
class ConsentRecord:
    """A customer's state and every change that led to it, newest first."""

    state: ConsentState
    history: list[ConsentEvent]


def change_customer_consent(
    customers: AbstractCustomerRepository,
    consent: AbstractConsentRepository,
    change: ConsentChange,
    cancel_pending: Callable[[int], int] | None = None,
) -> ConsentOutcome:
    """Record one change for a customer of the current data, and return the new state.

    Raises:
        NotFound: no customer row and no interaction has the id.
    """
    customers.get_customer(change.customer_id)
    counts = record_consent(consent, [change], cancel_pending)
    return ConsentOutcome(consent.state(change.customer_id), counts.unchanged == 0)


def customer_consent(
    customers: AbstractCustomerRepository, consent: AbstractConsentRepository, customer_id: int
) -> ConsentRecord:
    """Return a customer's consent state and history.

    Raises:
        NotFound: no customer row and no interaction has the id.
    """
    customers.get_customer(customer_id)
    return ConsentRecord(consent.state(customer_id), consent.history(customer_id))
