"""Meetings and written procedures: scheduling, reading, attendance as recorded, and the
locks the other use cases take on a meeting or an agenda item (recording attendance:
`attendance.py`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from prb.extensions import db
from prb.models import (
    AgendaItem,
    Attendance,
    AuditRecord,
    Meeting,
    MinutesVersion,
    User,
    utcnow,
)
from prb.services import audit
from prb.services.access import require_role
from prb.services.board.members import board_chair, sits_on
from prb.services.board.rules import (
    FIRST_WRITTEN_PROCEDURE_DAYS,
    rules_for_date,
    rules_on,
)
from prb.services.calendar import long_date
from prb.services.errors import Conflict, Invalid, NotFound
from prb.services.once import refuse_replay, spend
from prb.services.transaction import committed, locked
from workflows import ItemState, MeetingKind, Role

NUMBER_PATTERN = re.compile(r"^[A-Z][A-Z0-9-]{1,15}/\d{4}/\d{1,3}$")


@dataclass
class MeetingInput:
    number: str
    kind: str
    held_on: date | None
    place: str = ""
    # None: the Board chair of that date (the seat marked chair).
    chair_id: int | None = None
    # Written procedure: when voting closes (None: the rules' default period). Recorded
    # after the fact: when it closed.
    deadline: datetime | None = None
    # The meeting already took place: the secretariat enters its record (past dates).
    recorded_after: bool = False


def suggested_number(today: date | None = None) -> str:
    year = (today or utcnow().date()).year
    prefix = f"PRB/{year}/"
    existing = db.session.scalars(select(Meeting.number).where(Meeting.number.startswith(prefix)))
    numbers = [int(n.rsplit("/", 1)[1]) for n in existing if n.rsplit("/", 1)[1].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


def default_deadline(opens_on: date, days: int) -> datetime:
    """A written procedure's deadline when none is given: the end of the rules' period."""
    return datetime.combine(opens_on + timedelta(days=days), time(23, 59), tzinfo=UTC)


def written_procedure_days(on: date | None = None) -> int:
    """The default period of a written procedure under the rules in force (for the form)."""
    rules = rules_on(on or utcnow().date())
    return rules.written_procedure_days if rules else FIRST_WRITTEN_PROCEDURE_DAYS


def dates_problems(data: MeetingInput, errors: dict[str, list[str]]) -> None:
    """A live meeting lies ahead; one recorded after the fact lies behind."""
    now = utcnow()
    written = data.kind == MeetingKind.WRITTEN_PROCEDURE
    if data.held_on is None:
        errors["held_on"] = ["Give the date."]
    elif data.recorded_after and data.held_on > now.date():
        errors["held_on"] = ["A meeting that already took place has a date up to today."]
    elif not data.recorded_after and data.held_on < now.date():
        errors["held_on"] = [
            "The date has passed. To enter a meeting that already took place, tick "
            "“this meeting already took place”."
        ]
    if not written:
        return
    if data.recorded_after:
        if data.deadline is None:
            errors["deadline"] = ["Give the time voting closed."]
        elif data.deadline > now:
            errors["deadline"] = ["Voting of a past written procedure closed in the past."]
        elif data.held_on is not None and data.deadline.date() < data.held_on:
            errors["deadline"] = ["Voting cannot close before the procedure opened."]
    elif data.deadline is not None and data.deadline <= now:
        errors["deadline"] = ["The deadline must be in the future."]
    elif data.deadline is not None and data.held_on and data.deadline.date() < data.held_on:
        # Members would be asked to vote on a procedure whose voting closed before it opened.
        errors["deadline"] = ["Voting cannot close before the procedure opens."]


def schedule_meeting(actor: User, data: MeetingInput, *, once: str | None = None) -> Meeting:
    require_role(actor, Role.SECRETARIAT, action="schedule Board meetings")
    refuse_replay(once, actor)
    errors: dict[str, list[str]] = {}
    number = data.number.strip().upper()
    if not NUMBER_PATTERN.match(number):
        errors["number"] = ["Use the form PRB/2018/03."]
    elif db.session.scalar(select(Meeting.id).where(Meeting.number == number)):
        errors["number"] = [f"{number} already exists."]
    if data.kind not in set(MeetingKind):
        errors["kind"] = ["Choose a meeting or a written procedure."]
    if len(data.place) > 200:
        errors["place"] = ["Keep the place under 200 characters."]
    written = data.kind == MeetingKind.WRITTEN_PROCEDURE
    if not written and not data.place.strip():
        errors["place"] = ["Give the place, or “virtual”."]
    dates_problems(data, errors)
    chair = db.session.get(User, data.chair_id) if data.chair_id else None
    # A past meeting's chair may have left the office since: her seat then decides.
    if data.chair_id and (chair is None or not chair.has_role(Role.BOARD_MEMBER)):
        errors["chair_id"] = ["The chair must be a board member."]
    elif chair is not None and data.held_on is not None and not sits_on(chair, data.held_on):
        errors["chair_id"] = [
            f"{chair.name} has no seat on the Board on {long_date(data.held_on)}."
        ]
    if errors:
        raise Invalid("The meeting was not scheduled: please correct the fields marked.", errors)
    assert data.held_on is not None
    try:
        with committed():
            spend(once, actor, "schedule meeting")
            rules = rules_for_date(data.held_on, actor=actor)
            deadline = None
            if written:
                deadline = data.deadline or default_deadline(
                    data.held_on, rules.written_procedure_days
                )
            meeting = Meeting(
                number=number,
                kind=data.kind,
                held_on=data.held_on,
                place=data.place.strip() or ("by correspondence" if written else ""),
                deadline=deadline,
                chair=chair if chair is not None else board_chair(data.held_on),
                created_by_id=actor.id,
                recorded_after=data.recorded_after,
            )
            db.session.add(meeting)
            db.session.flush()
            audit.record(
                "meeting_scheduled",
                actor=actor,
                role=Role.SECRETARIAT,
                comment=f"{meeting.kind_label} {meeting.number}"
                + (
                    f" of {long_date(meeting.held_on)}, recorded after the fact by "
                    f"{actor.name} on {long_date(utcnow().date())}"
                    if meeting.recorded_after
                    else ""
                ),
            )
    except IntegrityError:
        raise Conflict(f"{number} was scheduled by someone else a moment ago.") from None
    return meeting


def get_meeting(actor: User, meeting_id: int) -> Meeting:
    require_role(
        actor, Role.BOARD_MEMBER, Role.SECRETARIAT, Role.FINANCE, action="see Board meetings"
    )
    meeting = db.session.get(Meeting, meeting_id, options=[selectinload(Meeting.items)])
    if meeting is None:
        raise NotFound(f"There is no meeting number {meeting_id}.")
    return meeting


def decided_on(meeting: Meeting, now: datetime) -> date:
    """When the Board decided: a meeting's date; a written procedure's closing — its last
    vote or the secretariat's close before the deadline, else the deadline itself."""
    if meeting.is_written_procedure and meeting.deadline is not None:
        return min(now, meeting.deadline).date()
    return meeting.held_on


def meeting_is_open(meeting: Meeting) -> bool:
    """Open for agenda items and votes. A procedure recorded after the fact closed in the
    past by definition, and stays open while the secretariat enters its record."""
    if meeting.recorded_after:
        return True
    return not (meeting.deadline is not None and meeting.deadline <= utcnow())


def lock_open_meeting(meeting_id: int) -> Meeting:
    meeting = db.session.scalars(
        select(Meeting).where(Meeting.id == meeting_id).with_for_update(of=Meeting)
    ).one_or_none()
    if meeting is None:
        raise NotFound(f"There is no meeting number {meeting_id}.")
    refuse_if_frozen(meeting)
    if not meeting_is_open(meeting):
        raise Conflict(f"The written procedure {meeting.number} has passed its deadline.")
    return meeting


def is_final(meeting: Meeting) -> bool:
    """The minutes are final once a version is stored: the record is then frozen."""
    return (
        db.session.scalar(
            select(MinutesVersion.id).where(MinutesVersion.meeting_id == meeting.id).limit(1)
        )
        is not None
    )


# How the audit trail names a meeting as the subject of a change (not its kind).
MEETING_SUBJECT = "meeting"


def cancelled_where(meeting_id: ColumnElement[int] | int) -> list[ColumnElement[bool]]:
    """The audit row that records a meeting's cancellation, as conditions (a meeting's id,
    or a correlated column for a list of meetings)."""
    return [
        AuditRecord.event == "meeting_cancelled",
        AuditRecord.subject == MEETING_SUBJECT,
        AuditRecord.subject_id == meeting_id,
    ]


def cancellation(meeting: Meeting) -> AuditRecord | None:
    """The record of the meeting's cancellation (None: not cancelled). Kept in the audit
    trail: a cancelled meeting is one whose items were all withdrawn, with a reason."""
    return db.session.scalars(
        select(AuditRecord).where(*cancelled_where(meeting.id)).limit(1)
    ).first()


def refuse_if_frozen(meeting: Meeting) -> None:
    """Final minutes freeze the record; a cancelled meeting takes nothing more."""
    if cancellation(meeting) is not None:
        raise Conflict(f"{meeting.number} was cancelled: its record can no longer change.")
    if is_final(meeting):
        raise Conflict(
            f"The minutes of {meeting.number} are final: its record can no longer change. "
            "A correction is made by a corrigendum to the minutes."
        )


def has_closed_item(meeting: Meeting) -> bool:
    """An item decided or deferred: the meeting's facts are then part of a decision."""
    return (
        db.session.scalar(
            select(AgendaItem.id)
            .where(
                AgendaItem.meeting_id == meeting.id,
                AgendaItem.status.in_([ItemState.DECIDED, ItemState.DEFERRED]),
            )
            .limit(1)
        )
        is not None
    )


def lock_meeting(meeting_id: int) -> Meeting:
    meeting = db.session.scalars(
        select(Meeting)
        .where(Meeting.id == meeting_id)
        .with_for_update(of=Meeting)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if meeting is None:
        raise NotFound(f"There is no meeting number {meeting_id}.")
    return meeting


def attendance(meeting: Meeting) -> dict[int, bool]:
    """member id → recorded present (two columns: the members are read apart)."""
    rows = db.session.execute(
        select(Attendance.member_id, Attendance.present).where(Attendance.meeting_id == meeting.id)
    )
    return {member_id: present for member_id, present in rows}


def lock_item(item_id: int) -> AgendaItem:
    """The item, locked after its meeting. A vote, a closing or a declared conflict checks
    the meeting's facts (attendance, date, rules) with the item's; attendance and the
    meeting's corrections are checked under the meeting's lock. Taking it here too keeps the
    two apart on PostgreSQL (where row locks are all there is; SQLite has one writer at a
    time): a member marked absent while her vote was being written would leave the minutes
    a vote that cannot be. Always meeting, then item: no two of them wait on each other."""
    lock_meeting(meeting_id_of(item_id))
    return locked(AgendaItem, item_id, "agenda item")


def meeting_id_of(item_id: int) -> int:
    meeting_id = db.session.scalar(select(AgendaItem.meeting_id).where(AgendaItem.id == item_id))
    if meeting_id is None:
        raise NotFound(f"There is no agenda item number {item_id}.")
    return meeting_id
