"""The Board: meetings and written procedures, their agendas, attendance, votes,
declared conflicts of interest and the decisions they produce."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from prb.extensions import db
from prb.models.finance import ExtensionRequest
from prb.models.immutable import make_append_only, make_append_only_when_closed
from prb.models.proposal import Proposal
from prb.models.reference import Entity
from prb.models.types import Money, UTCDateTime, utcnow
from prb.models.user import User
from workflows import AGENDA_ITEM, ItemState, MeetingKind, VoteChoice


class BoardMembership(db.Model):
    """A seat on the Board: who, for which entity, from when to when (`until` None: sits
    today). Past decisions are counted against the members of their date."""

    __tablename__ = "board_memberships"
    __table_args__ = (Index("ix_board_memberships_user_since", "user_id", "since"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    # The member who chairs the Board over this seat's period.
    is_chair: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    entity: Mapped[Entity] = relationship(lazy="joined")


class BoardRules(db.Model):
    """A version of the Board's rules of procedure, in force from `effective_from` until the
    next version. Versions are never changed; a new rule is a new version."""

    __tablename__ = "board_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date, unique=True)
    # Strictly more than this share of the eligible members must vote ("1/2").
    quorum: Mapped[str] = mapped_column(String(12))
    casting_vote: Mapped[bool] = mapped_column(Boolean)
    written_procedure_days: Mapped[int] = mapped_column(Integer)
    absent_may_vote: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


make_append_only(BoardRules.__table__)


class Meeting(db.Model):
    """A Board meeting, or a written procedure (vote by correspondence) with a deadline."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default=MeetingKind.MEETING)
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200), default="")
    # Written procedure only: voting closes at this moment (UTC).
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # True when the secretariat records a meeting or procedure that took place before it was
    # entered in PRB: it enters the votes as recorded, and `created_at` says when.
    recorded_after: Mapped[bool] = mapped_column(Boolean, default=False)

    chair: Mapped[User | None] = relationship(foreign_keys=[chair_id], lazy="joined")
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position"
    )

    @property
    def is_written_procedure(self) -> bool:
        return self.kind == MeetingKind.WRITTEN_PROCEDURE

    @property
    def kind_label(self) -> str:
        return MeetingKind(self.kind).label

    def __str__(self) -> str:
        return self.number


class Attendance(db.Model):
    __tablename__ = "attendance"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    present: Mapped[bool] = mapped_column(Boolean, default=False)

    member: Mapped[User] = relationship(lazy="joined")


class AgendaItem(db.Model):
    """One proposal on one meeting's agenda, open for votes until it is closed."""

    __tablename__ = "agenda_items"
    __table_args__ = (
        UniqueConstraint("meeting_id", "position"),
        Index("ix_agenda_items_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    # Set when the item decides an extension of the project rather than the proposal itself.
    extension_id: Mapped[int | None] = mapped_column(ForeignKey("extension_requests.id"))
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=str(AGENDA_ITEM.initial))
    # The terms put to the vote (prefilled from the request; the secretariat may lower them).
    proposed_budget: Mapped[Decimal | None] = mapped_column(Money)
    proposed_duration_months: Mapped[int | None] = mapped_column(Integer)
    proposed_start: Mapped[date | None] = mapped_column(Date)
    conditions: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Why an item closed without a decision (no quorum, tie, …).
    outcome_note: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="items", lazy="joined")
    proposal: Mapped[Proposal] = relationship(lazy="joined")
    extension: Mapped[ExtensionRequest | None] = relationship(lazy="joined")
    votes: Mapped[list[Vote]] = relationship(back_populates="item", order_by="Vote.id")
    conflicts: Mapped[list[ConflictOfInterest]] = relationship(
        back_populates="item", order_by="ConflictOfInterest.id", lazy="selectin"
    )
    decision: Mapped[Decision | None] = relationship(
        back_populates="item", uselist=False, lazy="selectin"
    )
    snapshots: Mapped[list[AgendaItemSnapshot]] = relationship(
        back_populates="item", order_by="AgendaItemSnapshot.id", lazy="selectin"
    )

    @property
    def is_open(self) -> bool:
        return self.status == ItemState.OPEN

    @property
    def status_label(self) -> str:
        return AGENDA_ITEM.label(self.status)


class Vote(db.Model):
    """A member's vote on an item. One per member per item, enforced by the database."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("item_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    choice: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(String(1000), default="")
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the secretariat entered the vote from the record of a past meeting.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    item: Mapped[AgendaItem] = relationship(back_populates="votes")
    member: Mapped[User] = relationship(foreign_keys=[member_id], lazy="joined")

    @property
    def choice_label(self) -> str:
        return VoteChoice(self.choice).label


class ConflictOfInterest(db.Model):
    """A member's own declaration that she should not vote on an item, with her reason."""

    __tablename__ = "conflicts_of_interest"
    __table_args__ = (UniqueConstraint("item_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(1000))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[AgendaItem] = relationship(back_populates="conflicts")
    member: Mapped[User] = relationship(lazy="joined")


class Decision(db.Model):
    """The Board's recorded decision on an item. Never edited; a later decision on the same
    proposal supersedes it."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), unique=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    votes_for: Mapped[int] = mapped_column(Integer)
    votes_against: Mapped[int] = mapped_column(Integer)
    votes_revision: Mapped[int] = mapped_column(Integer)
    votes_abstain: Mapped[int] = mapped_column(Integer)
    eligible: Mapped[int] = mapped_column(Integer)
    recused: Mapped[int] = mapped_column(Integer)
    # Names and reasons, as the minutes print them.
    recused_names: Mapped[str] = mapped_column(Text, default="")
    casting_vote: Mapped[bool] = mapped_column(Boolean, default=False)
    approved_budget: Mapped[Decimal | None] = mapped_column(Money)
    approved_duration_months: Mapped[int | None] = mapped_column(Integer)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    conditions: Mapped[str] = mapped_column(Text, default="")
    # When PRB recorded it (the clock) …
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # … and when the Board decided it: the meeting's date, or the day a written procedure's
    # voting closed. Reports by year use this date.
    decided_on: Mapped[date | None] = mapped_column(Date, index=True)
    # The rules of procedure in force on that date (None: before versions were kept).
    rules_id: Mapped[int | None] = mapped_column(ForeignKey("board_rules.id"))
    # None: closed by PRB itself at a written procedure's deadline.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    # Extension items: the period and funds granted.
    extension_id: Mapped[int | None] = mapped_column(ForeignKey("extension_requests.id"))
    extension_months: Mapped[int | None] = mapped_column(Integer)
    original_end: Mapped[date | None] = mapped_column(Date)
    new_end: Mapped[date | None] = mapped_column(Date)
    additional_funds: Mapped[Decimal | None] = mapped_column(Money)

    item: Mapped[AgendaItem] = relationship(back_populates="decision", lazy="joined")
    recorded_by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def outcome_label(self) -> str:
        return VoteChoice(self.outcome).outcome_label

    @property
    def conditions_label(self) -> str:
        """What the decision's free text is: a revision's is what the chair is to change."""
        if self.outcome == VoteChoice.REQUEST_REVISION:
            return "To revise"
        return "Conditions"

    @property
    def tally_text(self) -> str:
        return (
            f"{self.votes_for} for, {self.votes_against} against, "
            f"{self.votes_revision} for revision, {self.votes_abstain} abstaining, "
            f"{self.recused} recused"
        )


make_append_only(Decision.__table__)


class SnapshotStage(StrEnum):
    """When an agenda item's snapshot was taken."""

    PLACED = "placed"  # put on the agenda: what the Board was asked to consider
    CLOSED = "closed"  # closed (decided, deferred, …): what it considered, and the record


class AgendaItemSnapshot(db.Model):
    """The proposal or extension as the Board considered it, copied onto the item when it is
    put on the agenda and again when it closes, so that the meeting page, decisions and
    minutes keep saying what was considered after the proposal is revised, an entity or a
    working group renamed, or a member disabled. Never changed: the database refuses."""

    __tablename__ = "agenda_item_snapshots"
    __table_args__ = (UniqueConstraint("item_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    stage: Mapped[str] = mapped_column(String(10))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # True when rebuilt afterwards from the records (items closed before snapshots were
    # kept): the facts are the proposal's as they were when the snapshot was rebuilt.
    reconstructed: Mapped[bool] = mapped_column(Boolean, default=False)
    project_code: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    working_group: Mapped[str] = mapped_column(String(200))
    # Entity codes, as the minutes print them.
    lead_entity: Mapped[str] = mapped_column(String(40), default="")
    implementing_entities: Mapped[list[str]] = mapped_column(JSON, default=list)
    objective: Mapped[str] = mapped_column(String(500), default="")
    requested_budget: Mapped[Decimal | None] = mapped_column(Money)
    duration_months: Mapped[int | None] = mapped_column(Integer)
    duration_note: Mapped[str] = mapped_column(String(120), default="")
    # Extension items: the request as considered.
    extension_months: Mapped[int | None] = mapped_column(Integer)
    extension_start: Mapped[date | None] = mapped_column(Date)
    extension_new_end: Mapped[date | None] = mapped_column(Date)
    additional_funds: Mapped[Decimal | None] = mapped_column(Money)
    original_end: Mapped[date | None] = mapped_column(Date)
    # Closed snapshots: the record as it stood at closing (votes with the members' names
    # and entities then, recusals, attendance, the programme envelope after the decision).
    closing_record: Mapped[dict[str, object] | None] = mapped_column(JSON)
    # The files the Board had: the proposal's (an extension item: the request's) current
    # attachments, [{"name", "sha256", "size"}, …]. None: taken before files were kept.
    attachments: Mapped[list[dict[str, object]] | None] = mapped_column(JSON)

    item: Mapped[AgendaItem] = relationship(back_populates="snapshots")


make_append_only(AgendaItemSnapshot.__table__)
# Members change and withdraw their votes while an item is open; once it is closed the votes
# are the record of the decision.
make_append_only_when_closed(
    Vote.__table__, parent="agenda_items", key="item_id", open_state=ItemState.OPEN
)
