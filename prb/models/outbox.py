"""The outbox: e-mail written in the same transaction as the change that causes it, sent
later by `prb worker`. A message rolled back with its change is never sent; one written is
never lost while the mail server is down."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from prb.extensions import db
from prb.models.types import UTCDateTime, utcnow
from prb.models.user import User


class OutboxState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"
    # Not sent: its moment (`send_before`) passed while it waited, and sent late it would
    # mislead (a request to vote after voting closed). Never sent, never retried.
    EXPIRED = "expired"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        # The worker's scan for due messages, and the administrator's list of dead ones.
        Index("ix_outbox_messages_state_next", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    # Bodies are loaded only to send: no list ever reads them (a secret one carries a link).
    text_body: Mapped[str] = mapped_column(Text, deferred=True)
    html_body: Mapped[str | None] = mapped_column(Text, deferred=True)
    # [{"filename", "content_type", "base64"}]: small files (an .ics), kept with the message.
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, deferred=True)
    # Made once at enqueue: a resend after a crash carries the same id, so a reader's mail
    # program can recognise the duplicate.
    message_id: Mapped[str] = mapped_column(String(250), unique=True)
    state: Mapped[str] = mapped_column(String(10), default=OutboxState.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A notice true only until a moment (a vote's deadline, a meeting's day, a link's
    # expiry) is not sent after it; None: worth sending whenever it goes.
    send_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the notice is about, when something may overtake it before it goes: an agenda
    # item ("agenda-item:12") whose invitation or request to vote stops being true once the
    # item closes, its meeting is cancelled or corrected, or its reader has voted.
    about: Mapped[str | None] = mapped_column(String(60), index=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # The body holds a one-time link (set-password, reset): never shown on any page.
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    # Extra headers, e.g. List-Unsubscribe (RFC 8058) on notifications.
    headers: Mapped[dict[str, str] | None] = mapped_column(JSON, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient: Mapped[User | None] = relationship(lazy="joined")
