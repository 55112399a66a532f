"""Feedback events: store them, and turn an unsubscribe reported by the mail provider into
an opt-out through the one consent function."""

from collections.abc import Callable, Sequence

from pipelines.outreach.consent import consent_change_of, record_consent
from repository.consent import OPT_OUT, AbstractConsentRepository
from repository.feedback import Event, EventOutcome, PostgresFeedbackRepository


def receive_events(
    feedback: PostgresFeedbackRepository,
    consent: AbstractConsentRepository,
    events: Sequence[Event],
    cancel_pending: Callable[[int], int] | None = None,
) -> EventOutcome:
    """Store a batch of events once each; opt out the customers who unsubscribed."""
    outcome = feedback.record(events)
    changes = [
        consent_change_of(customer_id, OPT_OUT, "unsubscribed (mail provider event)", "email", None)
        for customer_id in outcome.unsubscribed_customers
    ]
    if changes:
        record_consent(consent, changes, cancel_pending)
    return outcome
