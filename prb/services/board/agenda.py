"""Agendas: what can be put on one, and putting it there."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, case, func, or_, select
from sqlalchemy.orm import raiseload

from prb.extensions import db
from prb.models import AgendaItem, ExtensionRequest, Meeting, Proposal, SnapshotStage, User
from prb.services import audit, extensions
from prb.services.access import require_role
from prb.services.board import snapshots
from prb.services.board.agenda_page import ItemExtension
from prb.services.board.meetings import lock_open_meeting
from prb.services.board.queries import display_code
from prb.services.calendar import long_date, start_of_day_after
from prb.services.errors import Conflict, NotFound
from prb.services.once import spend
from prb.services.sql import written_in
from prb.services.transaction import committed
from workflows import ExtensionState, ExtensionTrigger, ItemState, ProposalState, Role
from workflows.extension import EXTENDABLE_PROJECT_STATES

AGENDA_CHOICES = 50


def _schedulable(stmt):  # type: ignore[no-untyped-def]
    """Proposals under review that are not on an open agenda item, those waiting longest
    first."""
    on_agenda = select(AgendaItem.proposal_id).where(
        AgendaItem.status == written_in(ItemState.OPEN), AgendaItem.extension_id.is_(None)
    )
    return stmt.where(
        Proposal.status == written_in(ProposalState.UNDER_REVIEW), Proposal.id.not_in(on_agenda)
    ).order_by(Proposal.submitted_at, Proposal.id)


def schedulable_proposals(limit: int = AGENDA_CHOICES) -> list[Proposal]:
    """Proposals under review that are not on an open agenda item, those waiting longest
    first — at most `limit`, so that the choice stays readable (and the page fast)."""
    return list(
        db.session.scalars(
            _schedulable(select(Proposal).options(raiseload(Proposal.implementing_entities))).limit(
                limit
            )
        ).unique()
    )


@cache
def _choices() -> Select[tuple[int, str | None, str]]:
    return (
        _schedulable(select(Proposal.id, Proposal.project_code, Proposal.title))
        # (No submission on record: entered before PRB kept one; the service decides.)
        .where(or_(Proposal.submitted_at.is_(None), Proposal.submitted_at < bindparam("until")))
        .limit(bindparam("limit"))
    )


def agenda_choices(held_on: date, limit: int = AGENDA_CHOICES) -> list[tuple[int, str]]:
    """`schedulable_proposals` as the agenda's pick list names them: (id, "code — title"),
    read as three plain columns (the meeting page lists them on every view) by a statement
    built once. Only those submitted by the meeting's day (`held_on`): a meeting entered
    after the fact cannot have considered a proposal submitted since."""
    rows = db.session.execute(_choices(), {"limit": limit, "until": start_of_day_after(held_on)})
    return [(r.id, f"{display_code(r.id, r.project_code)} — {r.title}") for r in rows]


def _schedulable_extensions(stmt):  # type: ignore[no-untyped-def]
    """Extension requests finance has reviewed that are not on an open agenda item."""
    on_agenda = select(AgendaItem.extension_id).where(
        AgendaItem.status == written_in(ItemState.OPEN), AgendaItem.extension_id.is_not(None)
    )
    waiting = [ExtensionState.REQUESTED, ExtensionState.UNDER_REVIEW]
    # Of a project that can still be extended: one completed or cancelled since its request
    # was made has nothing left for the Board to decide (it closed such an item "not decided").
    extendable = select(Proposal.id).where(
        Proposal.status.in_([written_in(state) for state in EXTENDABLE_PROJECT_STATES])
    )
    return stmt.where(
        ExtensionRequest.status.in_([written_in(state) for state in waiting]),
        ExtensionRequest.finance_review != written_in(""),
        ExtensionRequest.id.not_in(on_agenda),
        ExtensionRequest.proposal_id.in_(extendable),
    ).order_by(ExtensionRequest.requested_at)


def schedulable_extensions() -> list[ExtensionRequest]:
    """Extension requests finance has reviewed that are not on an open agenda item."""
    return list(db.session.scalars(_schedulable_extensions(select(ExtensionRequest))).unique())


@cache
def _extension_choices() -> Select[Any]:
    return _schedulable_extensions(
        select(
            ExtensionRequest.id,
            ExtensionRequest.months,
            ExtensionRequest.period_start,
            ExtensionRequest.new_end,
            ExtensionRequest.additional_funds,
            Proposal.id.label("proposal_id"),
            Proposal.project_code,
        ).join(Proposal, Proposal.id == ExtensionRequest.proposal_id)
    ).where(ExtensionRequest.requested_at < bindparam("until"))


def extension_choices(held_on: date) -> list[tuple[int, str]]:
    """`schedulable_extensions` as the agenda's pick list names them: (id, "code — extension
    summary"), read as plain columns by a statement built once; only those requested by the
    meeting's day."""
    choices = []
    for r in db.session.execute(_extension_choices(), {"until": start_of_day_after(held_on)}):
        request = ItemExtension(
            r.id, r.months, r.period_start, r.new_end, r.additional_funds, "", ""
        )
        # `ExtensionRequest.summary` reads the months, the period and the funds.
        summary = ExtensionRequest.summary.fget(request)  # type: ignore[attr-defined]
        choices.append(
            (r.id, f"{display_code(r.proposal_id, r.project_code)} — extension {summary}")
        )
    return choices


def add_to_agenda(
    actor: User, meeting_id: int, proposal_id: int, *, once: str | None = None
) -> AgendaItem:
    require_role(actor, Role.SECRETARIAT, action="build agendas")
    with committed():
        spend(once, actor, "add to agenda")
        meeting = lock_open_meeting(meeting_id)
        proposal = (
            db.session.scalars(
                select(Proposal).where(Proposal.id == proposal_id).with_for_update(of=Proposal)
            )
            .unique()
            .one_or_none()
        )
        if proposal is None:
            raise NotFound(f"There is no proposal number {proposal_id}.")
        if proposal.status != ProposalState.UNDER_REVIEW:
            raise Conflict(
                f"{proposal.display_code} is {proposal.status_label}; only proposals under "
                "review can go on an agenda."
            )
        already = db.session.scalar(
            select(Meeting.number)
            .join(AgendaItem)
            .where(
                AgendaItem.proposal_id == proposal.id,
                AgendaItem.extension_id.is_(None),
                AgendaItem.status == ItemState.OPEN,
            )
        )
        if already:
            raise Conflict(f"{proposal.display_code} is already on the agenda of {already}.")
        _refuse_if_later(meeting, proposal.submitted_at, f"{proposal.display_code} was submitted")
        position = next_position(meeting)
        item = AgendaItem(
            meeting=meeting,
            proposal=proposal,
            position=position,
            status=ItemState.OPEN,
            proposed_budget=proposal.requested_budget,
            proposed_duration_months=proposal.duration_months,
            proposed_start=proposal.planned_start,
        )
        db.session.add(item)
        db.session.flush()
        snapshots.take(item, SnapshotStage.PLACED)
        audit.record(
            "placed_on_agenda",
            actor=actor,
            role=Role.SECRETARIAT,
            proposal=proposal,
            comment=f"{meeting.kind_label} {meeting.number}, item {position}",
        )
        notification_events().placed_on_agenda(item)
    return item


def add_extension_to_agenda(
    actor: User, meeting_id: int, extension_id: int, *, once: str | None = None
) -> AgendaItem:
    require_role(actor, Role.SECRETARIAT, action="build agendas")
    with committed():
        spend(once, actor, "add extension to agenda")
        meeting = lock_open_meeting(meeting_id)
        ext = (
            db.session.scalars(
                select(ExtensionRequest)
                .where(ExtensionRequest.id == extension_id)
                .with_for_update(of=ExtensionRequest)
            )
            .unique()
            .one_or_none()
        )
        if ext is None:
            raise NotFound(f"There is no extension request number {extension_id}.")
        already = db.session.scalar(
            select(Meeting.number)
            .join(AgendaItem)
            .where(AgendaItem.extension_id == ext.id, AgendaItem.status == ItemState.OPEN)
        )
        if already:
            raise Conflict(f"This extension request is already on the agenda of {already}.")
        extensions.refuse_if_project_ended(ext)
        _refuse_if_later(meeting, ext.requested_at, "This extension was requested")
        if ext.status == ExtensionState.REQUESTED:
            extensions.fire(
                ext,
                ExtensionTrigger.START_REVIEW,
                actor,
                actor.roles,
                f"{meeting.kind_label} {meeting.number}",
            )
        elif ext.status != ExtensionState.UNDER_REVIEW:
            raise Conflict(f"The extension request is {ext.status_label}.")
        item = AgendaItem(
            meeting=meeting,
            proposal_id=ext.proposal_id,
            extension=ext,
            position=next_position(meeting),
            status=ItemState.OPEN,
        )
        db.session.add(item)
        db.session.flush()
        snapshots.take(item, SnapshotStage.PLACED)
        audit.record(
            "placed_on_agenda",
            actor=actor,
            role=Role.SECRETARIAT,
            proposal=ext.proposal,
            comment=f"Extension request: {meeting.kind_label} {meeting.number}, "
            f"item {item.position}",
        )
        notification_events().placed_on_agenda(item)
    return item


def arrived_after(meeting: Meeting, held_on: date) -> str | None:
    """Why the meeting cannot be dated `held_on`: an item on its agenda reached PRB later
    (None: none did). The first such item in the agenda's order is named."""
    # One narrow statement: loading the items read each one's proposal, request, votes,
    # decision and snapshots, for one date each.
    arrived = case(
        (AgendaItem.extension_id.is_not(None), ExtensionRequest.requested_at),
        else_=Proposal.submitted_at,
    )
    late = db.session.execute(
        select(AgendaItem.position, AgendaItem.extension_id, arrived)
        .join(Proposal, Proposal.id == AgendaItem.proposal_id)
        .outerjoin(ExtensionRequest, ExtensionRequest.id == AgendaItem.extension_id)
        .where(AgendaItem.meeting_id == meeting.id, arrived >= start_of_day_after(held_on))
        .order_by(AgendaItem.position)
        .limit(1)
    ).first()
    if late is None:
        return None
    position, extension_id, at = late
    what = "submitted" if extension_id is None else "requested"
    return (
        f"Item {position} was {what} on {long_date(at.date())}: the meeting cannot have "
        "considered it before."
    )


def _refuse_if_later(meeting: Meeting, at: datetime | None, what: str) -> None:
    """The Board cannot have considered, at a meeting entered after the fact, what reached
    PRB after the meeting's day."""
    if at is not None and at >= start_of_day_after(meeting.held_on):
        raise Conflict(
            f"{what} on {long_date(at.date())}, after {meeting.number} of "
            f"{long_date(meeting.held_on)}: that meeting cannot have considered it. Put it on "
            "a later meeting; a project the Board approved before PRB comes in by Import."
        )


def next_position(meeting: Meeting) -> int:
    return (
        db.session.scalar(
            select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id)
        )
        or 0
    ) + 1


def notification_events():  # type: ignore[no-untyped-def]
    """Imported when used: the notifications read the Board's seats, from this package."""
    from prb.services.notifications import events

    return events
