"""Who hears of what (issue 14 §3): each event reaches the people it concerns and no one
else — with the test world's two-role users (a chair of group B who is a board member
without a seat, a chair of group B who works in finance) and a disabled account."""

from __future__ import annotations

import pytest

from prb.extensions import db
from prb.services import board
from prb.services.notifications.audience import (
    EVENTS,
    Event,
    item_audience,
    meeting_audience,
    proposal_audience,
)
from tests import factories
from tests.board_helpers import item_under_review, meeting
from workflows import ProposalState as S


def names(users) -> set[str]:  # type: ignore[no-untyped-def]
    return {u.email for u in users}


def test_every_event_has_a_label_and_an_audience() -> None:
    assert set(EVENTS) == set(Event)
    assert all(k.label and k.audience for k in EVENTS.values())


def test_a_submission_reaches_the_secretariat_only(world) -> None:
    p = factories.proposal(world, status=S.SUBMITTED)
    assert names(proposal_audience(Event.PROPOSAL_SUBMITTED, p)) == {"secretariat@prb.example"}


def test_review_and_decisions_reach_the_groups_chairs_only(world) -> None:
    a = factories.proposal(world, status=S.UNDER_REVIEW)
    b = factories.proposal(world, status=S.UNDER_REVIEW, group=world.group_b)
    for event in (Event.REVIEW_STARTED, Event.SENT_BACK, Event.DECIDED):
        assert names(proposal_audience(event, a)) == {"chair.a@prb.example"}
        assert names(proposal_audience(event, b)) == {
            "chair.b@prb.example",
            "chair.board@prb.example",
            "chair.finance@prb.example",
        }


def test_finance_events_reach_finance_and_a_chair_in_finance_hears_once(world) -> None:
    b = factories.project(world, status=S.ONGOING, group=world.group_b)
    finance = {"finance@prb.example", "chair.finance@prb.example"}
    assert names(proposal_audience(Event.PROJECT_APPROVED, b)) == finance
    assert names(proposal_audience(Event.EXTENSION_REQUESTED, b)) == finance
    both = proposal_audience(Event.EXTENSION_DECIDED, b)
    assert names(both) == finance | {"chair.b@prb.example", "chair.board@prb.example"}
    assert len(both) == len(names(both))  # each once
    assert names(proposal_audience(Event.PROJECT_ENDING, b)) == names(both)
    assert names(proposal_audience(Event.DISBURSEMENT_RECORDED, b)) == {
        "chair.b@prb.example",
        "chair.board@prb.example",
        "chair.finance@prb.example",
    }


def test_an_item_reaches_the_members_who_vote_on_it(world) -> None:
    item = item_under_review(world)  # CTED leads: board_cted is recused
    voters = {"board.chair@prb.example", "board.undp@prb.example"}
    assert names(item_audience(Event.ON_AGENDA, item)) == voters
    # a board member without a seat on the meeting's date is not among them
    assert "chair.board@prb.example" not in names(item_audience(Event.ON_AGENDA, item))


def test_the_reminder_reaches_only_those_who_have_not_voted(world) -> None:
    m = meeting(world, written=True, number="PRB/2018/05")
    item = item_under_review(world, m)
    assert names(item_audience(Event.WRITTEN_PROCEDURE_OPENED, item)) == {
        "board.chair@prb.example",
        "board.undp@prb.example",
    }
    board.cast_vote(world.board_chair, item.id, "approve")
    assert names(item_audience(Event.DEADLINE_NEAR, item)) == {"board.undp@prb.example"}
    board.cast_vote(world.board_undp, item.id, "approve")
    assert item_audience(Event.DEADLINE_NEAR, item) == []


def test_minutes_reach_the_meetings_members_and_the_secretariat(world) -> None:
    m = meeting(world, number="PRB/2018/06")
    assert names(meeting_audience(Event.MINUTES_FINALISED, m)) == {
        "board.chair@prb.example",
        "board.cted@prb.example",
        "board.undp@prb.example",
        "secretariat@prb.example",
    }


def test_a_disabled_account_hears_nothing(world) -> None:
    world.finance.active = False
    world.chair_b.active = False
    db.session.commit()
    b = factories.project(world, status=S.ONGOING, group=world.group_b)
    assert names(proposal_audience(Event.EXTENSION_DECIDED, b)) == {
        "chair.board@prb.example",
        "chair.finance@prb.example",
    }


def test_an_event_asked_of_the_wrong_record_is_refused(world) -> None:
    p = factories.proposal(world)
    with pytest.raises(ValueError):
        proposal_audience(Event.ON_AGENDA, p)
