"""Who is present at a meeting: the secretariat records attendance, or marks a member
present when she joins; only members present vote where the rules of procedure say so."""

from __future__ import annotations

from sqlalchemy import select

from prb.extensions import db
from prb.models import AgendaItem, Attendance, Meeting, User, Vote
from prb.services import audit
from prb.services.access import require_role
from prb.services.board.meetings import get_meeting, lock_meeting, refuse_if_frozen
from prb.services.board.members import Member, board_members
from prb.services.board.rules import rules_on
from prb.services.calendar import long_date
from prb.services.errors import Conflict, Invalid
from prb.services.transaction import committed
from workflows import Role


def _refuse_when_all_closed(meeting: Meeting) -> None:
    """Attendance counts for the items still to be voted on; once every item has closed, a
    change would alter no vote and contradict the minutes (which print who was present as
    each item closed)."""
    if meeting.items and not any(item.is_open for item in meeting.items):
        raise Conflict(
            f"Every item of {meeting.number} is closed: attendance can no longer change "
            "(the minutes print who was present as each item closed). Nothing was changed."
        )


def record_attendance(actor: User, meeting_id: int, present_ids: set[int]) -> None:
    require_role(actor, Role.SECRETARIAT, action="record attendance")
    meeting = get_meeting(actor, meeting_id)
    if meeting.is_written_procedure:
        raise Conflict("A written procedure has no attendance: members vote by correspondence.")
    members = {m.id: m for m in board_members(on=meeting.held_on)}
    unknown = present_ids - set(members)
    if unknown:
        raise Invalid(
            "Choose board members from the list.",
            {"present": [f"Choose members of the Board on {long_date(meeting.held_on)}."]},
        )
    with committed():
        meeting = lock_meeting(meeting.id)
        refuse_if_frozen(meeting)
        _refuse_when_all_closed(meeting)
        _refuse_absent_voters(meeting, set(members) - present_ids, members)
        rows = {
            a.member_id: a
            for a in db.session.scalars(
                select(Attendance).where(Attendance.meeting_id == meeting.id)
            )
        }
        for member_id in members:
            row = rows.get(member_id) or Attendance(meeting_id=meeting.id, member_id=member_id)
            row.present = member_id in present_ids
            db.session.add(row)
        audit.record(
            "attendance_recorded",
            actor=actor,
            role=Role.SECRETARIAT,
            comment=f"{meeting.number}: {len(present_ids)} present",
        )


def _refuse_absent_voters(
    meeting: Meeting, absent_ids: set[int], members: dict[int, Member]
) -> None:
    """Under rules that let only members present vote, a member who voted at this meeting
    cannot be recorded absent from it: the minutes would then hold a vote that cannot be."""
    rules = rules_on(meeting.held_on)
    if rules is None or rules.absent_may_vote or not absent_ids:
        return
    voted = set(
        db.session.scalars(
            select(Vote.member_id)
            .join(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id, Vote.member_id.in_(absent_ids))
        )
    )
    if voted:
        names = ", ".join(sorted(members[i].name for i in voted))
        raise Invalid(
            f"{names} voted at {meeting.number}, so cannot be recorded absent: under the rules "
            f"of procedure of {long_date(rules.effective_from)} only members present vote.",
            {"present": [f"{names} voted at this meeting and was present."]},
        )


def mark_present(actor: User, meeting_id: int, member_id: int) -> User:
    """A member joins the meeting (in person or remotely): the secretariat marks her present,
    so that she may vote."""
    require_role(actor, Role.SECRETARIAT, action="record attendance")
    with committed():
        meeting = lock_meeting(meeting_id)
        refuse_if_frozen(meeting)
        if meeting.is_written_procedure:
            raise Conflict("A written procedure has no attendance: members vote by correspondence.")
        _refuse_when_all_closed(meeting)
        member = next((m for m in board_members(on=meeting.held_on) if m.id == member_id), None)
        if member is None:
            raise Invalid(
                "Choose a member of the Board on the meeting's date.",
                {"member_id": [f"Choose a member of the Board on {long_date(meeting.held_on)}."]},
            )
        row = db.session.get(Attendance, (meeting.id, member.id))
        if row is None:
            row = Attendance(meeting_id=meeting.id, member_id=member.id)
            db.session.add(row)
        row.present = True
        audit.record(
            "attendance_recorded",
            actor=actor,
            role=Role.SECRETARIAT,
            comment=f"{meeting.number}: {member.name} joined, marked present",
        )
    return member.user
