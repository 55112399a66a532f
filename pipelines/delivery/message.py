"""Build one campaign email: headers, subject, plain-text body and unsubscribe footer.

Generations have no subject line (the email prompt asks for none), so the subject is
derived from the item's focus, deterministically, and checked like any header value.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from repository.deliveries import Outgoing

MAX_SUBJECT_CHARS = 78
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Sender:
    """Who the messages come from and where unsubscribe links point."""

    from_address: str
    reply_to: str
    public_base_url: str


class SubjectError(ValueError):
    """A subject line that breaks a rule (control characters, length, empty)."""


def check_subject(subject: str) -> str:
    """Return ``subject`` if it is one safe header line of at most 78 characters."""
    if _UNSAFE.search(subject):
        raise SubjectError("the subject has a control character (a header could be injected)")
    if not subject.strip() or len(subject) > MAX_SUBJECT_CHARS:
        raise SubjectError(f"the subject must be 1 to {MAX_SUBJECT_CHARS} characters")
    return subject


def derived_subject(focus: str | None) -> str:
    """Return the checked subject of an item: its focus, or a plain default."""
    topic = _UNSAFE.sub(" ", focus or "").strip()
    if not topic:
        return check_subject("A note from our team")
    return check_subject(f"About {topic}"[:MAX_SUBJECT_CHARS].rstrip())


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
    message["Subject"] = derived_subject(item.focus)
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
