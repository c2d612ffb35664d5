"""Shortcuts for board tests: a meeting with an item, through the services."""

from __future__ import annotations

from datetime import timedelta

from prb.extensions import db
from prb.models import AgendaItem, Meeting, utcnow
from prb.services import board
from tests import factories
from workflows import MeetingKind, ProposalState


def meeting(  # type: ignore[no-untyped-def]
    world, *, written: bool = False, number: str = "PRB/2018/03", everyone_present: bool = True
) -> Meeting:
    """A live meeting (or written procedure) of today. At a meeting only members recorded
    present vote: the secretariat records them all present unless `everyone_present` is
    False."""
    m = board.schedule_meeting(
        world.secretariat,
        board.MeetingInput(
            number=number,
            kind=MeetingKind.WRITTEN_PROCEDURE if written else MeetingKind.MEETING,
            held_on=utcnow().date(),
            place="" if written else "New York",
            chair_id=world.board_chair.id,
            deadline=utcnow() + timedelta(days=7) if written else None,
        ),
    )
    if not written and everyone_present:
        everyone = {u.id for u in board.board_members(on=m.held_on)}
        board.record_attendance(world.secretariat, m.id, everyone)
    return m


def item_under_review(world, m: Meeting | None = None, **fields) -> AgendaItem:  # type: ignore[no-untyped-def]
    """A CTED-led proposal under review on the agenda: board_cted is recused automatically."""
    proposal = factories.proposal(world, status=ProposalState.UNDER_REVIEW, **fields)
    m = m or meeting(world)
    return board.add_to_agenda(world.secretariat, m.id, proposal.id)


def closing_in_a_minute(world, number: str) -> AgendaItem:  # type: ignore[no-untyped-def]
    """An item of a written procedure whose deadline is a minute away: within the day, so
    that a page kept for the day (`prb.web.kept`) changes only because voting closed."""
    item = item_under_review(world, meeting(world, written=True, number=number))
    item.meeting.deadline = utcnow() + timedelta(minutes=1)
    db.session.commit()
    return item
