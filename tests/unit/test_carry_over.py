"""The secretariat carries an undecided proposal to a later call or programme; its history
says from where to where, who and when."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from prb.extensions import db
from prb.models import AuditRecord, utcnow
from prb.services import board, carry_over, lifecycle
from prb.services.carry_over import CarryOverInput
from prb.services.errors import Conflict, Invalid, NotAllowed, NotFound
from tests import factories
from tests.board_helpers import item_under_review
from tests.call_helpers import DAY, call, next_programme
from workflows import ProposalState, ProposalTrigger

S, T = ProposalState, ProposalTrigger


def _history(proposal_id: int) -> list[AuditRecord]:
    return list(
        db.session.scalars(
            select(AuditRecord)
            .where(AuditRecord.proposal_id == proposal_id)
            .order_by(AuditRecord.id)
        )
    )


@pytest.mark.parametrize("status", [S.SUBMITTED, S.UNDER_REVIEW, S.REVISION_REQUESTED])
def test_an_undecided_proposal_moves_to_a_later_call_of_the_next_programme(world, status) -> None:  # type: ignore[no-untyped-def]
    """The report's victims-of-terrorism proposal, "under consideration" in UNCCT-2017-73."""
    now = utcnow()
    victims = factories.proposal(
        world,
        status=status,
        title="Supporting victims of terrorism",
        call_id=world.call.id,
    )
    programme = next_programme()
    next_call = call(
        programme,
        [world.group_a, world.group_b],
        opens=now + 5 * DAY,
        closes=now + 60 * DAY,
        title="Call 2019–2020",
    )
    carry_over.carry_over(
        world.secretariat,
        victims.id,
        CarryOverInput(call_id=next_call.id, reason="Under consideration at PRB/2018/04."),
    )
    db.session.expire_all()
    assert victims.status == status  # the Board still has to decide it
    assert (victims.programme_id, victims.call_id) == (programme.id, next_call.id)
    (record,) = _history(victims.id)
    assert record.event == "carried_over" and record.summary == "Carried over"
    assert (record.actor_id, record.actor_role) == (world.secretariat.id, "secretariat")
    assert record.at.tzinfo is not None
    assert record.comment == (
        "Carried over from UNCCT-2017-73, call “Open call (test world)” to "
        "UNCCT-2019-02-79, call “Call 2019–2020”. Under consideration at PRB/2018/04."
    )
    assert (record.subject, record.subject_id) == ("proposal", victims.id)
    assert json.loads(record.before or "") == {
        "programme": "UNCCT-2017-73",
        "call": "Open call (test world)",
    }
    assert json.loads(record.after or "") == {
        "programme": "UNCCT-2019-02-79",
        "call": "Call 2019–2020",
    }


def test_to_a_programme_without_a_call_yet(world) -> None:
    proposal = factories.proposal(world, status=S.UNDER_REVIEW, call_id=world.call.id)
    programme = next_programme()
    carry_over.carry_over(world.secretariat, proposal.id, CarryOverInput(programme_id=programme.id))
    db.session.expire_all()
    assert (proposal.programme_id, proposal.call_id) == (programme.id, None)
    assert _history(proposal.id)[0].comment == (
        "Carried over from UNCCT-2017-73, call “Open call (test world)” to "
        "UNCCT-2019-02-79 (no call)."
    )


@pytest.mark.parametrize("status", [S.APPROVED, S.REJECTED, S.WITHDRAWN, S.ONGOING, S.COMPLETED])
def test_a_decided_proposal_is_not_carried_over(world, status) -> None:  # type: ignore[no-untyped-def]
    proposal = factories.proposal(world, status=status, call_id=world.call.id)
    programme = next_programme()
    with pytest.raises(Conflict, match="only an undecided proposal"):
        carry_over.carry_over(
            world.secretariat, proposal.id, CarryOverInput(programme_id=programme.id)
        )
    db.session.expire_all()
    assert (proposal.programme_id, proposal.call_id) == (world.programme.id, world.call.id)
    assert _history(proposal.id) == []


def test_a_draft_is_the_chair_s_own_and_unseen_by_the_secretariat(world) -> None:
    draft = factories.proposal(world, call_id=world.call.id)
    with pytest.raises(NotFound):
        carry_over.carry_over(
            world.secretariat, draft.id, CarryOverInput(programme_id=next_programme().id)
        )


def test_not_while_it_sits_on_an_open_agenda_item(world) -> None:
    item = item_under_review(world)
    programme = next_programme()
    with pytest.raises(Conflict, match="item 1 of meeting PRB/2018/03, which is still open"):
        carry_over.carry_over(
            world.secretariat, item.proposal_id, CarryOverInput(programme_id=programme.id)
        )
    db.session.expire_all()
    assert item.proposal.programme_id == world.programme.id
    assert "carried_over" not in [r.event for r in _history(item.proposal_id)]
    # Closed without a decision (nobody voted: no quorum), it is still undecided and moves on.
    board.close_item(world.secretariat, item.id)
    db.session.expire_all()
    assert item.proposal.status == S.UNDER_REVIEW
    carry_over.carry_over(
        world.secretariat, item.proposal_id, CarryOverInput(programme_id=programme.id)
    )
    assert item.proposal.programme_id == programme.id


@pytest.mark.parametrize("who", ["chair_a", "board_chair", "finance"])
def test_only_the_secretariat_carries_over(world, who: str) -> None:
    proposal = factories.proposal(world, status=S.UNDER_REVIEW)
    programme = next_programme()
    with pytest.raises(NotAllowed):
        carry_over.carry_over(
            getattr(world, who), proposal.id, CarryOverInput(programme_id=programme.id)
        )
    db.session.expire_all()
    assert proposal.programme_id == world.programme.id


def test_the_target_must_be_a_later_call_open_to_the_group(world) -> None:
    now = utcnow()
    programme = next_programme()
    proposal = factories.proposal(world, status=S.SUBMITTED, call_id=world.call.id)
    closed = call(programme, [world.group_a], opens=now - 9 * DAY, closes=now - DAY, title="Old")
    only_b = call(programme, [world.group_b], title="Legal only")
    earlier = call(
        programme,
        [world.group_a],
        opens=world.call.opens_at,
        closes=now + 90 * DAY,
        title="Not later",
    )
    cases = [
        (CarryOverInput(), "call_id", "Choose the call, or the programme"),
        (CarryOverInput(call_id=closed.id), "call_id", "has closed"),
        (CarryOverInput(call_id=only_b.id), "call_id", f"not open to {world.group_a.name}"),
        (CarryOverInput(call_id=earlier.id), "call_id", "is not later than"),
        (CarryOverInput(programme_id=world.programme.id), "call_id", "already in UNCCT-2017-73"),
        (
            CarryOverInput(call_id=world.call.id, programme_id=programme.id),
            "call_id",
            "is for UNCCT-2017-73, not UNCCT-2019-02-79",
        ),
        (CarryOverInput(programme_id=999_999), "programme_id", "from the list"),
        (CarryOverInput(programme_id=programme.id, reason="x" * 2001), "reason", "under 2,000"),
    ]
    for data, field, words in cases:
        with pytest.raises(Invalid) as refused:
            carry_over.carry_over(world.secretariat, proposal.id, data)
        assert words in " ".join(refused.value.fields[field]), (data, refused.value.fields)
    db.session.expire_all()
    assert (proposal.programme_id, proposal.call_id) == (world.programme.id, world.call.id)
    assert _history(proposal.id) == []


def test_a_carried_proposal_sent_back_for_revision_resubmits_outside_any_window(world) -> None:
    proposal = factories.proposal(world, status=S.REVISION_REQUESTED, call_id=world.call.id)
    programme = next_programme()  # no call at all yet
    carry_over.carry_over(world.secretariat, proposal.id, CarryOverInput(programme_id=programme.id))
    lifecycle.fire(world.chair_a, proposal.id, T.RESUBMIT)
    assert proposal.status == S.SUBMITTED and proposal.programme_id == programme.id


def test_the_choices_offered(world) -> None:
    now = utcnow()
    programme = next_programme()
    retired = next_programme("UNCCT-2010-01")
    retired.retired_at = now
    later = call(programme, [world.group_a], opens=now + DAY, closes=now + 9 * DAY)
    call(programme, [world.group_b], title="Not for group A")
    call(programme, [world.group_a], opens=now - 9 * DAY, closes=now - DAY, title="Closed")
    proposal = factories.proposal(world, status=S.SUBMITTED, call_id=world.call.id)
    calls_offered, programmes_offered = carry_over.targets(proposal)
    assert calls_offered == [later]
    assert [p.code for p in programmes_offered] == ["UNCCT-2017-73", "UNCCT-2019-02-79"]
