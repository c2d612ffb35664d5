"""Final minutes: the PDF as signed and stored, never changed; corrections are new versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from prb.extensions import db
from prb.models.board import Meeting
from prb.models.immutable import make_append_only
from prb.models.types import UTCDateTime, utcnow
from prb.models.user import User


class MinutesVersion(db.Model):
    __tablename__ = "minutes_versions"
    __table_args__ = (UniqueConstraint("meeting_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)  # 1 = the minutes; 2… = corrigenda
    # Loaded only when the file itself is asked for.
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    signed: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")  # what a corrigendum corrects
    # A corrigendum's corrected facts ({"place": {"was": …, "now": …}, …}); None for the
    # first version and for versions stored before corrigenda carried facts.
    corrections: Mapped[dict[str, object] | None] = mapped_column(JSON)
    finalised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    finalised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship(lazy="joined")
    finalised_by: Mapped[User] = relationship(lazy="joined")

    @property
    def is_corrigendum(self) -> bool:
        return self.version > 1

    @property
    def label(self) -> str:
        return "Minutes" if self.version == 1 else f"Corrigendum {self.version - 1}"

    @property
    def filename(self) -> str:
        number = self.meeting.number.replace("/", "-")
        return f"{number}-minutes-v{self.version}.pdf"


make_append_only(MinutesVersion.__table__)
