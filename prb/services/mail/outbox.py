"""Writing a message to the outbox, and turning a stored message into MIME when it is sent.

`enqueue` only adds a row to the session: the caller's `committed()` block commits it with
the change that causes it, or rolls both back. Nothing is sent from a web request."""

from __future__ import annotations

import base64
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app
from sqlalchemy import or_, update

from prb.extensions import db
from prb.models import OutboxMessage, OutboxState, User, utcnow
from prb.services.errors import Invalid

SUBJECT_LIMIT = 300
ERROR_LIMIT = 1000  # characters of a failure (or of why a message was not sent) kept
_LINE_BREAK = re.compile(r"[\r\n]+")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


def enqueue(
    *,
    to: User | str,
    kind: str,
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Iterable[Attachment] = (),
    secret: bool = False,
    headers: dict[str, str] | None = None,
    send_before: datetime | None = None,
    about: str | None = None,
) -> OutboxMessage:
    """Add a message to the caller's transaction (never committed here). `secret`: the body
    carries a one-time link, so no page ever shows it. `send_before`: the moment after which
    the message would mislead its reader (voting has closed, the meeting was held); the
    worker lets it expire unsent then. None: worth sending however late."""
    user = to if isinstance(to, User) else None
    address = user.email if user is not None else str(to)
    if _LINE_BREAK.search(address) or "@" not in parseaddr(address)[1]:
        raise Invalid(f"Not an e-mail address: {address!r}.")
    # A line break in a header would start a new header: a subject is one line.
    subject = _LINE_BREAK.sub(" ", subject).strip()[:SUBJECT_LIMIT]
    message = OutboxMessage(
        kind=kind,
        recipient=user,  # the relationship: a user not yet flushed gets her id at flush
        to_address=address,
        subject=subject,
        text_body=text,
        html_body=html,
        attachments=[
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "base64": base64.b64encode(a.content).decode("ascii"),
            }
            for a in attachments
        ],
        message_id=make_msgid(domain=sender_domain()),
        state=OutboxState.QUEUED,
        attempts=0,
        next_attempt_at=utcnow(),
        send_before=send_before,
        about=about,
        last_error="",
        secret=secret,
        headers={k: _LINE_BREAK.sub(" ", v) for k, v in (headers or {}).items()} or None,
        created_at=utcnow(),
    )
    db.session.add(message)
    return message


def overtaken(abouts: Collection[str], reason: str, *, recipient_id: int | None = None) -> int:
    """Messages about any of `abouts` (of one recipient, or of all) not sent yet stop: events
    overtook them — the item closed, its meeting was cancelled or corrected, their reader
    voted. Marked expired with `reason` (listed with the messages that came too late), in
    the caller's transaction; the number. A message being sent at this moment goes if that
    attempt succeeds, and is never tried again (its moment is now: a failed attempt, or a
    worker that stopped, leaves it to expire); a dead one can no longer be retried."""
    if not abouts:
        return 0
    # One statement for a whole meeting's items, whatever their number.
    condition = OutboxMessage.about.in_(sorted(set(abouts)))
    if recipient_id is not None:
        condition &= OutboxMessage.recipient_user_id == recipient_id
    now = utcnow()
    db.session.execute(
        update(OutboxMessage)
        .where(
            condition,
            OutboxMessage.state == OutboxState.SENDING,
            or_(OutboxMessage.send_before.is_(None), OutboxMessage.send_before > now),
        )
        .values(send_before=now)
        .execution_options(synchronize_session=False)
    )
    result = db.session.execute(
        update(OutboxMessage)
        .where(condition, OutboxMessage.state.in_((OutboxState.QUEUED, OutboxState.DEAD)))
        .values(state=OutboxState.EXPIRED, last_error=reason[:ERROR_LIMIT])
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def sender() -> str:
    return str(current_app.config["MAIL_SENDER"])


def sender_domain() -> str:
    """The domain of Message-IDs: the sender's, so that they are unique to this office."""
    address = parseaddr(sender())[1]
    return address.rpartition("@")[2] or "localhost"


def compose(message: OutboxMessage, from_: str) -> EmailMessage:
    """The MIME message: plain text, the HTML alternative, then the attachments."""
    mime = EmailMessage()
    mime["From"] = from_
    name = message.recipient.name if message.recipient is not None else ""
    mime["To"] = (
        Address(display_name=name, addr_spec=message.to_address) if name else (message.to_address)
    )
    mime["Subject"] = message.subject
    mime["Date"] = format_datetime(message.created_at)
    mime["Message-ID"] = message.message_id
    mime["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a robot
    for name, value in (message.headers or {}).items():
        mime[name] = value
    mime.set_content(message.text_body)
    if message.html_body:
        mime.add_alternative(message.html_body, subtype="html")
    for part in message.attachments or []:
        maintype, _, subtype = str(part["content_type"]).partition("/")
        mime.add_attachment(
            base64.b64decode(part["base64"]),
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=str(part["filename"]),
        )
    return mime
