"""What a proposal chooses from — programmes, calls, entities, its programme's results
framework — with the checks that a choice is on its list, and what the form offers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from prb.extensions import db
from prb.models import (
    Call,
    Entity,
    FundingProgramme,
    Proposal,
    ResultsOutput,
    User,
    WorkingGroup,
    utcnow,
)
from prb.services import calls
from prb.services.proposal_rules import ProposalInput
from workflows import ProposalState


def results_outputs(programme_id: int | None, *, retired: bool = False) -> list[str]:
    """The programme's results-framework outputs offered on the form, by label (with
    `retired`, also those no longer offered)."""
    if programme_id is None:
        return []
    stmt = select(ResultsOutput.label).where(ResultsOutput.programme_id == programme_id)
    if not retired:
        stmt = stmt.where(ResultsOutput.retired_at.is_(None))
    return list(db.session.scalars(stmt.order_by(ResultsOutput.label)))


def check_alignment(
    data: ProposalInput,
    programme: FundingProgramme,
    current: Proposal | None,
    errors: dict[str, list[str]],
) -> None:
    """With a results framework, the alignment is one of its outputs (an output retired since
    it was chosen may stay; it is no longer offered to anyone else)."""
    value = data.results_alignment
    offered = results_outputs(programme.id)
    if not value or not offered or value in offered:
        return
    kept = (
        current is not None
        and current.programme_id == programme.id
        and current.results_alignment == value
        and value in results_outputs(programme.id, retired=True)
    )
    if not kept:
        errors.setdefault("results_alignment", []).append(
            f"Choose an output of the {programme.code} results framework from the list."
        )


def check_call(
    data: ProposalInput,
    programme: FundingProgramme,
    current: Proposal | None,
    errors: dict[str, list[str]],
) -> None:
    """A chosen call belongs to the programme and is open to the group. Its window is checked
    when the proposal is submitted (a draft may be written for a call that opens later)."""
    if data.call_id is None:
        return
    call = db.session.get(Call, data.call_id)
    problem = None
    if call is None:
        problem = "Choose a call from the list."
    elif call.programme_id != programme.id:
        problem = (
            f"The call “{call.title}” is for {call.programme.code}: choose that programme, "
            "or another call."
        )
    elif data.working_group_id is not None and data.working_group_id not in {
        g.id for g in call.working_groups
    }:
        problem = f"The call “{call.title}” is not open to the working group chosen."
    elif (current is None or current.call_id != call.id) and (
        calls.phase_of(call) == calls.CallPhase.CLOSED
    ):
        problem = f"The call “{call.title}” has closed."
    if problem:
        errors.setdefault("call_id", []).append(problem)


@dataclass(frozen=True)
class FormContext:
    """What the proposal form offers a chair, and the call it is written for."""

    programme_id: int | None  # the programme chosen, or the one a new form opens on
    programmes: list[FundingProgramme]
    entities: list[Entity]
    calls: list[Call]  # open and upcoming calls of her groups
    call: Call | None  # the call the form is for: its guidance is shown
    call_phase: calls.CallPhase | None
    outputs: list[str]  # the programme's results framework (empty: the field is free text)


def form_context(
    actor: User,
    *,
    programme_id: int | None,
    working_group_id: int | None,
    call_id: int | None,
    proposal: Proposal | None = None,
) -> FormContext:
    if proposal is not None and proposal.status != ProposalState.DRAFT:
        offered = [proposal.programme]  # it moves only by the secretariat's carry-over
    else:
        offered = [
            p
            for p in programmes()
            if (p.retired_at is None and p.open_for_proposals)
            or (proposal is not None and p.id == proposal.programme_id)
        ]
    call_choices = calls.calls_for_chair(actor)
    own_call = db.session.get(Call, proposal.call_id) if proposal and proposal.call_id else None
    if own_call is not None and own_call not in call_choices:
        call_choices.append(own_call)
    call = next((c for c in call_choices if c.id == call_id), None) if call_id else own_call
    # A new form opens on the chosen call's programme, or on the latest programme.
    programme_id = (
        programme_id
        or (call.programme_id if call is not None else None)
        or (offered[-1].id if offered else None)
    )
    if call is None and programme_id and working_group_id:
        call = calls.open_call(programme_id, working_group_id, utcnow())
    return FormContext(
        programme_id=programme_id,
        programmes=offered,
        entities=entities(),
        calls=call_choices,
        call=call,
        call_phase=calls.phase_of(call) if call else None,
        outputs=results_outputs(programme_id),
    )


def programmes() -> list[FundingProgramme]:
    return list(db.session.scalars(select(FundingProgramme).order_by(FundingProgramme.code)))


def entities() -> list[Entity]:
    return list(db.session.scalars(select(Entity).order_by(Entity.code)))


def working_groups() -> list[WorkingGroup]:
    return list(db.session.scalars(select(WorkingGroup).order_by(WorkingGroup.name)))
