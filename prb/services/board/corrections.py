"""Corrections before the record is final: a meeting's facts (number, date, place, chair,
a written procedure's deadline) while no item has closed, items withdrawn before anyone
voted, a meeting cancelled. Once the minutes are final, only a corrigendum to them corrects
the record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from prb.extensions import db
from prb.models import AgendaItem, Meeting, User, Vote, utcnow
from prb.services import audit
from prb.services.access import require_role
from prb.services.board import snapshots
from prb.services.board.agenda import arrived_after
from prb.services.board.meetings import (
    MEETING_SUBJECT,
    NUMBER_PATTERN,
    MeetingInput,
    dates_problems,
    has_closed_item,
    lock_item,
    lock_meeting,
    lock_open_meeting,
    refuse_if_frozen,
)
from prb.services.board.members import sits_on
from prb.services.board.rules import long_date
from prb.services.calendar import utc_time
from prb.services.errors import Conflict, Invalid
from prb.services.transaction import committed
from workflows import AGENDA_ITEM, ItemTrigger, Role
from workflows.definition import TransitionRefused


@dataclass
class Correction:
    """The facts of a meeting the secretariat may correct before any item closes."""

    number: str
    held_on: date | None
    place: str
    chair_id: int | None
    # A written procedure's time voting closes (UTC); None keeps it. A meeting has none.
    deadline: datetime | None = None


def _facts(meeting: Meeting) -> dict[str, object]:
    return {
        "number": meeting.number,
        "held_on": meeting.held_on.isoformat(),
        "place": meeting.place,
        "chair": meeting.chair.name if meeting.chair else None,
        "deadline": meeting.deadline.isoformat() if meeting.deadline else None,
    }


def correct_meeting(actor: User, meeting_id: int, data: Correction) -> Meeting:
    """Correct a meeting's number, date, place or chair — or a written procedure's deadline —
    while no item has closed: the decisions read the date from the meeting, so the
    correction carries through to them. A deadline is moved only before it passes (then the
    items close with the votes cast), to a time still ahead; the members are told, with
    their calendar entry updated."""
    require_role(actor, Role.SECRETARIAT, action="correct Board meetings")
    try:
        return _correct(actor, meeting_id, data)
    except IntegrityError:
        raise Conflict(f"{data.number.strip().upper()} was taken a moment ago.") from None


def _correct(actor: User, meeting_id: int, data: Correction) -> Meeting:
    with committed():
        meeting = lock_meeting(meeting_id)
        refuse_if_frozen(meeting)
        if has_closed_item(meeting):
            raise Conflict(
                f"An item of {meeting.number} is closed: its number, date, place and chair are "
                "part of a decision now. Once the minutes are final, a corrigendum records "
                "a correction."
            )
        errors: dict[str, list[str]] = {}
        number = data.number.strip().upper()
        if not NUMBER_PATTERN.match(number):
            errors["number"] = ["Use the form PRB/2018/03."]
        elif number != meeting.number and db.session.scalar(
            select(Meeting.id).where(Meeting.number == number)
        ):
            errors["number"] = [f"{number} already exists."]
        place = data.place.strip()
        if len(place) > 200:
            errors["place"] = ["Keep the place under 200 characters."]
        elif not meeting.is_written_procedure and not place:
            errors["place"] = ["Give the place, or “virtual”."]
        deadline = _deadline(meeting, data.deadline)
        if data.held_on != meeting.held_on or deadline != meeting.deadline:
            dates_problems(
                MeetingInput(
                    number=number,
                    kind=meeting.kind,
                    held_on=data.held_on,
                    deadline=deadline,
                    recorded_after=meeting.recorded_after,
                ),
                errors,
            )
            if (
                "held_on" not in errors
                and data.held_on is not None
                and deadline is not None
                and data.held_on > deadline.date()
            ):
                errors["held_on"] = ["A written procedure opens before its deadline."]
            too_early = None if data.held_on is None else arrived_after(meeting, data.held_on)
            if "held_on" not in errors and too_early is not None:
                errors["held_on"] = [too_early]
            _mark_only_what_changed(
                errors, data.held_on != meeting.held_on, deadline != meeting.deadline
            )
        chair = db.session.get(User, data.chair_id) if data.chair_id else None
        # A past meeting's chair may have left the office since: her seat then decides.
        if chair is None or not chair.has_role(Role.BOARD_MEMBER):
            errors["chair_id"] = ["The chair must be a board member."]
        elif data.held_on is not None and not sits_on(chair, data.held_on):
            errors["chair_id"] = [
                f"{chair.name} has no seat on the Board on {long_date(data.held_on)}."
            ]
        if errors:
            raise Invalid(
                "The meeting was not corrected: please correct the fields marked.", errors
            )
        assert data.held_on is not None and chair is not None
        before = _facts(meeting)
        meeting.number, meeting.held_on = number, data.held_on
        meeting.place = place or ("by correspondence" if meeting.is_written_procedure else "")
        meeting.chair_id = chair.id
        meeting.deadline = deadline
        db.session.flush()
        db.session.refresh(meeting, ["chair"])
        after = _facts(meeting)
        if after == before:
            raise Invalid("Nothing was changed.", {"number": ["Change at least one field."]})
        audit.record_change(
            "meeting_corrected",
            actor=actor,
            role=Role.SECRETARIAT,
            subject=MEETING_SUBJECT,
            subject_id=meeting.id,
            before=before,
            after=after,
            comment=f"{before['number']} corrected before any item closed",
        )
        notification_events().meeting_changed(meeting, cancelled=False)
        notification_events().meeting_moved(meeting)
    return meeting


def _mark_only_what_changed(
    errors: dict[str, list[str]], date_changed: bool, deadline_changed: bool
) -> None:
    """A date and a deadline that disagree: the message goes beside the one the user
    changed, not beside the one she left as it was."""
    if "held_on" in errors and "deadline" in errors and date_changed != deadline_changed:
        del errors["deadline" if date_changed else "held_on"]


def _deadline(meeting: Meeting, wanted: datetime | None) -> datetime | None:
    """The deadline the corrected meeting will have: a meeting has none; a written
    procedure keeps its own unless another is given, and one that has passed stays."""
    current = meeting.deadline
    if not meeting.is_written_procedure or wanted is None:
        return current
    if current is not None and wanted == current.replace(second=0, microsecond=0):
        return current  # the form shows minutes: sent back unchanged, it is unchanged
    if (
        wanted != current
        and current is not None
        and not meeting.recorded_after
        and current <= utcnow()
    ):
        raise Conflict(
            f"Voting on {meeting.number} closed at {utc_time(current)}: its items close with "
            "the votes cast, and the deadline can no longer be moved."
        )
    return wanted


def _withdraw(actor: User, item: AgendaItem, reason: str) -> None:
    """Withdraw a locked item in the caller's transaction. It stays on the agenda, on
    record as withdrawn; its proposal (or extension request) may go on another agenda."""
    if db.session.scalar(select(Vote.id).where(Vote.item_id == item.id).limit(1)) is not None:
        raise Conflict(
            f"Item {item.position} of {item.meeting.number} has a vote: it can no longer be "
            "withdrawn. Close it, or defer it to a later meeting, instead."
        )
    _close_undecided(
        actor,
        item,
        ItemTrigger.WITHDRAW,
        note=f"Withdrawn from the agenda: {reason}",
        event="withdrawn_from_agenda",
        comment=reason,
    )


def _close_undecided(
    actor: User, item: AgendaItem, trigger: ItemTrigger, *, note: str, event: str, comment: str
) -> None:
    """Close a locked, open item with no decision (withdrawn, deferred by the Board's
    choice): on record with its note, its snapshot and the audit's line."""
    try:
        AGENDA_ITEM.fire(item, trigger, {Role.SECRETARIAT}, {})
    except TransitionRefused as exc:
        raise Conflict(exc.refusal.message) from None
    item.closed_at = utcnow()
    item.closed_by_id = actor.id
    item.outcome_note = note
    snapshots.take_closed(item, item.closed_at)
    notification_events().item_closed(item)
    audit.record(
        event,
        actor=actor,
        role=Role.SECRETARIAT,
        proposal=item.proposal,
        comment=f"{item.meeting.kind_label} {item.meeting.number}, item {item.position}: "
        + comment,
    )


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise Invalid("Say why.", {"reason": ["Say why."]})
    if len(reason) > 1000:
        raise Invalid(
            "Keep the reason under 1,000 characters.",
            {"reason": ["Keep the reason under 1,000 characters."]},
        )
    return reason


def _open_item(item_id: int) -> AgendaItem:
    """The item, locked, while its meeting's record may still change and it is open."""
    item = lock_item(item_id)
    refuse_if_frozen(item.meeting)
    if not item.is_open:
        raise Conflict(f"Item {item.position} is already closed ({item.status_label}).")
    return item


def withdraw_item(actor: User, item_id: int, reason: str) -> AgendaItem:
    """The secretariat takes an item no one has voted on off the agenda."""
    require_role(actor, Role.SECRETARIAT, action="build agendas")
    reason = _reason(reason)
    with committed():
        item = _open_item(item_id)
        _withdraw(actor, item, reason)
    return item


def defer_item(actor: User, item_id: int, reason: str) -> AgendaItem:
    """The secretariat records that the Board deferred an item without deciding it, votes
    or none: the question is left to a later meeting (an approval the envelope cannot take
    until it is raised, papers missing). Votes already cast stay on record; the proposal or
    extension request stays under review and may go on another agenda."""
    require_role(actor, Role.SECRETARIAT, action="close agenda items")
    reason = _reason(reason)
    with committed():
        item = _open_item(item_id)
        _close_undecided(
            actor,
            item,
            ItemTrigger.DEFER,
            note=reason,
            event="item_deferred",
            comment=f"deferred by the Board — {reason}",
        )
        notification_events().deferred(item)
    return item


def cancel_meeting(actor: User, meeting_id: int, reason: str) -> Meeting:
    """Cancel a meeting none of whose items has closed: every open item is withdrawn (so
    none may have a vote), and the cancellation is on record in the audit trail."""
    require_role(actor, Role.SECRETARIAT, action="cancel Board meetings")
    reason = _reason(reason)
    with committed():
        meeting = lock_open_meeting(meeting_id)
        if has_closed_item(meeting):
            raise Conflict(
                f"An item of {meeting.number} is closed: a meeting that decided or deferred "
                "an item took place and cannot be cancelled."
            )
        for item in [i for i in meeting.items if i.is_open]:
            _withdraw(actor, lock_item(item.id), f"{meeting.number} cancelled — {reason}")
        audit.record_change(
            "meeting_cancelled",
            actor=actor,
            role=Role.SECRETARIAT,
            subject=MEETING_SUBJECT,
            subject_id=meeting.id,
            before={"number": meeting.number, "cancelled": False},
            after={"number": meeting.number, "cancelled": True},
            comment=f"{meeting.kind_label} {meeting.number} cancelled: {reason}",
        )
        notification_events().meeting_changed(meeting, cancelled=True)
    return meeting


def notification_events():  # type: ignore[no-untyped-def]
    """Imported when used: the notifications read the Board's seats, from this package."""
    from prb.services.notifications import events

    return events
