"""Where messages go: an SMTP server (one connection for many messages) or .eml files.

``MAIL_URL`` chooses: ``smtp://user:pass@host:587?starttls=true`` (``smtps://`` for TLS
from the first byte; ``reuse=false`` opens a connection per message, which only the
benchmark wants) or ``file://DIR`` (the default ``file://.data/outbox``): nothing leaves
the machine unless someone configures a server.
"""

import functools
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from repository.errors import ConfigurationError

_TRUE = ("1", "true", "yes")


@dataclass(frozen=True)
class MailSettings:
    """MAIL_URL, parsed."""

    scheme: str  # smtp, smtps or file
    host: str = ""
    port: int = 0
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    reuse: bool = True
    directory: Path = Path(".data/outbox")


def parse_mail_url(url: str) -> MailSettings:
    """Parse MAIL_URL. Raises ConfigurationError for anything else."""
    parts = urlsplit(url.strip())
    if parts.scheme == "file":
        return MailSettings("file", directory=Path(unquote(parts.netloc + parts.path)))
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigurationError(
            f"MAIL_URL must be smtp://[user:pass@]host:port[?starttls=true], smtps://... or "
            f"file://DIR, got {url!r}"
        )
    query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError:
        raise ConfigurationError(f"MAIL_URL has a bad port: {url!r}") from None
    return MailSettings(
        parts.scheme, parts.hostname, port,
        unquote(parts.username) if parts.username else None,
        unquote(parts.password) if parts.password else None,
        query.get("starttls", "false") in _TRUE, query.get("reuse", "true") in _TRUE,
    )  # fmt: skip


class FileTransport:
    """Write each message as DIR/<message id>.eml (written whole, then renamed)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def open(self) -> None:
        """Create the folder."""
        self.directory.mkdir(parents=True, exist_ok=True)

    def send(self, message: Message) -> None:
        """Write one message."""
        name = message["Message-ID"].strip("<>").replace("/", "_")
        temporary = self.directory / f".{name}.tmp"
        temporary.write_bytes(message.as_bytes())
        temporary.replace(self.directory / f"{name}.eml")

    def close(self) -> None:
        """Nothing to close."""


@functools.cache
def _fqdn() -> str:
    """This host's name for EHLO, looked up once: smtplib would resolve it per connection."""
    return socket.getfqdn()


class SmtpTransport:
    """Send through one SMTP connection, opened once and reused (or one per message)."""

    def __init__(self, settings: MailSettings, timeout_s: float) -> None:
        self.settings = settings
        self.timeout_s = timeout_s
        self._smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        """Connect, say hello, upgrade to TLS when asked and log in."""
        if self._smtp is not None:
            return
        s = self.settings
        context = ssl.create_default_context()
        if s.scheme == "smtps":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, _fqdn(), timeout=self.timeout_s, context=context
            )
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=self.timeout_s, local_hostname=_fqdn())
            if s.starttls:
                smtp.starttls(context=context)
        if s.username:
            smtp.login(s.username, s.password or "")
        self._smtp = smtp

    def send(self, message: Message) -> None:
        """Send one message; the server's refusal raises smtplib's exceptions."""
        self.open()
        assert self._smtp is not None  # nosec B101 # open() set it
        try:
            self._smtp.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException):
            raise  # a refusal: the connection is still good
        except OSError:  # dropped or timed out: the next message connects again
            self._smtp = None
            raise
        if not self.settings.reuse:
            self.close()

    def close(self) -> None:
        """Say QUIT (best effort) and forget the connection."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


def build_transport(mail_url: str, timeout_s: float) -> FileTransport | SmtpTransport:
    """Return the transport MAIL_URL names."""
    settings = parse_mail_url(mail_url)
    if settings.scheme == "file":
        return FileTransport(settings.directory)
    return SmtpTransport(settings, timeout_s)
