"""Issue 12: a finalised meeting is frozen; its facts are corrected before any item closes;
attendance decides who votes; who has voted stays with the secretariat until closing."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from prb.extensions import db
from prb.models import AuditRecord, BoardMembership, Notification, utcnow
from prb.services import audit, board, calendar, invitations, minutes, proposals
from prb.services.errors import Conflict, Invalid, NotAllowed
from tests import factories
from tests.board_helpers import item_under_review, meeting
from workflows import ItemState, ProposalState, Role

S = ProposalState
FINAL = ("are final", "corrigendum")


def frozen(exc: Conflict) -> bool:
    return all(words in exc.message for words in FINAL)


def decided(world):  # type: ignore[no-untyped-def]
    """An item voted and closed at today's meeting, whose minutes are then final."""
    item = item_under_review(world)
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "approve")
    board.close_item(world.secretariat, item.id)
    minutes.finalise(world.secretariat, item.meeting_id)
    return item


def rules(world, **values):  # type: ignore[no-untyped-def]
    admin = factories.administrator(world)
    data = {"casting_vote": True, "written_procedure_days": 14, "absent_may_vote": False}
    return board.add_rules(admin, board.RulesInput(date(2017, 1, 1), "1/2", **{**data, **values}))


# -- a finalised meeting is frozen ---------------------------------------------------------


def test_attendance_and_agenda_are_refused_after_finalisation(world) -> None:
    item = decided(world)
    everyone = {world.board_chair.id, world.board_undp.id}
    with pytest.raises(Conflict) as attendance:
        board.record_attendance(world.secretariat, item.meeting_id, everyone)
    assert frozen(attendance.value)
    with pytest.raises(Conflict) as joining:
        board.mark_present(world.secretariat, item.meeting_id, world.board_cted.id)
    assert frozen(joining.value)
    later = factories.proposal(world, status=S.UNDER_REVIEW, title="Arrived late")
    with pytest.raises(Conflict) as agenda:
        board.add_to_agenda(world.secretariat, item.meeting_id, later.id)
    assert frozen(agenda.value)
    assert [i.id for i in board.get_meeting(world.secretariat, item.meeting_id).items] == [item.id]


def test_votes_and_conflicts_are_refused_after_finalisation(world) -> None:
    item = decided(world)
    with pytest.raises(Conflict) as vote:
        board.cast_vote(world.board_undp, item.id, "reject", change=True)
    assert frozen(vote.value)
    with pytest.raises(Conflict) as conflict:
        board.declare_conflict(world.board_chair, item.id, "I advised on it")
    assert frozen(conflict.value)


def test_entered_votes_are_refused_after_finalisation(world) -> None:
    m = board.schedule_meeting(
        world.secretariat,
        board.MeetingInput(
            "PRB/2018/01", "meeting", date(2018, 2, 15), "New York", recorded_after=True
        ),
    )
    board.record_attendance(world.secretariat, m.id, {world.board_chair.id, world.board_undp.id})
    proposal = factories.proposal(world, status=S.UNDER_REVIEW)
    item = board.add_to_agenda(world.secretariat, m.id, proposal.id)
    for member in (world.board_chair, world.board_undp):
        board.record_vote(world.secretariat, item.id, member.id, "approve")
    board.close_item(world.secretariat, item.id)
    minutes.finalise(world.secretariat, m.id)
    with pytest.raises(Conflict) as entered:
        board.record_vote(world.secretariat, item.id, world.board_undp.id, "reject")
    assert frozen(entered.value)
    with pytest.raises(Conflict) as conflict:
        board.record_conflict(world.secretariat, item.id, world.board_undp.id, "advised")
    assert frozen(conflict.value)


def test_an_empty_agenda_cannot_be_finalised(world) -> None:
    m = meeting(world)
    with pytest.raises(Conflict, match="no decided or deferred item"):
        minutes.finalise(world.secretariat, m.id)
    # an agenda whose only item was withdrawn has nothing to minute either
    item = item_under_review(world, m)
    board.withdraw_item(world.secretariat, item.id, "Not ready")
    with pytest.raises(Conflict, match="no decided or deferred item"):
        minutes.finalise(world.secretariat, m.id)
    assert minutes.versions(m) == []


# -- corrections before any item closes ----------------------------------------------------


def test_a_correction_before_closing_carries_through_to_the_decision(world) -> None:
    item = item_under_review(world)
    m = item.meeting
    later = utcnow().date() + timedelta(days=3)
    board.correct_meeting(
        world.secretariat,
        m.id,
        board.Correction("prb/2018/04", later, "Geneva", world.board_undp.id),
    )
    assert (m.number, m.held_on, m.place, m.chair_id) == (
        "PRB/2018/04",
        later,
        "Geneva",
        world.board_undp.id,
    )
    change = db.session.scalars(
        select(AuditRecord).where(AuditRecord.event == "meeting_corrected")
    ).one()
    assert change.subject == "meeting" and change.subject_id == m.id
    assert json.loads(change.before)["number"] == "PRB/2018/03"
    assert json.loads(change.after)["held_on"] == later.isoformat()
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "approve")
    board.close_item(world.secretariat, item.id)
    assert item.decision is not None and item.decision.decided_on == later
    with pytest.raises(Conflict, match="is closed"):
        board.correct_meeting(
            world.secretariat,
            m.id,
            board.Correction("PRB/2018/04", later, "New York", world.board_undp.id),
        )
    db.session.refresh(m)
    assert m.place == "Geneva"


def test_a_correction_keeps_the_scheduling_rules(world) -> None:
    m = meeting(world)
    yesterday = utcnow().date() - timedelta(days=1)
    with pytest.raises(Invalid) as refused:
        board.correct_meeting(
            world.secretariat,
            m.id,
            board.Correction(m.number, yesterday, "", world.secretariat.id),
        )
    assert set(refused.value.fields) == {"held_on", "place", "chair_id"}
    db.session.refresh(m)
    assert m.held_on == utcnow().date() and m.place == "New York"
    with pytest.raises(NotAllowed):
        board.correct_meeting(
            world.board_chair, m.id, board.Correction(m.number, m.held_on, "Rome", None)
        )


def test_an_item_without_a_vote_is_withdrawn_and_stays_on_record(world) -> None:
    item = item_under_review(world)
    board.withdraw_item(world.secretariat, item.id, "The chair asked for more time")
    assert item.status == ItemState.WITHDRAWN and "more time" in item.outcome_note
    m = board.get_meeting(world.secretariat, item.meeting_id)
    assert [i.id for i in m.items] == [item.id]
    assert item.proposal.status == S.UNDER_REVIEW
    # the proposal may go on another agenda
    again = board.add_to_agenda(
        world.secretariat, meeting(world, number="PRB/2018/04").id, item.proposal_id
    )
    assert again.is_open


def test_an_item_with_a_vote_cannot_be_withdrawn(world) -> None:
    item = item_under_review(world)
    board.cast_vote(world.board_undp, item.id, "approve")
    with pytest.raises(Conflict, match="has a vote"):
        board.withdraw_item(world.secretariat, item.id, "Not ready")
    assert item.is_open


def test_a_meeting_without_a_closed_item_is_cancelled(world) -> None:
    first = item_under_review(world)
    second = item_under_review(world, first.meeting)
    m = board.cancel_meeting(world.secretariat, first.meeting_id, "No quorum expected")
    assert {first.status, second.status} == {ItemState.WITHDRAWN}
    assert board.cancellation(m) is not None
    later = factories.proposal(world, status=S.UNDER_REVIEW)
    with pytest.raises(Conflict, match="cancelled"):
        board.add_to_agenda(world.secretariat, m.id, later.id)
    with pytest.raises(Conflict):
        minutes.finalise(world.secretariat, m.id)


def test_a_meeting_with_a_closed_item_cannot_be_cancelled(world) -> None:
    item = item_under_review(world)
    board.close_item(world.secretariat, item.id)  # deferred: no quorum
    with pytest.raises(Conflict, match="is closed"):
        board.cancel_meeting(world.secretariat, item.meeting_id, "Changed our minds")
    assert board.cancellation(item.meeting) is None


# -- attendance decides who votes ------------------------------------------------------------


def test_a_member_not_recorded_present_is_refused_with_the_reason(world) -> None:
    item = item_under_review(world, meeting(world, everyone_present=False))
    with pytest.raises(NotAllowed) as refused:
        board.cast_vote(world.board_undp, item.id, "approve")
    assert "not recorded present" in refused.value.message
    assert "may not vote" in refused.value.message
    assert item not in board.awaiting_vote(world.board_undp)
    board.mark_present(world.secretariat, item.meeting_id, world.board_undp.id)
    assert item in board.awaiting_vote(world.board_undp)
    assert board.cast_vote(world.board_undp, item.id, "approve").member_id == world.board_undp.id


def test_a_member_recorded_absent_is_left_out_of_awaiting_my_vote(world) -> None:
    item = item_under_review(world)
    assert item in board.awaiting_vote(world.board_undp)
    board.record_attendance(world.secretariat, item.meeting_id, {world.board_chair.id})
    assert item not in board.awaiting_vote(world.board_undp)
    with pytest.raises(NotAllowed, match="recorded absent"):
        board.cast_vote(world.board_undp, item.id, "approve")


def test_a_member_who_voted_cannot_be_recorded_absent(world) -> None:
    item = item_under_review(world)
    board.cast_vote(world.board_undp, item.id, "approve")
    with pytest.raises(Invalid, match="cannot be recorded absent"):
        board.record_attendance(world.secretariat, item.meeting_id, {world.board_chair.id})
    assert board.attendance(item.meeting)[world.board_undp.id] is True


def test_absent_members_vote_when_the_rules_allow_and_the_minutes_say_so(world) -> None:
    rules(world, absent_may_vote=True)
    item = item_under_review(world, meeting(world, everyone_present=False))
    board.record_attendance(world.secretariat, item.meeting_id, {world.board_chair.id})
    assert item in board.awaiting_vote(world.board_undp)
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "approve")
    board.close_item(world.secretariat, item.id)
    data = minutes.minutes_data(
        item.meeting, draft=True, secretary=None, version_label="Draft", generated_at=utcnow()
    )
    assert data.absent_voters == {item.id: ["Board Undp"]}
    record = json.loads(minutes.decisions_json(data))
    assert record["items"][0]["decision"]["votes_of_members_recorded_absent"] == ["Board Undp"]


# -- secrecy until closing -------------------------------------------------------------------


def chair_on_the_board(world):  # type: ignore[no-untyped-def]
    """A working-group chair who also sits on the Board for another entity: two roles."""
    chair = world.chair_a
    chair.set_roles({Role.CHAIR, Role.BOARD_MEMBER})
    db.session.add(BoardMembership(user=chair, entity=world.unodc, since=date(2000, 1, 1)))
    db.session.commit()
    return chair


def voters_in(history) -> set[str]:  # type: ignore[no-untyped-def]
    return {h.actor.name for h in history if h.event in audit.BALLOT_EVENTS and h.actor}


def test_no_voter_reaches_anyone_but_the_secretariat_before_closing(world) -> None:
    chair = chair_on_the_board(world)
    item = item_under_review(world, created_by=chair)
    board.cast_vote(world.board_chair, item.id, "approve")
    board.declare_conflict(world.board_undp, item.id, "I reviewed it for UNDP")
    proposal = item.proposal
    administrator = factories.administrator(world)
    for viewer in (chair, world.board_cted, world.finance, administrator):
        assert voters_in(proposals.history(proposal, viewer)) == set(), viewer.email
    names = {world.board_chair.name, world.board_undp.name}
    assert voters_in(proposals.history(proposal, world.secretariat)) == names
    board.close_item(world.secretariat, item.id)
    assert voters_in(proposals.history(proposal, chair)) == names


def test_a_new_item_hides_its_votes_but_not_those_of_the_closed_one(world) -> None:
    item = item_under_review(world)
    board.cast_vote(world.board_chair, item.id, "approve")
    board.close_item(world.secretariat, item.id)  # deferred: no quorum
    again = board.add_to_agenda(
        world.secretariat, meeting(world, number="PRB/2018/04").id, item.proposal_id
    )
    board.cast_vote(world.board_undp, again.id, "approve")
    seen = voters_in(proposals.history(item.proposal, world.chair_a))
    assert seen == {world.board_chair.name}


def test_draft_minutes_of_an_open_written_procedure_name_no_voter(world) -> None:
    item = item_under_review(world, meeting(world, written=True))
    board.cast_vote(world.board_undp, item.id, "approve")
    data = minutes.minutes_data(
        item.meeting, draft=True, secretary=None, version_label="Draft", generated_at=utcnow()
    )
    # The minutes name members as recorded (name and entity), not by account.
    assert world.board_undp.name not in {p.name for p in data.present}
    board.close_item(world.secretariat, item.id)
    data = minutes.minutes_data(
        item.meeting, draft=True, secretary=None, version_label="Draft", generated_at=utcnow()
    )
    assert world.board_undp.name in {p.name for p in data.present}


def test_a_written_procedure_is_not_moved_past_its_deadline(world) -> None:
    m = meeting(world, written=True)  # voting closes in seven days
    later = utcnow().date() + timedelta(days=10)
    with pytest.raises(Invalid) as refused:
        board.correct_meeting(
            world.secretariat, m.id, board.Correction(m.number, later, "", world.board_chair.id)
        )
    assert "before its deadline" in refused.value.fields["held_on"][0]
    assert "deadline" not in refused.value.fields  # left as it was: not the field to fix
    sooner = utcnow().date() + timedelta(days=1)
    board.correct_meeting(
        world.secretariat, m.id, board.Correction(m.number, sooner, "", world.board_chair.id)
    )
    assert m.held_on == sooner


def test_a_written_procedures_deadline_is_moved_until_it_passes(world) -> None:
    m = meeting(world, written=True)  # voting closes in seven days
    item = item_under_review(world, m)
    board.cast_vote(world.board_undp, item.id, "approve")  # a vote does not stop the move
    first = m.deadline
    assert first is not None
    later = (first + timedelta(days=7)).replace(second=0, microsecond=0)
    board.correct_meeting(
        world.secretariat,
        m.id,
        board.Correction(m.number, m.held_on, m.place, world.board_chair.id, deadline=later),
    )
    db.session.refresh(m)
    assert m.deadline == later and item.is_open
    change = db.session.scalars(
        select(AuditRecord).where(AuditRecord.event == "meeting_corrected")
    ).one()
    assert json.loads(change.before)["deadline"] == first.isoformat()
    assert json.loads(change.after)["deadline"] == later.isoformat()
    # the members hear of it, with the calendar entry's next version
    told = db.session.scalars(
        select(Notification).where(Notification.subject.contains("was corrected"))
    ).all()
    assert {n.user_id for n in told} >= {world.board_chair.id, world.board_undp.id}
    assert all(calendar.utc_time(later) in n.body for n in told)
    assert invitations.meeting_sequence(m) == 1
    # PRB closes the items at the new deadline, not the old one
    assert board.close_due(now=first + timedelta(minutes=1)) == 0 and item.is_open
    assert board.close_due(now=later + timedelta(minutes=1)) == 1
    db.session.refresh(item)
    assert not item.is_open


def test_a_deadline_is_moved_only_ahead_and_not_once_passed(world) -> None:
    m = meeting(world, written=True)
    item_under_review(world, m)
    first = m.deadline
    assert first is not None

    def move(to):  # type: ignore[no-untyped-def]
        return board.correct_meeting(
            world.secretariat,
            m.id,
            board.Correction(m.number, m.held_on, m.place, world.board_chair.id, deadline=to),
        )

    with pytest.raises(Invalid) as past:
        move(utcnow() - timedelta(hours=1))
    assert past.value.fields["deadline"] == ["The deadline must be in the future."]
    with pytest.raises(Invalid) as before_opening:
        board.correct_meeting(
            world.secretariat,
            m.id,
            board.Correction(
                m.number,
                utcnow().date() + timedelta(days=3),
                m.place,
                world.board_chair.id,
                deadline=utcnow() + timedelta(days=2),
            ),
        )
    assert "before the procedure opens" in before_opening.value.fields["deadline"][0]
    # sent back as the form shows it (to the minute), the deadline is unchanged: no refusal
    # for "nothing changed" on the deadline's seconds, no move
    with pytest.raises(Invalid, match="Nothing was changed"):
        move(first.replace(second=0, microsecond=0))
    db.session.refresh(m)
    assert m.deadline == first
    # once passed (the worker has not closed the items yet), it stays
    m.deadline = utcnow() - timedelta(minutes=5)
    db.session.commit()
    with pytest.raises(Conflict, match="can no longer be moved"):
        move(utcnow() + timedelta(days=3))
    db.session.refresh(m)
    assert m.deadline is not None and m.deadline < utcnow()
