"""The office that runs the Board: its name heads the minutes and every report PDF."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from prb.extensions import db


class Office(db.Model):
    __tablename__ = "office"

    # One row (id 1): written by `prb setup` (the office's entity name), changed by an
    # administrator under Administration.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    # The line under the name on the minutes, e.g. the centre within the office ('' none).
    unit: Mapped[str] = mapped_column(String(200), default="")
