"""A real SMTP server (aiosmtpd) in the test process that keeps what it receives."""

import asyncio
import socket
import threading
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    """Return a TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class KeepingHandler:
    """Accept every message and keep it; optionally hold one before answering 250.

    ``hold_at=n``: the n-th message (from 1) is kept, then its 250 waits for ``release``:
    the server has the message, the sender does not know yet (the window of a crash).
    """

    def __init__(self, hold_at: int | None = None) -> None:
        self.messages: list[EmailMessage] = []
        self.connections = 0
        self.hold_at = hold_at
        self.holding = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            held = len(self.messages) == self.hold_at
        if held:
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
        return "250 Message accepted for delivery"


@contextmanager
def running_smtp_server(handler: KeepingHandler):
    """Run an SMTP server on 127.0.0.1; yield its MAIL_URL."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, server_hostname="smtp.test")
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}"
    finally:
        handler.release.set()
        controller.stop()
