"""What a proposal chooses from — programmes, calls, working groups, entities, its
programme's results framework — with the checks that a choice is on its list, and what the
form offers. Retired reference data (and a programme closed for proposals) is neither
offered nor accepted, except what the proposal being edited already names."""

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
from prb.services.reference import offered_entities, offered_programmes, offered_working_groups
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


def check_programme(
    programme: FundingProgramme, current: Proposal | None, errors: dict[str, list[str]]
) -> None:
    """A new choice of programme is one that takes proposals; a draft keeps its own."""
    if current is not None and current.programme_id == programme.id:
        return
    if programme.retired_at is not None:
        problem = f"{programme.code} is retired: choose a current programme."
    elif not programme.open_for_proposals:
        problem = f"{programme.code} is closed for proposals: choose a programme open for them."
    else:
        return
    errors.setdefault("programme_id", []).append(problem)


def check_group(group_id: int, current: Proposal | None, errors: dict[str, list[str]]) -> None:
    """A retired group proposes nothing new; its existing proposals keep it."""
    if current is not None and current.working_group_id == group_id:
        return
    group = db.session.get(WorkingGroup, group_id)
    if group is not None and group.retired_at is not None:
        errors.setdefault("working_group_id", []).append(
            f"{group.name} is retired: it proposes nothing new."
        )


def check_entities(
    data: ProposalInput,
    chosen: list[Entity],
    current: Proposal | None,
    errors: dict[str, list[str]],
) -> None:
    """A retired entity is named only where the proposal already named it."""
    named = _entity_ids(current) if current is not None else set()
    for entity in chosen:
        if entity.retired_at is None or entity.id in named:
            continue
        field = "lead_entity_id" if entity.id == data.lead_entity_id else "implementing_entity_ids"
        errors.setdefault(field, []).append(f"{entity.code} is retired: choose a current entity.")


def _entity_ids(proposal: Proposal) -> set[int]:
    return {proposal.lead_entity_id, *(e.id for e in proposal.implementing_entities)}


@dataclass(frozen=True)
class FormContext:
    """What the proposal form offers a chair, and the call it is written for."""

    programme_id: int | None  # the programme chosen, or the one a new form opens on
    programmes: list[FundingProgramme]
    working_group_id: int | None  # the group chosen, or her only one
    groups: list[WorkingGroup]  # the groups she chairs that may propose
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
        offered = offered_programmes([proposal.programme_id] if proposal else [])
    own_group = [proposal.working_group_id] if proposal else []
    groups = [g for g in offered_working_groups(own_group) if g.id in actor.chaired_group_ids]
    if working_group_id is None and len(groups) == 1:
        working_group_id = groups[0].id
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
        working_group_id=working_group_id,
        groups=groups,
        entities=offered_entities(_entity_ids(proposal) if proposal else ()),
        calls=call_choices,
        call=call,
        call_phase=calls.phase_of(call) if call else None,
        outputs=results_outputs(programme_id),
    )


def programmes() -> list[FundingProgramme]:
    """Every programme, retired ones too: what the lists and reports filter by."""
    return list(db.session.scalars(select(FundingProgramme).order_by(FundingProgramme.code)))


def programme_codes() -> list[tuple[int, str]]:
    """(id, code) of every programme, retired ones too, by code: what a filter offers,
    without loading the programmes themselves."""
    return [
        (id_, code)
        for id_, code in db.session.execute(
            select(FundingProgramme.id, FundingProgramme.code).order_by(FundingProgramme.code)
        )
    ]


def working_groups() -> list[WorkingGroup]:
    """Every working group, retired ones too: what the lists and reports filter by."""
    return list(db.session.scalars(select(WorkingGroup).order_by(WorkingGroup.name)))


def working_group_names() -> list[tuple[int, str]]:
    """(id, name) of every working group, retired ones too, by name: what a filter offers,
    without loading the groups themselves."""
    return [
        (id_, name)
        for id_, name in db.session.execute(
            select(WorkingGroup.id, WorkingGroup.name).order_by(WorkingGroup.name)
        )
    ]
