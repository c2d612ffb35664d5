"""Service-level rules that no page shows directly: codes, board-decision triggers, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord
from prb.services import lifecycle
from prb.services.codes import lock_programme, next_project_code
from prb.services.errors import Conflict, NotAllowed
from tests import factories
from workflows import ProposalState, ProposalTrigger, Role

S, T = ProposalState, ProposalTrigger


def approve(proposal, actor):  # type: ignore[no-untyped-def]
    lifecycle.transition(proposal, T.APPROVE, actor=actor, roles=frozenset({Role.BOARD_DECISION}))
    db.session.commit()


def test_approval_by_board_decision_assigns_the_next_free_letter(world) -> None:
    first = factories.proposal(world, status=S.UNDER_REVIEW)
    taken = factories.proposal(world, status=S.ONGOING, project_code="UNCCT-2017-73-b")
    second = factories.proposal(world, status=S.UNDER_REVIEW)
    third = factories.proposal(world, status=S.UNDER_REVIEW)
    for p in (first, second, third):
        approve(p, world.secretariat)
    assert taken.project_code == "UNCCT-2017-73-b"
    assert [first.project_code, second.project_code, third.project_code] == [
        "UNCCT-2017-73-a",
        "UNCCT-2017-73-c",
        "UNCCT-2017-73-d",
    ]
    record = db.session.scalars(
        select(AuditRecord).where(AuditRecord.proposal_id == first.id)
    ).one()
    assert (record.event, record.actor_role, record.to_state) == (
        "approve",
        "board_decision",
        S.APPROVED,
    )


def test_letters_continue_past_z(world) -> None:
    for i in range(26):
        factories.proposal(world, status=S.APPROVED, project_code=f"UNCCT-2017-73-{chr(97 + i)}")
    assert next_project_code(lock_programme(world.programme.id)) == "UNCCT-2017-73-aa"


def test_a_user_cannot_approve_even_through_the_service(world) -> None:
    proposal = factories.proposal(world, status=S.UNDER_REVIEW)
    for person in (world.secretariat, world.board_chair, world.chair_a):
        with pytest.raises(NotAllowed):
            lifecycle.fire(person, proposal.id, T.APPROVE)
    db.session.expire_all()
    assert proposal.status == S.UNDER_REVIEW and proposal.project_code is None


def test_finance_guards_hold_projects_until_the_ledger_exists(world) -> None:
    proposal = factories.proposal(world, status=S.APPROVED, project_code="UNCCT-2017-73-a")
    with pytest.raises(Conflict, match="No commitment of funds"):
        lifecycle.fire(world.finance, proposal.id, T.INITIATE)
    db.session.expire_all()
    assert proposal.status == S.APPROVED


def test_a_refused_transition_leaves_no_audit_record(world) -> None:
    proposal = factories.proposal(world, status=S.DRAFT, complete=False)
    with pytest.raises(Conflict, match="Complete these fields"):
        lifecycle.fire(world.chair_a, proposal.id, T.SUBMIT)
    assert db.session.scalar(select(func.count(AuditRecord.id))) == 0
    db.session.expire_all()
    assert proposal.status == S.DRAFT and proposal.submitted_at is None


def test_secretariat_cancels_with_a_reason(world) -> None:
    proposal = factories.proposal(world, status=S.APPROVED, project_code="UNCCT-2017-73-a")
    lifecycle.fire(world.secretariat, proposal.id, T.CANCEL, comment="Implementing entity withdrew")
    assert proposal.status == S.CANCELLED
