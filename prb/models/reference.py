"""Reference data: UN entities, working groups and funding programmes."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from prb.extensions import db
from prb.models.types import Money

if TYPE_CHECKING:
    from prb.models.user import User


class Entity(db.Model):
    """A UN entity (CTED, UNODC, UNICRI …): users belong to one; projects are led by one."""

    __tablename__ = "entities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    def __str__(self) -> str:
        return self.code


working_group_chairs = Table(
    "working_group_chairs",
    db.Model.metadata,
    Column("working_group_id", ForeignKey("working_groups.id"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


class WorkingGroup(db.Model):
    """A Global Compact working group; its chairs submit proposals on its behalf."""

    __tablename__ = "working_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(80))
    chairs: Mapped[list[User]] = relationship(
        secondary=working_group_chairs, back_populates="chaired_groups"
    )

    def __str__(self) -> str:
        return self.name


class FundingProgramme(db.Model):
    """A seed-funding programme (e.g. UNCCT-2017-73) with its funding envelope."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    start_year: Mapped[int]
    end_year: Mapped[int]
    envelope: Mapped[Decimal] = mapped_column(Money)
    note: Mapped[str | None] = mapped_column(Text)

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def period(self) -> str:
        if self.start_year == self.end_year:
            return str(self.start_year)
        return f"{self.start_year}–{self.end_year}"
