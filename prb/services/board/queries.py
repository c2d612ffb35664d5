"""What pages show of the Board: items awaiting a member's vote, open meetings, a
proposal's decisions and agenda items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from types import SimpleNamespace

from sqlalchemy import ColumnElement, Select, bindparam, func, or_, select

from prb.extensions import db
from prb.models import (
    AgendaItem,
    Attendance,
    AuditRecord,
    BoardMembership,
    BoardRules,
    ConflictOfInterest,
    Decision,
    Meeting,
    Proposal,
    User,
    Vote,
    proposal_entities,
    utcnow,
)
from prb.services.access import require_role
from prb.services.board.meetings import cancelled_where
from prb.services.board.members import is_board_member
from prb.services.sql import written_in
from workflows import ItemState, MeetingKind, Role


def display_code(proposal_id: int, project_code: str | None) -> str:
    """`Proposal.display_code` from the two columns it reads, for pages reading plain
    columns (`Proposal.reference` reads only the id)."""
    return project_code or Proposal.reference.fget(SimpleNamespace(id=proposal_id))  # type: ignore[attr-defined]


# The member and the moment the conditions below are for: bound when a statement runs, so
# that each statement is built once (see `_awaiting_items`, `_awaiting_columns`).
MEMBER, NOW = bindparam("member_id"), bindparam("now")


def _awaiting() -> list[ColumnElement[bool]]:
    """In SQL: the open items on which this member may vote (she sits on the Board on the
    meeting's date, is recorded present at a meeting whose rules let only members present
    vote, is not recused — as `automatic_recusal` and her declarations decide, for the
    entity of her seat on the meeting's date — and the voting has not closed) and has not
    yet voted. For a query joining the item's meeting and proposal; the member (MEMBER) and
    the time (NOW) are bound."""
    # NOT EXISTS on (item, member) keys: a member's whole voting history is never read.
    voted = select(Vote.id).where(Vote.item_id == AgendaItem.id, Vote.member_id == MEMBER).exists()
    declared = (
        select(ConflictOfInterest.id)
        .where(ConflictOfInterest.item_id == AgendaItem.id, ConflictOfInterest.member_id == MEMBER)
        .exists()
    )
    implements = (
        select(proposal_entities.c.proposal_id)
        .where(
            proposal_entities.c.proposal_id == Proposal.id,
            proposal_entities.c.entity_id == BoardMembership.entity_id,
        )
        # Two levels down: the proposal is the outer query's, the seat the one above.
        .correlate_except(proposal_entities)
        .exists()
    )
    # Her seat of the meeting's date, for an entity that neither leads nor implements the
    # project (`automatic_recusal`: the seat's entity, not her account's today).
    seated_not_recused = (
        select(BoardMembership.id)
        .where(
            BoardMembership.user_id == MEMBER,
            BoardMembership.since <= Meeting.held_on,
            or_(BoardMembership.until.is_(None), BoardMembership.until >= Meeting.held_on),
            or_(
                Proposal.lead_entity_id.is_(None),
                Proposal.lead_entity_id != BoardMembership.entity_id,
            ),
            ~implements,
        )
        .exists()
    )
    return [
        AgendaItem.status == written_in(ItemState.OPEN),
        # The secretariat enters the votes of a meeting recorded after the fact.
        Meeting.recorded_after.is_(False),
        # A written procedure past its deadline waits to be closed: no vote is taken.
        or_(Meeting.deadline.is_(None), Meeting.deadline > NOW),
        seated_not_recused,
        _may_attend_vote(),
        ~voted,
        ~declared,
    ]


@cache
def _awaiting_items() -> Select[tuple[AgendaItem]]:
    return (
        select(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(Proposal, Proposal.id == AgendaItem.proposal_id)
        .where(*_awaiting())
        .order_by(Meeting.held_on, AgendaItem.position)
    )


def _bound(user: User) -> dict[str, object]:
    return {"member_id": user.id, "now": utcnow()}


def awaiting_vote(user: User) -> list[AgendaItem]:
    """Open items on which this member may vote and has not yet voted (see `_awaiting`)."""
    if not is_board_member(user):
        return []
    return list(db.session.scalars(_awaiting_items(), _bound(user)).unique())


@dataclass(frozen=True)
class Awaiting:
    """An item awaiting the member's vote, as the dashboard and the Board page list it."""

    id: int
    meeting_id: int
    number: str
    position: int
    display_code: str
    title: str
    deadline: datetime | None


@cache
def _awaiting_columns() -> Select[tuple[int, int, str, int, int, str | None, str, datetime | None]]:
    return (
        select(
            AgendaItem.id,
            AgendaItem.meeting_id,
            Meeting.number,
            AgendaItem.position,
            Proposal.id.label("proposal_id"),
            Proposal.project_code,
            Proposal.title,
            Meeting.deadline,
        )
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(Proposal, Proposal.id == AgendaItem.proposal_id)
        .where(*_awaiting())
        .order_by(Meeting.held_on, AgendaItem.position)
    )


def awaiting_list(user: User) -> list[Awaiting]:
    """`awaiting_vote` as plain columns: the pages list them on every view."""
    if not is_board_member(user):
        return []
    return [
        Awaiting(
            r.id,
            r.meeting_id,
            r.number,
            r.position,
            display_code(r.proposal_id, r.project_code),
            r.title,
            r.deadline,
        )
        for r in db.session.execute(_awaiting_columns(), _bound(user))
    ]


def _may_attend_vote() -> ColumnElement[bool]:
    """In SQL, as `votes.absence_refusal` decides it: a written procedure, rules of the
    meeting's date that let absent members vote, or the member recorded present."""
    absent_may_vote = (
        select(BoardRules.absent_may_vote)
        .where(BoardRules.effective_from <= Meeting.held_on)
        .order_by(BoardRules.effective_from.desc())
        .limit(1)
        .correlate(Meeting)
        .scalar_subquery()
    )
    present = (
        select(Attendance.member_id)
        .where(
            Attendance.meeting_id == Meeting.id,
            Attendance.member_id == MEMBER,
            Attendance.present.is_(True),
        )
        .exists()
    )
    return or_(
        Meeting.kind == written_in(MeetingKind.WRITTEN_PROCEDURE),
        func.coalesce(absent_may_vote, True).is_(True),
        present,
    )


@dataclass(frozen=True)
class OpenMeeting:
    id: int
    number: str
    kind: str
    held_on: date
    deadline: datetime | None

    @property
    def kind_label(self) -> str:
        return MeetingKind(self.kind).label


def open_meetings(user: User) -> list[OpenMeeting]:
    """Meetings with items still open, for the board, the secretariat and finance (the
    columns the dashboard lists)."""
    if not user.has_role(Role.BOARD_MEMBER, Role.SECRETARIAT, Role.FINANCE):
        return []
    with_open_items = select(AgendaItem.meeting_id).where(
        AgendaItem.status == written_in(ItemState.OPEN)
    )
    return [
        OpenMeeting(*row)
        for row in db.session.execute(
            select(Meeting.id, Meeting.number, Meeting.kind, Meeting.held_on, Meeting.deadline)
            .where(Meeting.id.in_(with_open_items))
            .order_by(Meeting.held_on)
        )
    ]


def decisions_for(proposal: Proposal) -> list[Decision]:
    return list(
        db.session.scalars(
            select(Decision)
            .where(Decision.proposal_id == proposal.id)
            .order_by(Decision.decided_at, Decision.id)
        ).unique()
    )


def items_for(proposal: Proposal) -> list[AgendaItem]:
    return list(
        db.session.scalars(
            select(AgendaItem).where(AgendaItem.proposal_id == proposal.id).order_by(AgendaItem.id)
        ).unique()
    )


def list_meetings(actor: User) -> list[tuple[Meeting, int, bool]]:
    """Meetings, newest first, each with the number of items on its agenda and whether it
    was cancelled (the list said nothing of it)."""
    require_role(
        actor, Role.BOARD_MEMBER, Role.SECRETARIAT, Role.FINANCE, action="see Board meetings"
    )
    items = (
        select(func.count(AgendaItem.id))
        .where(AgendaItem.meeting_id == Meeting.id)
        .correlate(Meeting)
        .scalar_subquery()
    )
    cancelled = (
        select(AuditRecord.id).where(*cancelled_where(Meeting.id)).correlate(Meeting).exists()
    )
    return [
        (meeting, n, bool(was_cancelled))
        for meeting, n, was_cancelled in db.session.execute(
            select(Meeting, items, cancelled).order_by(Meeting.held_on.desc(), Meeting.id.desc())
        )
    ]
