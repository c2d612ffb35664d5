"""Files attached to a record (a proposal, an extension request, a meeting; progress reports
later): what the file is, never its bytes, which a FileStore keeps under `storage_key`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from prb.extensions import db
from prb.models.immutable import make_append_only
from prb.models.types import UTCDateTime, utcnow
from prb.models.user import User


class OwnerKind(StrEnum):
    """The kind of record a file belongs to. A new kind is a value here plus, in
    `prb.services.attachments.owners`, how to find its proposal and who may write."""

    PROPOSAL = "proposal"
    EXTENSION = "extension"
    MEETING = "meeting"
    REPORT = "report"  # a progress or final report

    @property
    def label(self) -> str:
        return {"extension": "extension request", "report": "progress report"}.get(
            self.value, self.value
        )


class Attachment(db.Model):
    """One version of one attached file. Never changed nor deleted (the database refuses):
    a new version is a new row that supersedes the previous one, and both are kept."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_owner", "owner_kind", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_kind: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[int] = mapped_column(Integer)
    # As the user named it, cleaned (last path component, NFC, no invisible characters).
    filename: Mapped[str] = mapped_column(String(255))
    # Read from the content, never from the name or the browser.
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    # Unique: a version is superseded once, so versions form a single line.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by: Mapped[User] = relationship(lazy="joined")


make_append_only(Attachment.__table__)
