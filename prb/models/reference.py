"""Reference data: UN entities, working groups and funding programmes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from prb.extensions import db
from prb.models.immutable import make_append_only
from prb.models.types import Money, UTCDateTime, utcnow

if TYPE_CHECKING:
    from prb.models.user import User


class Entity(db.Model):
    """A UN entity (CTED, UNODC, UNICRI …): users belong to one; projects are led by one."""

    __tablename__ = "entities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Retired entities stay on the records that name them but are no longer offered.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __str__(self) -> str:
        return self.code


working_group_chairs = Table(
    "working_group_chairs",
    db.Model.metadata,
    Column("working_group_id", ForeignKey("working_groups.id"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
    # The key leads with the group; loading the signed-in user (every request) finds her
    # groups by user.
    Index("ix_working_group_chairs_user", "user_id"),
)


class WorkingGroup(db.Model):
    """A Global Compact working group; its chairs submit proposals on its behalf."""

    __tablename__ = "working_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(80))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The current chairs (they see and submit the group's proposals); `chair_terms` keeps
    # who chaired when.
    chairs: Mapped[list[User]] = relationship(
        secondary=working_group_chairs, back_populates="chaired_groups"
    )

    def __str__(self) -> str:
        return self.name


class ChairTerm(db.Model):
    """Who chaired a working group, from when to when (`until` None: still chairs)."""

    __tablename__ = "chair_terms"
    __table_args__ = (Index("ix_chair_terms_group_since", "working_group_id", "since"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    working_group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)

    working_group: Mapped[WorkingGroup] = relationship()
    user: Mapped[User] = relationship()


class CodeStyle(StrEnum):
    """How a programme's project codes end: UNCCT-2017-73-a, UNCCT-2019-02-79-D, or typed."""

    LOWER = "lower"
    UPPER = "upper"
    TYPED = "typed"

    @property
    def label(self) -> str:
        return {
            CodeStyle.LOWER: "Lower-case letters (…-a, …-b)",
            CodeStyle.UPPER: "Upper-case letters (…-A, …-B)",
            CodeStyle.TYPED: "Typed by the secretariat at approval",
        }[self]


class FundingProgramme(db.Model):
    """A seed-funding programme (e.g. UNCCT-2017-73) with its funding envelope."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    start_year: Mapped[int]
    end_year: Mapped[int]
    # The envelope in force today; `envelope_changes` keeps every change with its date.
    envelope: Mapped[Decimal] = mapped_column(Money)
    note: Mapped[str | None] = mapped_column(Text)
    code_style: Mapped[str] = mapped_column(String(10), default=CodeStyle.LOWER)
    # The letter the first project code takes ("a", "A", or later, e.g. "D").
    code_first_letter: Mapped[str] = mapped_column(String(3), default="a")
    open_for_proposals: Mapped[bool] = mapped_column(Boolean, default=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The reporting schedule of its projects (prb.services.progress_reports.schedule):
    # a progress report every N calendar months from the actual start, the final report
    # M calendar months after the project's current end.
    progress_report_months: Mapped[int] = mapped_column(Integer, default=6, server_default="6")
    final_report_months: Mapped[int] = mapped_column(Integer, default=3, server_default="3")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def period(self) -> str:
        if self.start_year == self.end_year:
            return str(self.start_year)
        return f"{self.start_year}–{self.end_year}"


class EnvelopeChange(db.Model):
    """A programme's envelope from a date on, with the reason. Never changed: a correction is
    a later row."""

    __tablename__ = "envelope_changes"
    __table_args__ = (Index("ix_envelope_changes_programme_on", "programme_id", "effective_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"))
    effective_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


make_append_only(EnvelopeChange.__table__)


class ResultsOutput(db.Model):
    """An outcome/output of a programme's results framework, offered as a pick list on the
    proposal form (e.g. "Outcome 4, Output 4.2")."""

    __tablename__ = "results_outputs"
    __table_args__ = (Index("ix_results_outputs_programme", "programme_id", "label", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"))
    label: Mapped[str] = mapped_column(String(200))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
