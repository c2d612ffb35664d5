"""Files imported into PRB (existing projects, user accounts): what, by whom, when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from prb.extensions import db
from prb.models.immutable import make_append_only
from prb.models.types import UTCDateTime, utcnow
from prb.models.user import User


class ImportBatch(db.Model):
    """One imported file. The same content (SHA-256) is imported once per kind."""

    __tablename__ = "import_batches"
    __table_args__ = (UniqueConstraint("kind", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "projects" or "users"
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    imported_by: Mapped[User | None] = relationship(lazy="joined")


make_append_only(ImportBatch.__table__)
