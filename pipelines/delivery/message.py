"""Build one campaign email: headers, subject, plain-text body and unsubscribe footer.

The subject is the one written and checked with the draft (stored on the campaign item);
an item written before subjects were stored gets one derived from its focus.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from email.charset import QP, Charset
from email.message import EmailMessage, Message
from email.policy import compat32
from email.utils import format_datetime, formataddr

from pipelines.content.subjects import derived_subject, header_problems
from repository.deliveries import Outgoing

_UTF8_QP = Charset("utf-8")
# compat32 folds at 78 characters by breaking before a value that does not fit, and
# parsers then read the value with a leading space (a List-Unsubscribe link one client
# cannot open); SMTP's own limit is 998, and our values stay far below it.
_UNFOLDED = compat32.clone(max_line_length=998)
_UTF8_QP.body_encoding = QP


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


def build_message(item: Outgoing, sender: Sender, token: str) -> Message:
    """Return the message of one delivery."""
    link = unsubscribe_url(sender, token)
    headers = {
        "From": sender.from_address,
        "Reply-To": sender.reply_to,
        "To": formataddr((item.display_name or "", item.email)),
        "Subject": subject_of(item),
        "Date": format_datetime(datetime.now(UTC)),
        "Message-ID": item.message_id,
        "List-Unsubscribe": f"<{link}>",
        # RFC 8058 one-click: mail clients POST this body to the link.
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    text = item.content.rstrip() + f"\n\n--\nTo receive no more emails from us, open {link}\n"
    plain = all(value.isascii() for value in headers.values())
    return _ascii_message(headers, text) if plain else _encoded_message(headers, text)


def _ascii_message(headers: dict[str, str], text: str) -> Message:
    """Build with compat32, which keeps header values as given: cheap, and right only
    for ASCII values. ``EmailMessage``'s header objects parse every value again and cost
    about 10 times the rest of the build (docs/benchmarks.md, "Delivery")."""
    message = Message(policy=_UNFOLDED)
    for name, value in headers.items():
        message[name] = value
    message["MIME-Version"] = "1.0"
    # Quoted-printable keeps every body line under 78 characters whatever the text.
    message.set_payload(text, _UTF8_QP)
    return message


def _encoded_message(headers: dict[str, str], text: str) -> EmailMessage:
    """Build with the default policy, whose header objects encode non-ASCII names and
    subjects per RFC 2047 word by word (what Python's own parser reads back exactly)."""
    message = EmailMessage()
    for name, value in headers.items():
        message[name] = value
    message.set_content(text)
    return message


def domain_of(address: str) -> str:
    """Return the domain of the From address (the right side of Message-IDs)."""
    _, _, domain = address.rpartition("@")
    return domain.strip(" >") or "localhost"
