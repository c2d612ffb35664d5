"""What PRB told each person (the in-app list) and how each wants to hear of each kind of
event. A notification is written in the transaction of the change it reports; reading it is
the only change it ever undergoes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from prb.extensions import db
from prb.models.types import UTCDateTime, utcnow


class Channel(StrEnum):
    EMAIL = "email"  # an e-mail at once (and the in-app list)
    DIGEST = "digest"  # one e-mail a day with the day's notifications (and the in-app list)
    APP = "app"  # the in-app list only


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        # A scheduled notice (a reminder, "ends in 30 days") is written once per person.
        UniqueConstraint("user_id", "key", name="uq_notifications_user_key"),
        # The header's unread count and the list, newest first.
        Index("ix_notifications_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    event: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    # A path within PRB (the e-mail makes it absolute with PRB_BASE_URL).
    link: Mapped[str] = mapped_column(String(500), default="")
    key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When it went out in a daily digest (for a person who chose the digest for its kind).
    digested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationPreference(db.Model):
    """A person's choice for one kind of event; without a row, `Channel.EMAIL`."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    event: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
