"""A real SMTP server for the mail tests (aiosmtpd on a free local port), collecting what it
receives, which can be stopped and started again on the same port."""

from __future__ import annotations

import email
import socket
import threading
from collections import Counter
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask


class Collector:
    """The handler: keeps every message received, as parsed MIME."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        # The server's reply to an address at RCPT, or to a message to it at DATA, where a
        # test wants it refused ("550 5.1.1 No such user", "451 4.3.0 Try again later").
        self.refuse_recipient: dict[str, str] = {}
        self.refuse_content: dict[str, str] = {}
        self._lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse_recipient:
            return self.refuse_recipient[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        for address in envelope.rcpt_tos:
            if address in self.refuse_content:
                return self.refuse_content[address]
        parsed = email.message_from_bytes(envelope.content, policy=default)
        with self._lock:
            self.received.append(parsed)  # type: ignore[arg-type]
            self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def by_message_id(self) -> Counter[str]:
        with self._lock:
            return Counter(str(m["Message-ID"]) for m in self.received)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.collector = Collector()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[EmailMessage]:
        return self.collector.received

    def configure(self, app: Flask) -> None:
        """Point the application's mail at this server (read at each delivery)."""
        app.config.update(
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=self.port,
            SMTP_SECURITY="none",
            SMTP_TIMEOUT_SECONDS=5,
            MAIL_SENDER="PRB <prb@office.example>",
        )
