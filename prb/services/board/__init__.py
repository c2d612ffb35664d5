"""Use cases of the Programme Review Board: its members and rules of procedure, scheduling,
agendas, attendance, votes, conflicts of interest, and closing items into recorded
decisions.

The package is split by concern; this module re-exports what the rest of PRB uses, so
callers write `from prb.services import board` and `board.cast_vote(...)`."""

from prb.services.board.agenda import (
    AGENDA_CHOICES,
    add_extension_to_agenda,
    add_to_agenda,
    agenda_choices,
    extension_choices,
    schedulable_extensions,
    schedulable_proposals,
)
from prb.services.board.agenda_page import PageItem, agenda_items, meeting_page
from prb.services.board.attendance import mark_present, record_attendance
from prb.services.board.closing import Terms
from prb.services.board.corrections import (
    Correction,
    cancel_meeting,
    correct_meeting,
    defer_item,
    withdraw_item,
)
from prb.services.board.deadlines import close_due
from prb.services.board.decisions import close_item, code_to_type
from prb.services.board.meetings import (
    MeetingInput,
    attendance,
    cancellation,
    get_meeting,
    has_closed_item,
    is_final,
    meeting_id_of,
    schedule_meeting,
    suggested_number,
    written_procedure_days,
)
from prb.services.board.members import (
    Member,
    automatic_recusal,
    board_chair,
    board_members,
    recusals,
    seat_holders,
    seat_on,
    sits_on,
)
from prb.services.board.queries import (
    awaiting_list,
    awaiting_vote,
    decisions_for,
    items_for,
    list_meetings,
    open_meetings,
)
from prb.services.board.rules import (
    RulesInput,
    add_rules,
    ensure_rules,
    proposed_rules,
    rules_on,
    summary,
    versions,
)
from prb.services.board.seats import (
    SeatInput,
    add_seat,
    end_seat,
    mark_chair,
    seat_candidates,
    seats,
)
from prb.services.board.snapshots import Considered, considered
from prb.services.board.tally import ItemCount, count, count_meeting
from prb.services.board.votes import (
    absence_refusal,
    cast_vote,
    declare_conflict,
    record_conflict,
    record_vote,
)

__all__ = [
    "AGENDA_CHOICES",
    "Considered",
    "Correction",
    "ItemCount",
    "MeetingInput",
    "Member",
    "PageItem",
    "RulesInput",
    "SeatInput",
    "Terms",
    "absence_refusal",
    "add_extension_to_agenda",
    "add_rules",
    "add_seat",
    "add_to_agenda",
    "agenda_choices",
    "agenda_items",
    "attendance",
    "automatic_recusal",
    "awaiting_list",
    "awaiting_vote",
    "board_chair",
    "board_members",
    "cancel_meeting",
    "cancellation",
    "cast_vote",
    "close_due",
    "close_item",
    "code_to_type",
    "considered",
    "correct_meeting",
    "count",
    "count_meeting",
    "decisions_for",
    "declare_conflict",
    "defer_item",
    "end_seat",
    "ensure_rules",
    "extension_choices",
    "get_meeting",
    "has_closed_item",
    "is_final",
    "items_for",
    "list_meetings",
    "mark_chair",
    "mark_present",
    "meeting_id_of",
    "meeting_page",
    "open_meetings",
    "proposed_rules",
    "record_attendance",
    "record_conflict",
    "record_vote",
    "recusals",
    "rules_on",
    "schedulable_extensions",
    "schedulable_proposals",
    "schedule_meeting",
    "seat_candidates",
    "seat_holders",
    "seat_on",
    "seats",
    "sits_on",
    "suggested_number",
    "summary",
    "versions",
    "withdraw_item",
    "written_procedure_days",
]
