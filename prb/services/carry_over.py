"""Carrying an undecided proposal over to a later call or programme (the secretariat's
use case: the report's victims-of-terrorism proposal, "under consideration", moves on to the
next programme). The status stays; the proposal's programme and call change, and its history
says from where to where, who and when."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from prb.extensions import db
from prb.models import AgendaItem, Call, FundingProgramme, Proposal, User, utcnow
from prb.services import audit, calls
from prb.services.access import get_visible_proposal, require_role
from prb.services.errors import Conflict, Invalid
from prb.services.once import spend
from prb.services.transaction import committed
from workflows import PROPOSAL, ItemState, ProposalState, Role

# Undecided: the Board has not approved, rejected, nor seen it withdrawn.
CARRYABLE: frozenset[str] = frozenset(
    {ProposalState.SUBMITTED, ProposalState.UNDER_REVIEW, ProposalState.REVISION_REQUESTED}
)
REASON_LIMIT = 2000
# The audit event of a carry-over; its values before and after name the programme and call.
CARRIED_OVER = "carried_over"


@dataclass
class CarryOverInput:
    call_id: int | None = None
    programme_id: int | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        self.reason = (self.reason or "").strip()


def place(programme: FundingProgramme, call: Call | None) -> str:
    """Where a proposal stands, as its history names it."""
    if call is None:
        return f"{programme.code} (no call)"
    return f"{programme.code}, call “{call.title}”"


def can_carry_over(actor: User, proposal: Proposal) -> bool:
    return actor.has_role(Role.SECRETARIAT) and proposal.status in CARRYABLE


def _open_agenda_item(proposal_id: int) -> AgendaItem | None:
    stmt = select(AgendaItem).where(
        AgendaItem.proposal_id == proposal_id, AgendaItem.status == ItemState.OPEN
    )
    return db.session.scalars(stmt.limit(1)).unique().first()


def _target(
    proposal: Proposal, current_call: Call | None, data: CarryOverInput
) -> tuple[FundingProgramme, Call | None]:
    errors: dict[str, list[str]] = {}
    call = db.session.get(Call, data.call_id) if data.call_id else None
    programme = db.session.get(FundingProgramme, data.programme_id) if data.programme_id else None
    if data.call_id and call is None:
        errors["call_id"] = ["Choose a call from the list."]
    if data.programme_id and programme is None:
        errors["programme_id"] = ["Choose a programme from the list."]
    if not data.call_id and not data.programme_id:
        errors["call_id"] = ["Choose the call, or the programme, to carry the proposal to."]
    if call is not None:
        if programme is not None and call.programme_id != programme.id:
            errors["call_id"] = [
                f"The call “{call.title}” is for {call.programme.code}, not {programme.code}."
            ]
        programme = call.programme
        if proposal.working_group not in call.working_groups:
            errors.setdefault("call_id", []).append(
                f"The call “{call.title}” is not open to {proposal.working_group.name}."
            )
        if calls.phase_of(call) == calls.CallPhase.CLOSED:
            errors.setdefault("call_id", []).append(
                f"The call “{call.title}” has closed: choose a call that is open or to come."
            )
        if current_call is not None and call.opens_at <= current_call.opens_at:
            errors.setdefault("call_id", []).append(
                f"The call “{call.title}” is not later than the proposal's call "
                f"“{current_call.title}”."
            )
    if programme is not None and programme.retired_at is not None:
        errors.setdefault("programme_id", []).append(f"{programme.code} is retired.")
    if programme is not None and programme.id == proposal.programme_id and call is None:
        errors.setdefault("call_id", []).append(
            f"The proposal is already in {programme.code}: choose a later call, or another "
            "programme."
        )
    if len(data.reason) > REASON_LIMIT:
        errors["reason"] = [f"Keep the reason under {REASON_LIMIT:,} characters."]
    if errors:
        raise Invalid(
            "The proposal was not carried over: please correct the fields marked below.", errors
        )
    assert programme is not None
    return programme, call


def carry_over(
    actor: User, proposal_id: int, data: CarryOverInput, *, once: str | None = None
) -> Proposal:
    """The secretariat carries an undecided proposal to a later call and/or programme."""
    require_role(actor, Role.SECRETARIAT, action="carry a proposal over")
    with committed():
        spend(once, actor, "carry over")
        proposal = get_visible_proposal(actor, proposal_id, for_update=True)
        if proposal.status not in CARRYABLE:
            allowed = ", ".join(s.label.lower() for s in PROPOSAL.states if s.name in CARRYABLE)
            raise Conflict(
                f"This proposal is {proposal.status_label}: only an undecided proposal "
                f"({allowed}) can be carried over."
            )
        item = _open_agenda_item(proposal.id)
        if item is not None:
            raise Conflict(
                f"This proposal is item {item.position} of {item.meeting.kind_label.lower()} "
                f"{item.meeting.number}, which is still open: it can be carried over once "
                "that item is closed."
            )
        old_programme = proposal.programme
        old_call = db.session.get(Call, proposal.call_id) if proposal.call_id else None
        programme, call = _target(proposal, old_call, data)
        proposal.programme = programme
        proposal.call_id = call.id if call else None
        db.session.flush()
        comment = f"Carried over from {place(old_programme, old_call)} to {place(programme, call)}."
        if data.reason:
            comment += f" {data.reason}"
        entry = audit.record_change(
            CARRIED_OVER,
            actor=actor,
            role=Role.SECRETARIAT,
            subject="proposal",
            subject_id=proposal.id,
            before={"programme": old_programme.code, "call": old_call.title if old_call else None},
            after={"programme": programme.code, "call": call.title if call else None},
            comment=comment,
        )
        # In the proposal's own history as well as in the audit of changes.
        entry.proposal_id = proposal.id
    return proposal


def targets(proposal: Proposal) -> tuple[list[Call], list[FundingProgramme]]:
    """The calls (open or to come, open to its group, later than its own) and programmes
    (not retired) a proposal may be carried to: the carry-over form's choices."""
    now = utcnow()
    current = db.session.get(Call, proposal.call_id) if proposal.call_id else None
    stmt = select(Call).where(Call.closes_at > now, Call.id != (proposal.call_id or -1))
    if current is not None:
        stmt = stmt.where(Call.opens_at > current.opens_at)
    eligible = [
        c
        for c in db.session.scalars(stmt.order_by(Call.opens_at)).unique()
        if proposal.working_group in c.working_groups
    ]
    programmes = list(
        db.session.scalars(
            select(FundingProgramme)
            .where(FundingProgramme.retired_at.is_(None))
            .order_by(FundingProgramme.code)
        )
    )
    return eligible, programmes
