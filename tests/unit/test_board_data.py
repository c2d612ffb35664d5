"""The Board as data: seats decide who counts on a meeting's date, the chair is the seat
marked chair, rules of procedure are versions applied by date and kept by decisions; and
meetings that took place before they were entered in PRB, with their votes entered by the
secretariat and their decisions dated by the meeting."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import (
    AuditRecord,
    BoardMembership,
    BoardRules,
    CodeStyle,
    Decision,
    User,
    utcnow,
)
from prb.services import board
from prb.services.accounts.setup import set_up_office
from prb.services.errors import Invalid, NotAllowed
from tests import factories
from tests.board_helpers import item_under_review
from tests.board_helpers import meeting as live_meeting
from workflows import ItemState, MeetingKind, ProposalState, Role

S = ProposalState
HELD = date(2018, 2, 15)


def admin(world) -> User:  # type: ignore[no-untyped-def]
    user = factories.user("admin@prb.example", world.unoct, Role.ADMINISTRATOR, name="Ada Admin")
    db.session.commit()
    return user


def member(world, email: str, since: date, until: date | None = None, **seat) -> User:  # type: ignore[no-untyped-def]
    """A board member with one seat of the given dates (not the test world's seat of 2000)."""
    user = factories.user(email, world.unodc, name=email.split("@")[0].title())
    user.set_roles({Role.BOARD_MEMBER})
    db.session.add(BoardMembership(user=user, entity=world.unodc, since=since, until=until, **seat))
    db.session.commit()
    return user


def rules(actor: User, effective_from: date, quorum: str = "1/2", **values) -> BoardRules:  # type: ignore[no-untyped-def]
    data = {
        "casting_vote": True,
        "written_procedure_days": 14,
        "absent_may_vote": False,
        **values,
    }
    return board.add_rules(actor, board.RulesInput(effective_from, quorum, **data))


def past_meeting(  # type: ignore[no-untyped-def]
    world,
    held_on: date = HELD,
    number: str = "PRB/2018/01",
    *,
    written: bool = False,
    deadline: datetime | None = None,
    chair_id: int | None = None,
):
    m = board.schedule_meeting(
        world.secretariat,
        board.MeetingInput(
            number=number,
            kind=MeetingKind.WRITTEN_PROCEDURE if written else MeetingKind.MEETING,
            held_on=held_on,
            place="" if written else "New York",
            chair_id=chair_id,
            deadline=deadline,
            recorded_after=True,
        ),
    )
    if not written:  # the record says who attended; only those present vote
        everyone = {u.id for u in board.board_members(on=held_on)}
        board.record_attendance(world.secretariat, m.id, everyone)
    return m


def on_agenda(world, m, **fields):  # type: ignore[no-untyped-def]
    proposal = factories.proposal(world, status=S.UNDER_REVIEW, **fields)
    return board.add_to_agenda(world.secretariat, m.id, proposal.id)


def nobody_recused(world) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {"lead_entity": factories.entity("UNESCO")}


# -- seats ------------------------------------------------------------------------------


def test_seat_dates_decide_who_counts_at_a_meeting(world) -> None:
    left = member(world, "left@prb.example", date(2000, 1, 1), until=HELD - timedelta(days=1))
    last_day = member(world, "lastday@prb.example", date(2000, 1, 1), until=HELD)
    joined = member(world, "joined@prb.example", HELD + timedelta(days=1))
    item = on_agenda(world, past_meeting(world), **nobody_recused(world))
    counted = board.count(item)
    names = {m.name for m in counted.members}
    # the test world's three members plus the one whose last day is the meeting's date
    assert counted.tally.eligible == 4
    assert last_day.name in names and left.name not in names and joined.name not in names
    # a member without a seat on that date has no vote to enter
    with pytest.raises(Invalid) as refused:
        board.record_vote(world.secretariat, item.id, left.id, "approve")
    assert "members of the Board on 15 February 2018" in str(refused.value.fields)
    # …while today the one who joined later sits, and the ones who left do not
    today = {m.id for m in board.board_members()}
    assert joined.id in today and left.id not in today and last_day.id not in today


def test_a_member_without_a_seat_on_a_live_meetings_date_cannot_vote(world) -> None:
    newcomer = member(world, "new@prb.example", utcnow().date() + timedelta(days=30))
    item = item_under_review(world)
    with pytest.raises(NotAllowed, match="no seat on the Board"):
        board.cast_vote(newcomer, item.id, "approve")
    assert item not in board.awaiting_vote(newcomer)
    assert board.count(item).tally.eligible == 2  # chair and UNDP; CTED is recused


def test_an_inactive_account_does_not_count(world) -> None:
    world.board_undp.active = False
    db.session.commit()
    assert world.board_undp not in board.board_members()


def test_the_board_chair_is_a_seat_and_no_account_carries_the_old_flag(world) -> None:
    """Nothing writes `User.is_board_chair` any more (a later migration drops it)."""
    seat = db.session.scalars(
        select(BoardMembership).where(BoardMembership.user_id == world.board_chair.id)
    ).one()
    assert seat.is_chair and board.board_chair() == world.board_chair
    assert db.session.scalar(select(func.count(User.id)).where(User.is_board_chair)) == 0


def test_the_chair_is_the_seat_marked_chair_on_the_meetings_date(world) -> None:
    earlier = member(world, "earlier@prb.example", date(2000, 1, 1), until=date(2018, 12, 31))
    chair_seat = db.session.scalars(
        select(BoardMembership).where(BoardMembership.user_id == world.board_chair.id)
    ).one()
    # the world's chair chairs from 2019; before, the earlier member did
    chair_seat.since = date(2019, 1, 1)
    earlier_seat = db.session.scalars(
        select(BoardMembership).where(BoardMembership.user_id == earlier.id)
    ).one()
    earlier_seat.is_chair = True
    world.board_undp.is_board_chair = True  # the old flag is no longer read
    db.session.commit()
    assert board.board_chair(on=HELD) == earlier
    assert board.board_chair() == world.board_chair
    # scheduling without naming the chair takes the chair of that date
    assert past_meeting(world).chair == earlier
    assert live_meeting(world, number="PRB/2030/01").chair_id == world.board_chair.id
    # a chair named who had no seat on that date is refused
    with pytest.raises(Invalid) as refused:
        past_meeting(world, number="PRB/2018/02", chair_id=world.board_chair.id)
    assert "has no seat on the Board on 15 February 2018" in str(refused.value.fields)


def test_seats_are_added_ended_and_marked_by_an_administrator_with_audit(world) -> None:
    boss = admin(world)
    newcomer = factories.user("newcomer@prb.example", world.unodc, Role.CHAIR)
    db.session.commit()
    # only a board member gets a seat; only an administrator gives one
    with pytest.raises(Invalid, match="not added"):
        board.add_seat(boss, board.SeatInput(newcomer.id, date(2019, 1, 1)))
    newcomer.set_roles({Role.BOARD_MEMBER, Role.SECRETARIAT})
    db.session.commit()
    with pytest.raises(NotAllowed):
        board.add_seat(newcomer, board.SeatInput(newcomer.id, date(2019, 1, 1)))
    seat = board.add_seat(boss, board.SeatInput(newcomer.id, date(2019, 1, 1)))
    # no two seats of one person on the same day
    with pytest.raises(Invalid, match="not added"):
        board.add_seat(boss, board.SeatInput(newcomer.id, date(2020, 1, 1)))
    # one chair on any date: the world's chair sits as chair since 2000, open-ended
    with pytest.raises(Invalid):
        board.mark_chair(boss, seat.id, True)
    ended = board.end_seat(boss, seat.id, date(2019, 6, 30))
    assert ended.until == date(2019, 6, 30)
    with pytest.raises(Invalid):
        board.end_seat(boss, seat.id, None)
    with pytest.raises(Invalid) as refused:
        board.add_seat(boss, board.SeatInput(newcomer.id, date(2019, 7, 1), is_chair=True))
    assert "Jean-François Lefèvre chairs the Board from 1 January 2000" in str(refused.value.fields)
    records = db.session.scalars(
        select(AuditRecord)
        .where(AuditRecord.subject == "board_membership")
        .order_by(AuditRecord.id)
    ).all()
    assert [r.event for r in records] == ["board_seat_added", "board_seat_ended"]
    added, end = records
    assert added.before is None and json.loads(added.after)["since"] == "2019-01-01"
    assert json.loads(end.before)["until"] is None
    assert json.loads(end.after)["until"] == "2019-06-30"
    assert added.actor_id == boss.id


def test_the_chair_moves_by_ending_one_seat_and_marking_another(world) -> None:
    boss = admin(world)
    chair_seat, undp_seat = (
        db.session.scalars(select(BoardMembership).where(BoardMembership.user_id == u.id)).one()
        for u in (world.board_chair, world.board_undp)
    )
    board.end_seat(boss, chair_seat.id, date(2019, 12, 31))
    board.end_seat(boss, undp_seat.id, date(2019, 12, 31))
    new_seat = board.add_seat(
        boss, board.SeatInput(world.board_undp.id, date(2020, 1, 1), is_chair=True)
    )
    assert board.board_chair(on=date(2019, 12, 31)) == world.board_chair
    assert board.board_chair(on=date(2020, 1, 1)) == world.board_undp
    unmarked = board.mark_chair(boss, new_seat.id, False)
    assert not unmarked.is_chair and board.board_chair(on=date(2020, 1, 1)) is None


# -- rules of procedure -------------------------------------------------------------------


def test_the_first_version_comes_from_the_settings_when_first_needed(app, world) -> None:
    app.config["BOARD_QUORUM"] = "2/3"
    app.config["BOARD_CASTING_VOTE"] = False
    assert db.session.scalar(select(func.count(BoardRules.id))) == 0
    m = past_meeting(world)
    first = db.session.scalars(select(BoardRules)).one()
    assert (first.effective_from, first.quorum, first.casting_vote) == (HELD, "2/3", False)
    assert first.written_procedure_days == 14 and not first.absent_may_vote
    # once there is a version, an earlier date needs the rules of that time first
    with pytest.raises(Invalid) as refused:
        past_meeting(world, date(2017, 5, 1), "PRB/2017/01")
    assert "start on 15 February 2018" in str(refused.value.fields)
    assert m.id and board.ensure_rules(None) == first  # idempotent
    with pytest.raises(NotAllowed):
        board.ensure_rules(world.secretariat)


def test_ensure_rules_makes_the_first_version_for_the_set_up(app, world) -> None:
    rules_now = board.ensure_rules(admin(world))
    assert rules_now.effective_from == utcnow().date()
    assert rules_now.quorum == "1/2" and rules_now.casting_vote
    record = db.session.scalars(
        select(AuditRecord).where(AuditRecord.subject == "board_rules")
    ).one()
    assert record.before is None and json.loads(record.after)["quorum"] == "1/2"


def test_each_decision_applies_and_keeps_the_rules_of_its_date(world) -> None:
    boss = admin(world)
    v2017 = rules(boss, date(2017, 1, 1), "1/2")
    v2018 = rules(boss, date(2018, 6, 1), "2/3")
    # the same votes (2 of 3 eligible) meet a quorum of 1/2, not of 2/3
    unesco = factories.entity("UNESCO")  # nobody recused
    february = on_agenda(world, past_meeting(world), lead_entity=unesco)
    july = on_agenda(
        world, past_meeting(world, date(2018, 7, 10), "PRB/2018/02"), lead_entity=unesco
    )
    for item in (february, july):
        for who in (world.board_chair, world.board_undp):
            board.record_vote(world.secretariat, item.id, who.id, "approve")
        board.close_item(world.secretariat, item.id)
    assert february.decision is not None and february.decision.rules_id == v2017.id
    assert july.status == ItemState.DEFERRED
    assert "No quorum: 2 of 3" in july.outcome_note and "at least 3 needed" in july.outcome_note
    # a later version that would govern February's closed item is refused…
    with pytest.raises(Invalid) as refused:
        rules(boss, date(2018, 1, 1), "1/3")
    assert "PRB/2018/01" in refused.value.message
    assert "after 15 February 2018" in str(refused.value.fields)
    # …one after it is accepted, and February keeps its rules
    rules(boss, date(2018, 3, 1), "1/3")
    db.session.expire_all()
    assert february.decision.rules_id == v2017.id
    # a version is never replaced: the same date again is refused
    with pytest.raises(Invalid, match="already takes effect"):
        rules(boss, date(2018, 6, 1), "1/2")
    assert v2018.id


def test_rules_are_added_by_an_administrator_only_and_checked(world) -> None:
    boss = admin(world)
    with pytest.raises(NotAllowed):
        rules(world.secretariat, date(2018, 1, 1))
    # "1e-999999999" fits the field: read as Fraction() reads it, it took a worker minutes
    # and gigabytes; "5e-1" is refused the same way.
    for quorum in ("", "half", "1/0", "1", "3/2", "-1/2", "1e-999999999", "5e-1", "1_0/3_0"):
        with pytest.raises(Invalid) as refused:
            rules(boss, date(2018, 1, 1), quorum)
        assert "quorum" in refused.value.fields, quorum
    with pytest.raises(Invalid) as refused:
        rules(boss, date(2018, 1, 1), written_procedure_days=0)
    assert "written_procedure_days" in refused.value.fields
    assert db.session.scalar(select(func.count(BoardRules.id))) == 0
    first = rules(boss, date(2018, 1, 1), "0.5")
    assert first.quorum == "1/2"
    second = rules(boss, date(2019, 1, 1), "2/3", absent_may_vote=True)
    record = db.session.scalars(
        select(AuditRecord).where(
            AuditRecord.subject == "board_rules", AuditRecord.subject_id == second.id
        )
    ).one()
    assert json.loads(record.before)["quorum"] == "1/2"
    assert json.loads(record.after) == {
        "effective_from": "2019-01-01",
        "quorum": "2/3",
        "casting_vote": True,
        "written_procedure_days": 14,
        "absent_may_vote": True,
        "note": "",
    }


def test_a_written_procedures_default_deadline_comes_from_the_rules(world) -> None:
    boss = admin(world)
    rules(boss, date(2017, 1, 1), written_procedure_days=10)
    opens = utcnow().date()
    procedure = board.schedule_meeting(
        world.secretariat,
        board.MeetingInput("PRB/2030/05", MeetingKind.WRITTEN_PROCEDURE, opens),
    )
    assert procedure.deadline is not None
    assert procedure.deadline.date() == opens + timedelta(days=10)


def test_an_absent_member_may_not_vote_when_the_rules_say_so(client, world) -> None:
    item = item_under_review(world)  # the first version, from the settings: absent may not
    board.record_attendance(world.secretariat, item.meeting_id, {world.board_chair.id})
    with pytest.raises(NotAllowed) as refused:
        board.cast_vote(world.board_undp, item.id, "approve")
    assert "recorded absent from PRB/2018/03" in refused.value.message
    assert "may not vote" in refused.value.message
    board.cast_vote(world.board_chair, item.id, "approve")  # present: votes


def test_an_absent_member_may_vote_when_the_rules_say_so(world) -> None:
    rules(admin(world), date(2017, 1, 1), absent_may_vote=True)
    item = item_under_review(world)
    board.record_attendance(world.secretariat, item.meeting_id, {world.board_chair.id})
    vote = board.cast_vote(world.board_undp, item.id, "approve")
    assert vote.member_id == world.board_undp.id


def test_a_recorded_absence_refuses_an_entered_vote_too(world) -> None:
    item = on_agenda(world, past_meeting(world))
    board.record_attendance(world.secretariat, item.meeting_id, {world.board_chair.id})
    with pytest.raises(Invalid, match="recorded absent"):
        board.record_vote(world.secretariat, item.id, world.board_undp.id, "approve")


# -- meetings that already took place -----------------------------------------------------


def test_a_past_date_is_accepted_only_for_a_meeting_that_already_took_place(world) -> None:
    live = board.MeetingInput("PRB/2018/01", MeetingKind.MEETING, HELD, "New York")
    with pytest.raises(Invalid) as refused:
        board.schedule_meeting(world.secretariat, live)
    assert "already took place" in refused.value.fields["held_on"][0]
    m = past_meeting(world)
    assert m.recorded_after and m.held_on == HELD
    future = utcnow().date() + timedelta(days=3)
    with pytest.raises(Invalid) as refused:
        past_meeting(world, future, "PRB/2030/09")
    assert "held_on" in refused.value.fields


def test_a_past_written_procedure_takes_a_past_closing_time(world) -> None:
    closed = datetime(2018, 3, 2, 17, 0, tzinfo=UTC)
    with pytest.raises(Invalid) as refused:
        past_meeting(world, written=True)
    assert refused.value.fields["deadline"] == ["Give the time voting closed."]
    with pytest.raises(Invalid):
        past_meeting(world, written=True, deadline=utcnow() + timedelta(days=1))
    with pytest.raises(Invalid):
        past_meeting(world, written=True, deadline=datetime(2018, 2, 1, tzinfo=UTC))
    procedure = past_meeting(world, written=True, deadline=closed)
    # its deadline has passed, yet it stays open while the record is entered
    item = on_agenda(world, procedure, **nobody_recused(world))
    assert board.close_due() == 0 and item.is_open
    for who in (world.board_chair, world.board_undp):
        board.record_vote(world.secretariat, item.id, who.id, "approve")
    board.close_item(world.secretariat, item.id)
    assert item.decision is not None
    assert item.decision.decided_on == date(2018, 3, 2)


def test_the_secretariat_enters_the_votes_of_a_past_meeting(world) -> None:
    m = past_meeting(world)
    item = on_agenda(world, m)  # CTED leads: the CTED member is recused
    # the members do not vote on it themselves; the secretariat does not vote on live ones
    with pytest.raises(NotAllowed, match="secretariat enters its votes"):
        board.cast_vote(world.board_undp, item.id, "approve")
    with pytest.raises(NotAllowed):
        board.declare_conflict(world.board_undp, item.id, "A reason")
    live_item = item_under_review(world, live_meeting(world, number="PRB/2030/02"))
    with pytest.raises(NotAllowed, match="Members cast their own votes"):
        board.record_vote(world.secretariat, live_item.id, world.board_undp.id, "approve")
    with pytest.raises(NotAllowed):
        board.record_vote(world.board_chair, item.id, world.board_undp.id, "approve")
    with pytest.raises(Invalid, match="recused"):
        board.record_vote(world.secretariat, item.id, world.board_cted.id, "approve")
    assert item not in board.awaiting_vote(world.board_undp)
    first = board.record_vote(world.secretariat, item.id, world.board_undp.id, "reject")
    corrected = board.record_vote(world.secretariat, item.id, world.board_undp.id, "approve")
    assert first.id == corrected.id and corrected.choice == "approve"
    assert corrected.recorded_by_id == world.secretariat.id
    board.record_vote(world.secretariat, item.id, world.board_chair.id, "approve", "Agreed")
    board.close_item(world.secretariat, item.id)
    decision = item.decision
    assert decision is not None and decision.outcome == "approve"
    assert decision.decided_on == HELD
    assert decision.decided_at.date() == utcnow().date()  # the recording clock
    assert item.proposal.status == S.APPROVED
    assert item.proposal.approved_at == datetime(2018, 2, 15, tzinfo=UTC)
    history = db.session.scalars(
        select(AuditRecord).where(
            AuditRecord.proposal_id == item.proposal_id, AuditRecord.to_state == S.APPROVED
        )
    ).one()
    assert "Decided on 15 February 2018; recorded after the fact by Nadia Haddad on" in (
        history.comment
    )
    entered = db.session.scalars(
        select(AuditRecord).where(AuditRecord.event == "vote_recorded")
    ).first()
    assert entered is not None and "Recorded after the fact by Nadia Haddad" in entered.comment


def test_a_conflict_declared_at_a_past_meeting_is_entered_by_the_secretariat(world) -> None:
    item = on_agenda(world, past_meeting(world), **nobody_recused(world))
    board.record_vote(world.secretariat, item.id, world.board_undp.id, "approve")
    board.record_conflict(world.secretariat, item.id, world.board_undp.id, "Former employer")
    counted = board.count(item)
    assert counted.tally.approve == 0 and counted.tally.recused == 1
    with pytest.raises(Invalid, match="recused"):
        board.record_vote(world.secretariat, item.id, world.board_undp.id, "approve")


def test_decided_on_is_set_for_live_decisions_too(world) -> None:
    item = item_under_review(world)
    for who in (world.board_chair, world.board_undp):
        board.cast_vote(who, item.id, "approve")
    board.close_item(world.secretariat, item.id)
    assert item.decision.decided_on == item.meeting.held_on
    # a written procedure closed by its last vote: the day it closed
    procedure = item_under_review(world, live_meeting(world, written=True, number="PRB/2030/03"))
    for who in (world.board_chair, world.board_undp):
        board.cast_vote(who, procedure.id, "approve")
    db.session.expire_all()
    assert procedure.decision.decided_on == utcnow().date()


def test_a_procedure_closed_at_its_deadline_is_dated_by_the_deadline(world) -> None:
    item = item_under_review(
        world,
        live_meeting(world, written=True, number="PRB/2030/04"),
        lead_entity=factories.entity("UNESCO"),
    )
    for who in (world.board_chair, world.board_undp):
        board.cast_vote(who, item.id, "approve")
    deadline = item.meeting.deadline
    # PRB runs the clock job two days late: the decision keeps the deadline's date
    assert board.close_due(deadline + timedelta(days=2)) == 1
    db.session.expire_all()
    assert item.decision.decided_on == deadline.date()


# -- typed project codes ------------------------------------------------------------------


def test_a_typed_code_programme_takes_the_code_in_the_close_form(world) -> None:
    world.programme.code_style = CodeStyle.TYPED
    factories.proposal(world, status=S.ONGOING, project_code="UNCCT-2019-02-79-A")
    db.session.commit()
    item = item_under_review(world)
    assert board.code_to_type(item.proposal)
    for who in (world.board_chair, world.board_undp):
        board.cast_vote(who, item.id, "approve")
    terms = board.Terms(item.proposed_budget, 12, date(2019, 1, 1))
    with pytest.raises(Invalid) as refused:
        board.close_item(world.secretariat, item.id, terms)
    assert "project_code" in refused.value.fields
    for taken in ("UNCCT-2019-02-79-A", "uncct-2019-02-79-a"):  # whatever its case
        terms.project_code = taken
        with pytest.raises(Invalid, match="already a project's code"):
            board.close_item(world.secretariat, item.id, terms)
    assert item.is_open and db.session.scalar(select(func.count(Decision.id))) == 0
    terms.project_code = " UNCCT-2019-02-79-D "
    board.close_item(world.secretariat, item.id, terms)
    assert item.proposal.project_code == "UNCCT-2019-02-79-D"
    assert item.proposal.status == S.APPROVED


def test_a_pattern_programme_refuses_a_typed_code(world) -> None:
    item = item_under_review(world)
    for who in (world.board_chair, world.board_undp):
        board.cast_vote(who, item.id, "approve")
    terms = board.Terms(item.proposed_budget, 12, date(2019, 1, 1), project_code="MY-CODE")
    with pytest.raises(Invalid) as refused:
        board.close_item(world.secretariat, item.id, terms)
    assert "pattern" in refused.value.fields["project_code"][0]
    terms.project_code = ""
    board.close_item(world.secretariat, item.id, terms)
    assert item.proposal.project_code == "UNCCT-2017-73-a"


def test_a_pattern_programme_keeps_a_code_typed_in_its_pattern(world) -> None:
    """An office keeps the codes it already uses (the report's -h after -e): a typed code in
    the programme's pattern is taken; one in another case or of another programme is not."""
    item = item_under_review(world)
    for who in (world.board_chair, world.board_undp):
        board.cast_vote(who, item.id, "approve")
    for wrong in ("UNCCT-2017-73-H", "UNCCT-2019-02-79-h", "UNCCT-2017-73-abc"):
        terms = board.Terms(item.proposed_budget, 12, date(2019, 1, 1), project_code=wrong)
        with pytest.raises(Invalid) as refused:
            board.close_item(world.secretariat, item.id, terms)
        assert "pattern" in refused.value.fields["project_code"][0]
    terms.project_code = "UNCCT-2017-73-h"
    board.close_item(world.secretariat, item.id, terms)
    assert item.proposal.project_code == "UNCCT-2017-73-h"


def test_set_up_makes_no_rules_the_first_meeting_gets_a_version_covering_its_date(app) -> None:
    """Rules made at set-up would start today and refuse the meetings the office held
    before: the first version comes with the first meeting, from its date."""
    office = set_up_office(
        entity_code="UNOCT",
        entity_name="United Nations Office of Counter-Terrorism",
        email="ana.admin@un.example",
        name="Ana Admin",
        also_secretariat=True,
        valid_for=timedelta(days=1),
    )
    assert db.session.scalar(select(func.count(BoardRules.id))) == 0
    meeting = board.schedule_meeting(
        office.administrator,
        board.MeetingInput(
            number="PRB/2018/01",
            kind=MeetingKind.MEETING,
            held_on=HELD,
            place="New York",
            recorded_after=True,
        ),
    )
    [first] = board.versions(office.administrator)
    assert first.effective_from == HELD == meeting.held_on
    assert first.quorum == "1/2" and first.casting_vote
