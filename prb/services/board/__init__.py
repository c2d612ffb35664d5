"""Use cases of the Programme Review Board: scheduling, agendas, attendance, votes,
conflicts of interest, and closing items into recorded decisions.

The package is split by concern; this module re-exports what the rest of PRB uses, so
callers write `from prb.services import board` and `board.cast_vote(...)`."""

from prb.services.board.closing import Terms
from prb.services.board.decisions import close_due, close_item
from prb.services.board.meetings import (
    AGENDA_CHOICES,
    MeetingInput,
    add_extension_to_agenda,
    add_to_agenda,
    attendance,
    get_meeting,
    list_meetings,
    meeting_id_of,
    record_attendance,
    schedulable_extensions,
    schedulable_proposals,
    schedule_meeting,
    suggested_number,
)
from prb.services.board.members import automatic_recusal, board_members, recusals
from prb.services.board.queries import awaiting_vote, decisions_for, items_for, open_meetings
from prb.services.board.rules import rule
from prb.services.board.tally import ItemCount, count, count_meeting
from prb.services.board.votes import cast_vote, declare_conflict

__all__ = [
    "AGENDA_CHOICES",
    "ItemCount",
    "MeetingInput",
    "Terms",
    "add_extension_to_agenda",
    "add_to_agenda",
    "attendance",
    "automatic_recusal",
    "awaiting_vote",
    "board_members",
    "cast_vote",
    "close_due",
    "close_item",
    "count",
    "count_meeting",
    "decisions_for",
    "declare_conflict",
    "get_meeting",
    "items_for",
    "list_meetings",
    "meeting_id_of",
    "open_meetings",
    "record_attendance",
    "recusals",
    "rule",
    "schedulable_extensions",
    "schedulable_proposals",
    "schedule_meeting",
    "suggested_number",
]
