"""Where sent mail goes: an SMTP server (`PRB_SMTP_*`), or, with no host set, `.eml` files
in a folder — the default of `make run`, which needs nothing installed."""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from flask import current_app


class Transport(Protocol):
    def send(self, outbox_id: int, message: EmailMessage) -> None: ...


class SmtpTransport:
    def __init__(self, connection: smtplib.SMTP) -> None:
        self.connection = connection

    def send(self, outbox_id: int, message: EmailMessage) -> None:
        self.connection.send_message(message)


class FileTransport:
    """Each message as `<outbox id>-<subject slug>.eml`: open it in any mail program."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, outbox_id: int, message: EmailMessage) -> None:
        slug = re.sub(r"[^a-z0-9]+", "-", str(message["Subject"] or "").lower()).strip("-")
        path = self.folder / f"{outbox_id}-{slug[:60] or 'message'}.eml"
        partial = path.with_suffix(".eml.partial")
        partial.write_bytes(bytes(message))
        partial.replace(path)  # a reader never sees half a message


def mail_folder(config: dict[str, Any] | None = None) -> Path:
    config = config if config is not None else current_app.config
    return Path(config.get("MAIL_DIRECTORY") or Path(current_app.instance_path) / "mail")


@contextmanager
def opened() -> Iterator[Transport]:
    """One connection for a batch of messages. Raises OSError or SMTPException when the
    server cannot be reached or refuses the sign-in: the whole batch waits."""
    config = current_app.config
    host = str(config.get("SMTP_HOST") or "")
    if not host:
        folder = mail_folder(config)
        folder.mkdir(parents=True, exist_ok=True)
        yield FileTransport(folder)
        return
    port = int(config["SMTP_PORT"])
    timeout = float(config["SMTP_TIMEOUT_SECONDS"])
    security = str(config["SMTP_SECURITY"])
    context = ssl.create_default_context()
    connection: smtplib.SMTP
    if security == "tls":
        connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if security == "starttls":
            connection.starttls(context=context)
        if config.get("SMTP_USER"):
            connection.login(str(config["SMTP_USER"]), str(config.get("SMTP_PASSWORD") or ""))
        yield SmtpTransport(connection)
    finally:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()
