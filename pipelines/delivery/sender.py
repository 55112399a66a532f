"""Run one delivery batch job: claim each queued row, send it, record what happened.

The order per message is: commit ``sending``; send; commit ``sent``. A worker killed
between the server's acceptance and the last commit leaves ``sending``, which the next
run of the batch turns into ``unknown`` and does not send (docs/delivery.md).
"""

import logging
import smtplib
from collections.abc import Callable, Mapping
from typing import Any

from pipelines.campaigns.drafts import waiting
from pipelines.delivery.message import Sender, build_message
from pipelines.delivery.transport import FileTransport, SmtpTransport, parse_mail_url
from pipelines.delivery.unsubscribe import unsubscribe_token
from repository.deliveries import Outgoing, PostgresDeliveryRepository
from repository.provider_budget import PostgresProviderBudget

log = logging.getLogger(__name__)
Transport = FileTransport | SmtpTransport


def outcome_of(error: Exception) -> tuple[str, str]:
    """Return the status a failed send leaves (failed, queued to retry, or unknown) and why.

    A refusal with a code is certain: 5xx will never go, 4xx may go later. Anything else
    (the connection dropped mid-conversation) may have happened after the server accepted.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code = min(code for code, _ in error.recipients.values())
        return ("failed" if code >= 500 else "queued"), f"recipient refused ({code})"
    if isinstance(error, smtplib.SMTPResponseException):
        code = error.smtp_code
        return ("failed" if code >= 500 else "queued"), f"server refused ({code})"
    return "unknown", f"the send was interrupted: {type(error).__name__}"


class DeliveryRunner:
    """Everything a worker needs to run delivery jobs, built once per process."""

    def __init__(
        self,
        config: Mapping[str, Any],
        deliveries: PostgresDeliveryRepository,
        budget: PostgresProviderBudget,
        transport: Callable[[], Transport],
        secret: Callable[[], bytes],
    ) -> None:
        self.config = config
        self.deliveries = deliveries
        self.budget = budget
        self.transport = transport
        self.secret = secret
        self.sender = Sender(
            config["MAIL_FROM"], config["MAIL_REPLY_TO"] or config["MAIL_FROM"],
            config["PUBLIC_BASE_URL"],
        )  # fmt: skip

    def run(self, campaign_id: int, batch: int) -> None:
        """Send a batch's queued rows; requeue the batch when a server said try later."""
        orphans, items = self.deliveries.start_batch(campaign_id, batch)
        if orphans:
            log.warning("deliveries of unknown outcome", extra={"event": "delivery_unknown",
                        "campaign_id": campaign_id, "batch": batch, "count": orphans})  # fmt: skip
        if not items:
            return
        transport = self.transport()
        wait = self._rate_hook()
        retry_later = False
        done: tuple[int, str] | None = None  # a message sent, its row not yet updated
        try:
            for item in items:
                wait()
                status, done = self._send_one(transport, campaign_id, item, done)
                retry_later |= status == "queued"
        finally:
            if done is not None:
                self.deliveries.finish(campaign_id, done[0], done[1], None)
            transport.close()
        if retry_later:
            self.deliveries.defer_batch(campaign_id, batch, self.config["CAMPAIGN_RETRY_BASE_S"])

    def _send_one(
        self, transport: Transport, campaign_id: int, item: Outgoing, done: tuple[int, str] | None
    ) -> tuple[str | None, tuple[int, str] | None]:
        """Claim (recording ``done`` in the same commit), send; return the outcome and, for
        a message sent, what the next claim must record."""
        token = unsubscribe_token(self.secret(), campaign_id, item.customer_id)
        message = build_message(item, self.sender, token)  # before the claim: it may raise
        # Connect (again, after a dropped connection) before the claim: a server that is
        # down raises here, the row stays queued and the job is retried.
        transport.open()
        if self.deliveries.claim(campaign_id, item.customer_id, done) != "sending":
            return None, None  # skipped at send time, or already handled
        try:
            transport.send(message)
        except (smtplib.SMTPException, OSError) as error:
            status, reason = outcome_of(error)
            self.deliveries.finish(campaign_id, item.customer_id, status, reason)
            log.warning("delivery not sent", extra={"event": "delivery_error", "status": status,
                        "campaign_id": campaign_id, "reason": reason})  # fmt: skip
            return status, None
        return "sent", (item.customer_id, "sent")

    def _rate_hook(self) -> Callable[[], None]:
        per_minute = int(self.config["MAIL_PER_MINUTE"])
        if not per_minute:
            return lambda: None
        scheme = parse_mail_url(self.config["MAIL_URL"]).scheme
        return waiting(lambda: self.budget.take(f"mail:{scheme}", per_minute))
