"""The submission rule: a chair submits only while a call of the proposal's programme is open
to its working group, and the programme still takes proposals. (A resubmission after a
revision request is not a new submission: the workflow does not ask this of it.)"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from prb.extensions import db
from prb.models import Call, FundingProgramme, Proposal, WorkingGroup
from prb.services.calls.queries import for_groups, open_call
from prb.services.calls.windows import CallPhase, phase_of, window_text
from prb.services.errors import Conflict


def _no_open_call(programme: FundingProgramme, group: WorkingGroup, now: datetime) -> str:
    message = f"No call is open for {group.name} in {programme.code}."
    nearby = for_groups(select(Call), frozenset({group.id})).where(
        Call.programme_id == programme.id
    )
    upcoming = db.session.scalars(
        nearby.where(Call.opens_at > now).order_by(Call.opens_at).limit(1)
    ).first()
    if upcoming is not None:
        return f"{message} The next call, “{upcoming.title}”, is open {window_text(upcoming)}."
    last = db.session.scalars(
        nearby.where(Call.closes_at <= now).order_by(Call.closes_at.desc()).limit(1)
    ).first()
    if last is not None:
        return f"{message} The last call, “{last.title}”, was open {window_text(last)}."
    return message


def submission_call(proposal: Proposal, now: datetime) -> tuple[Call | None, str | None]:
    """The call a submission of `proposal` now falls in, or why there is none.

    The draft's own call when it chose one, else the open call of its programme for its
    working group. The programme must still take proposals.
    """
    programme = proposal.programme
    group = proposal.working_group
    if programme.retired_at is not None:
        return None, f"The programme {programme.code} is retired: it takes no more proposals."
    if not programme.open_for_proposals:
        return None, f"The programme {programme.code} is closed for proposals."
    if proposal.call_id is None:
        call = open_call(programme.id, group.id, now)
        return (call, None) if call is not None else (None, _no_open_call(programme, group, now))
    call = db.session.get(Call, proposal.call_id)
    assert call is not None  # a foreign key
    if call.programme_id != programme.id:
        return None, (
            f"The call “{call.title}” is for {call.programme.code}, not {programme.code}: "
            "choose a call of the proposal's programme."
        )
    if group not in call.working_groups:
        return None, f"The call “{call.title}” is not open to {group.name}."
    when = phase_of(call, now)
    if when == CallPhase.OPEN:
        return call, None
    if when == CallPhase.UPCOMING:
        problem = f"The call “{call.title}” is open {window_text(call)}: it has not opened yet."
    else:
        problem = f"The call “{call.title}” was open {window_text(call)}: it has closed."
    other = open_call(programme.id, group.id, now)
    if other is not None:
        problem += f" The call “{other.title}” is open now: choose it on the proposal form."
    return None, problem


def call_for_submission(proposal: Proposal, now: datetime) -> Call:
    call, problem = submission_call(proposal, now)
    if call is None:
        raise Conflict(problem or "No call is open for this proposal.")
    return call
