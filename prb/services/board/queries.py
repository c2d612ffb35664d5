"""What pages show of the Board: items awaiting a member's vote, open meetings, a
proposal's decisions and agenda items."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_, select

from prb.extensions import db
from prb.models import (
    AgendaItem,
    Attendance,
    BoardMembership,
    BoardRules,
    ConflictOfInterest,
    Decision,
    Meeting,
    Proposal,
    User,
    Vote,
    utcnow,
)
from prb.services.board.members import automatic_recusal, is_board_member
from workflows import ItemState, MeetingKind, Role


def awaiting_vote(user: User) -> list[AgendaItem]:
    """Open items on which this member may vote (she sits on the Board on the meeting's
    date, and is recorded present at a meeting whose rules let only members present vote)
    and has not yet voted."""
    if not is_board_member(user):
        return []
    # NOT EXISTS on (item, member) keys: a member's whole voting history is never read.
    voted = select(Vote.id).where(Vote.item_id == AgendaItem.id, Vote.member_id == user.id).exists()
    declared = (
        select(ConflictOfInterest.id)
        .where(ConflictOfInterest.item_id == AgendaItem.id, ConflictOfInterest.member_id == user.id)
        .exists()
    )
    seated = (
        select(BoardMembership.id)
        .where(
            BoardMembership.user_id == user.id,
            BoardMembership.since <= Meeting.held_on,
            or_(BoardMembership.until.is_(None), BoardMembership.until >= Meeting.held_on),
        )
        .exists()
    )
    items = db.session.scalars(
        select(AgendaItem)
        .join(Meeting)
        .where(
            AgendaItem.status == ItemState.OPEN,
            # The secretariat enters the votes of a meeting recorded after the fact.
            Meeting.recorded_after.is_(False),
            seated,
            _may_attend_vote(user),
            ~voted,
            ~declared,
        )
        .order_by(Meeting.held_on, AgendaItem.position)
    ).unique()
    now = utcnow()
    return [
        i
        for i in items
        if automatic_recusal(user, i.proposal) is None
        and (i.meeting.deadline is None or i.meeting.deadline > now)
    ]


def _may_attend_vote(user: User) -> ColumnElement[bool]:
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
            Attendance.member_id == user.id,
            Attendance.present.is_(True),
        )
        .exists()
    )
    return or_(
        Meeting.kind == MeetingKind.WRITTEN_PROCEDURE,
        func.coalesce(absent_may_vote, True).is_(True),
        present,
    )


def open_meetings(user: User) -> list[Meeting]:
    """Meetings with items still open, for the board, the secretariat and finance."""
    if not user.has_role(Role.BOARD_MEMBER, Role.SECRETARIAT, Role.FINANCE):
        return []
    with_open_items = select(AgendaItem.meeting_id).where(AgendaItem.status == ItemState.OPEN)
    return list(
        db.session.scalars(
            select(Meeting).where(Meeting.id.in_(with_open_items)).order_by(Meeting.held_on)
        ).unique()
    )


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
