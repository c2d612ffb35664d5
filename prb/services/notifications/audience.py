"""Who hears of what (issue 14 §3): for each event, the people it concerns, and no one else.

Deciding only — no message is written here. Each function reads who holds which role, which
group's chairs there are today, who sits on the Board on a meeting's date and who is recused
from an item, and returns active accounts, each once, in a fixed order. The outbox (and the
in-app list) store what is sent to them, in the transaction of the change that caused it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import select

from prb.extensions import db
from prb.models import AgendaItem, Meeting, Notification, Proposal, User, UserRole, Vote
from prb.services.board.members import board_members, recusals
from workflows import Role


class Event(StrEnum):
    PROPOSAL_SUBMITTED = "proposal_submitted"
    REVIEW_STARTED = "review_started"
    SENT_BACK = "sent_back"
    DECIDED = "decided"
    DEFERRED = "deferred"
    ON_AGENDA = "on_agenda"
    WRITTEN_PROCEDURE_OPENED = "written_procedure_opened"
    DEADLINE_NEAR = "deadline_near"
    MINUTES_FINALISED = "minutes_finalised"
    PROJECT_APPROVED = "project_approved"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_DECIDED = "extension_decided"
    PROJECT_ENDING = "project_ending"
    DISBURSEMENT_RECORDED = "disbursement_recorded"
    MEETING_CHANGED = "meeting_changed"
    REPORT_OVERDUE = "report_overdue"


@dataclass(frozen=True)
class Kind:
    """What an event is called in preferences and the README's table, and who hears of it."""

    label: str
    audience: str


EVENTS: dict[Event, Kind] = {
    Event.PROPOSAL_SUBMITTED: Kind("A proposal was submitted", "the secretariat"),
    Event.REVIEW_STARTED: Kind("Review of a proposal began", "the working group’s chairs"),
    Event.SENT_BACK: Kind("A proposal was sent back for revision", "the working group’s chairs"),
    Event.DECIDED: Kind("The Board decided on a proposal", "the working group’s chairs"),
    Event.DEFERRED: Kind(
        "The Board deferred a proposal or an extension to a later meeting",
        "the working group’s chairs",
    ),
    Event.ON_AGENDA: Kind("An item was placed on a meeting’s agenda", "the members who vote on it"),
    Event.WRITTEN_PROCEDURE_OPENED: Kind(
        "A written procedure opened", "the members who vote on it (with its deadline)"
    ),
    Event.DEADLINE_NEAR: Kind(
        "48 hours before a written procedure’s deadline",
        "the members who vote on it and have not voted",
    ),
    Event.MINUTES_FINALISED: Kind(
        "Minutes were finalised", "the meeting’s members and the secretariat"
    ),
    Event.PROJECT_APPROVED: Kind("A project was approved", "finance"),
    Event.EXTENSION_REQUESTED: Kind("An extension was requested", "finance"),
    Event.EXTENSION_DECIDED: Kind(
        "The Board decided on an extension", "the working group’s chairs and finance"
    ),
    Event.PROJECT_ENDING: Kind(
        "A project ends in 60 or in 30 days", "the working group’s chairs and finance"
    ),
    Event.DISBURSEMENT_RECORDED: Kind("A disbursement was recorded", "the working group’s chairs"),
    Event.MEETING_CHANGED: Kind(
        "A meeting was corrected or cancelled",
        "the members invited to it (with the updated or cancelled calendar entry)",
    ),
    Event.REPORT_OVERDUE: Kind(
        "A project’s progress or final report is overdue (once per report)",
        "the working group’s chairs",
    ),
}


def _once(groups: Iterable[Iterable[User]]) -> list[User]:
    """Active accounts, each once (a chair who is also in finance hears once), by id."""
    found = {u.id: u for group in groups for u in group if u.active}
    return [found[k] for k in sorted(found)]


def holders(role: Role) -> list[User]:
    """The active accounts holding `role`."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.id.in_(select(UserRole.user_id).where(UserRole.role == str(role))),
            )
            .order_by(User.id)
        ).unique()
    )


def group_chairs(proposal: Proposal) -> list[User]:
    """The chairs of the proposal's working group today (as the permission checks see them)."""
    return [u for u in proposal.working_group.chairs if u.has_role(Role.CHAIR)]


def voters(item: AgendaItem) -> list[User]:
    """The members who vote on the item: seated on the meeting's date, not recused."""
    day: date = item.meeting.held_on
    members = board_members(day)
    recused = recusals(item, members)
    return [m.user for m in members if m.id not in recused]


def proposal_audience(event: Event, proposal: Proposal) -> list[User]:
    """Who hears of an event about a proposal or project (not the Board's own events)."""
    if event == Event.PROPOSAL_SUBMITTED:
        return _once([holders(Role.SECRETARIAT)])
    if event in (Event.REVIEW_STARTED, Event.SENT_BACK, Event.DECIDED, Event.DEFERRED):
        return _once([group_chairs(proposal)])
    if event in (Event.PROJECT_APPROVED, Event.EXTENSION_REQUESTED):
        return _once([holders(Role.FINANCE)])
    if event in (Event.EXTENSION_DECIDED, Event.PROJECT_ENDING):
        return _once([group_chairs(proposal), holders(Role.FINANCE)])
    if event in (Event.DISBURSEMENT_RECORDED, Event.REPORT_OVERDUE):
        return _once([group_chairs(proposal)])
    raise ValueError(f"{event} is not about a proposal")


def item_audience(event: Event, item: AgendaItem) -> list[User]:
    """Who hears of an event about an agenda item: those who vote on it; 48 hours before a
    written procedure's deadline, only those of them who have not voted."""
    if event in (Event.ON_AGENDA, Event.WRITTEN_PROCEDURE_OPENED):
        return _once([voters(item)])
    if event == Event.DEADLINE_NEAR:
        voted = set(db.session.scalars(select(Vote.member_id).where(Vote.item_id == item.id)))
        return _once([[m for m in voters(item) if m.id not in voted]])
    raise ValueError(f"{event} is not about an agenda item")


def meeting_audience(event: Event, meeting: Meeting) -> list[User]:
    """Minutes finalised: the members seated on the meeting's date, and the secretariat. A
    meeting corrected or cancelled: those it invited (told of an item on its agenda)."""
    if event == Event.MINUTES_FINALISED:
        seated = [m.user for m in board_members(meeting.held_on)]
        return _once([seated, holders(Role.SECRETARIAT)])
    if event == Event.MEETING_CHANGED:
        invited = select(Notification.user_id).where(
            Notification.event.in_([str(Event.ON_AGENDA), str(Event.WRITTEN_PROCEDURE_OPENED)]),
            Notification.link == f"/board/meetings/{meeting.id}",
        )
        return _once([db.session.scalars(select(User).where(User.id.in_(invited))).unique()])
    raise ValueError(f"{event} is not about a meeting")
