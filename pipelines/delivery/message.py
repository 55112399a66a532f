"""Build one campaign email: headers, subject, plain-text body and unsubscribe footer.

The subject is the one written and checked with the draft (stored on the campaign item);
an item written before subjects were stored gets one derived from its focus.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from pipelines.content.subjects import derived_subject, header_problems
from repository.deliveries import Outgoing


@dataclass(frozen=True)
class Sender:
    """Who the messages come from and where unsubscribe links point."""

    from_address: str
    reply_to: str
    public_base_url: str


def subject_of(item: Outgoing) -> str:
    """Return the item's stored subject (checked when it was written), else the derived one.

    The header rules run again here because they are cheap (a few regular expressions)
    and the column can be written by other means than the content pipeline.
    """
    if item.subject is not None and not header_problems(item.subject):
        return item.subject
    return derived_subject(item.focus)


def unsubscribe_url(sender: Sender, token: str) -> str:
    """Return the public unsubscribe link for a token."""
    return f"{sender.public_base_url.rstrip('/')}/api/v1/unsubscribe/{token}"


def build_message(item: Outgoing, sender: Sender, token: str) -> EmailMessage:
    """Return the message of one delivery."""
    link = unsubscribe_url(sender, token)
    message = EmailMessage()
    message["From"] = sender.from_address
    message["Reply-To"] = sender.reply_to
    message["To"] = formataddr((item.display_name or "", item.email))
    message["Subject"] = subject_of(item)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = item.message_id
    message["List-Unsubscribe"] = f"<{link}>"
    # RFC 8058 one-click: mail clients POST this body to the link.
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    footer = f"\n\n--\nTo receive no more emails from us, open {link}\n"
    message.set_content(item.content.rstrip() + footer)
    return message


def domain_of(address: str) -> str:
    """Return the domain of the From address (the right side of Message-IDs)."""
    _, _, domain = address.rpartition("@")
    return domain.strip(" >") or "localhost"
