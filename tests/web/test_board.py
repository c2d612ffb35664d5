from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AgendaItem, AuditRecord, Decision, Meeting, Notification, Vote, utcnow
from prb.services import board
from tests import factories
from tests.board_helpers import item_under_review, meeting
from tests.conftest import sign_in
from tests.factories import today
from workflows import ItemState, ProposalState, Role

S = ProposalState


def vote(client, item, choice, **extra):  # type: ignore[no-untyped-def]
    return client.post(f"/board/items/{item.id}/vote", data={"choice": choice, **extra})


def as_member(client, member):  # type: ignore[no-untyped-def]
    client.post("/logout")
    sign_in(client, member)


def test_secretariat_schedules_a_meeting_and_builds_the_agenda(client, world) -> None:
    proposal = factories.proposal(world, status=S.UNDER_REVIEW)
    submitted = factories.proposal(world, status=S.SUBMITTED, title="Not yet reviewed")
    sign_in(client, world.secretariat)
    page = client.get("/board/meetings/new").get_data(as_text=True)
    assert "PRB/" in page
    response = client.post(
        "/board/meetings/new",
        data={
            "number": "PRB/2018/03",
            "kind": "meeting",
            # A live meeting is held today or later (a past one is entered as already held).
            "held_on": today().isoformat(),
            "place": "New York",
            "chair_id": world.board_chair.id,
        },
    )
    assert response.status_code == 302
    m = db.session.scalars(select(Meeting)).one()
    page = client.get(response.location).get_data(as_text=True)
    assert proposal.title in page and "Not yet reviewed" not in page
    response = client.post(f"/board/meetings/{m.id}/agenda", data={"proposal_id": proposal.id})
    assert response.status_code == 303
    item = db.session.scalars(select(AgendaItem)).one()
    assert (item.position, item.proposed_budget) == (1, Decimal("150000.00"))
    # the same proposal cannot be put on an agenda twice, nor one that is not under review
    again = client.post(f"/board/meetings/{m.id}/agenda", data={"proposal_id": proposal.id})
    assert again.status_code == 409
    assert "already on the agenda of PRB/2018/03" in again.get_data(as_text=True)
    early = client.post(f"/board/meetings/{m.id}/agenda", data={"proposal_id": submitted.id})
    assert early.status_code == 409
    assert db.session.scalar(select(func.count(AgendaItem.id))) == 1


def test_meeting_form_errors(client, world) -> None:
    meeting(world)
    sign_in(client, world.secretariat)
    for data, message in (
        (
            {
                "number": "PRB/2018/03",
                "kind": "meeting",
                "held_on": today().isoformat(),
                "place": "NY",
            },
            "PRB/2018/03 already exists.",
        ),
        (
            {
                "number": "board meeting",
                "kind": "meeting",
                "held_on": today().isoformat(),
                "place": "NY",
            },
            "Use the form PRB/2018/03.",
        ),
        (
            {"number": "PRB/2018/04", "kind": "meeting", "held_on": "2018-08-14", "place": "NY"},
            "The date has passed.",
        ),
        (
            {
                "number": "PRB/2018/04",
                "kind": "written_procedure",
                "held_on": today().isoformat(),
                "deadline": "2001-01-01T10:00",
            },
            "The deadline must be in the future.",
        ),
        (
            {
                "number": "PRB/2018/04",
                "kind": "written_procedure",
                "held_on": (today() + timedelta(days=7)).isoformat(),
                "deadline": f"{today() + timedelta(days=2)}T12:00",
            },
            "Voting cannot close before the procedure opens.",
        ),
        (
            {
                "number": "PRB/2018/04",
                "kind": "meeting",
                "held_on": today().isoformat(),
                "chair_id": world.finance.id,
                "place": "NY",
            },
            "The chair must be a board member.",
        ),
    ):
        response = client.post("/board/meetings/new", data=data)
        assert response.status_code == 422, message
        assert message in response.get_data(as_text=True), message
    assert db.session.scalar(select(func.count(Meeting.id))) == 1


def test_member_votes_changes_her_vote_and_cannot_vote_twice(client, world) -> None:
    item = item_under_review(world)
    sign_in(client, world.board_undp)
    page = client.get("/").get_data(as_text=True)
    assert page.index("Awaiting my vote") < page.index("Open Board meetings")
    assert item.proposal.title in page
    response = vote(client, item, "approve", comment="Good value")
    assert response.status_code == 303
    assert "Your vote is recorded: Approve." in client.get(response.location).get_data(as_text=True)
    # a second first-vote (another tab) is refused, and changes nothing
    twice = vote(client, item, "reject", comment="Second <thoughts>")
    assert twice.status_code == 409
    refused = twice.get_data(as_text=True)
    assert "You have already voted on this item (Approve)" in refused
    # What that tab typed is offered again, ready to be sent as a change.
    form = refused.split(f'action="/board/items/{item.id}/vote"')[1].split("</form>")[0]
    assert re.search(
        r'<input checked id="choice-\d+-\d+" name="choice" type="radio" value="reject">', form
    )
    assert "Second &lt;thoughts&gt;</textarea>" in form and "Good value" not in form
    assert 'name="change" type="hidden" value="1"' in form
    changed = vote(client, item, "request_revision", change="1")
    assert changed.status_code == 303
    votes = db.session.scalars(select(Vote)).all()
    assert [(v.member_id, v.choice) for v in votes] == [(world.board_undp.id, "request_revision")]
    assert votes[0].changed_at is not None
    assert (
        item.proposal.title
        not in client.get("/")
        .get_data(as_text=True)
        .split("Awaiting my vote")[1]
        .split("</section>")[0]
    )


def test_recused_members_and_non_members_cannot_vote(client, world) -> None:
    item = item_under_review(world)  # CTED leads: the CTED board member is recused
    sign_in(client, world.board_cted)
    page = client.get(f"/board/meetings/{item.meeting_id}").get_data(as_text=True)
    assert "You are recused from this item: CTED is the lead entity" in page
    response = vote(client, item, "approve")
    assert response.status_code == 403
    assert "recused" in response.get_data(as_text=True)
    for person in (world.chair_a, world.finance, world.secretariat):
        as_member(client, person)
        assert vote(client, item, "approve").status_code == 403
    assert db.session.scalar(select(func.count(Vote.id))) == 0


def test_members_see_others_votes_only_after_closing_the_secretariat_sees_them_live(
    client, world
) -> None:
    item = item_under_review(world)
    board.cast_vote(world.board_chair, item.id, "approve", "Strong proposal")
    sign_in(client, world.board_undp)
    page = client.get(f"/board/meetings/{item.meeting_id}").get_data(as_text=True)
    assert "Strong proposal" not in page
    assert "1 of 2 eligible members have voted" in page
    as_member(client, world.secretariat)
    page = client.get(f"/board/meetings/{item.meeting_id}").get_data(as_text=True)
    assert "Live tally" in page and "Strong proposal" in page


def test_secretariat_closes_the_item_and_the_decision_moves_the_proposal(client, world) -> None:
    item = item_under_review(world)
    board.cast_vote(world.board_chair, item.id, "approve")
    board.cast_vote(world.board_undp, item.id, "approve")
    sign_in(client, world.secretariat)
    too_much = client.post(
        f"/board/items/{item.id}/close",
        data={"budget": "150000.01", "duration_months": "12", "start": "2019-01-01"},
    )
    assert too_much.status_code == 422
    assert "may not exceed the USD 150,000.00 requested" in too_much.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Decision.id))) == 0
    db.session.expire_all()
    assert item.status == ItemState.OPEN and item.proposal.status == S.UNDER_REVIEW

    response = client.post(
        f"/board/items/{item.id}/close",
        data={
            "budget": "120000.00",
            "duration_months": "12",
            "start": "2019-01-01",
            "conditions": "Report on the leaflet's translation by June.",
        },
    )
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert "Decision recorded: Approved" in page
    db.session.expire_all()
    decision = db.session.scalars(select(Decision)).one()
    assert (decision.outcome, decision.votes_for, decision.recused) == ("approve", 2, 1)
    assert decision.recused_names.startswith("Board Cted (CTED is the lead entity)")
    assert decision.approved_budget == Decimal("120000.00")
    assert (str(decision.period_start), str(decision.period_end)) == ("2019-01-01", "2019-12-31")
    proposal = item.proposal
    assert proposal.status == S.APPROVED and proposal.project_code == "UNCCT-2017-73-a"
    event = db.session.scalars(select(AuditRecord).where(AuditRecord.event == "approve")).one()
    assert (event.actor_id, event.actor_role) == (world.secretariat.id, "board_decision")
    assert "PRB/2018/03, item 1" in event.comment
    # the proposal page shows the decision
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Board decisions" in page and "USD 120,000.00" in page
    assert "Report on the leaflet" in page
    # closing again, or voting after closing, is refused and changes nothing
    assert client.post(f"/board/items/{item.id}/close", data={}).status_code == 409
    as_member(client, world.board_undp)
    late = vote(client, item, "reject", change="1")
    assert late.status_code == 409
    assert "Votes can no longer be cast or changed" in late.get_data(as_text=True)
    # Once closed, a member sees how each member voted (the chair's name alone proves
    # nothing: it is on the page as the meeting's chair).
    page = client.get(f"/board/meetings/{item.meeting_id}").get_data(as_text=True)
    votes = page.split("Votes as recorded at closing", 1)[1].split("</table>", 1)[0]
    for member in (world.board_chair, world.board_undp):
        assert f"<td>{member.name} ({member.entity})</td><td>Approve" in votes
    assert "Board Cted" in votes and "Recused" in votes
    assert db.session.scalar(select(func.count(Decision.id))) == 1


def test_reject_and_request_revision(client, world) -> None:
    m = meeting(world)
    reject_item = item_under_review(world, m, title="One")
    revise_item = item_under_review(world, m, title="Two")
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, reject_item.id, "reject")
        board.cast_vote(member, revise_item.id, "request_revision")
    board.close_item(world.secretariat, reject_item.id)
    board.close_item(world.secretariat, revise_item.id)
    assert reject_item.proposal.status == S.REJECTED
    assert revise_item.proposal.status == S.REVISION_REQUESTED
    assert reject_item.proposal.project_code is None


def test_no_quorum_defers_the_item_and_the_proposal_stays_under_review(client, world) -> None:
    item = item_under_review(world)
    board.cast_vote(world.board_undp, item.id, "approve")
    board.close_item(world.secretariat, item.id)
    assert item.status == ItemState.DEFERRED
    assert "No quorum: 1 of 2 eligible members voted" in item.outcome_note
    assert item.proposal.status == S.UNDER_REVIEW
    assert db.session.scalar(select(func.count(Decision.id))) == 0
    # it can go on the next meeting's agenda
    nxt = meeting(world, number="PRB/2018/04")
    again = board.add_to_agenda(world.secretariat, nxt.id, item.proposal_id)
    assert again.is_open


def test_casting_vote_of_the_chair_when_present(client, world) -> None:
    extra = factories.user("board.x@prb.example", world.unodc, *world.board_undp.roles)
    db.session.commit()
    item = item_under_review(world, lead_entity=factories.entity("UNESCO"))  # nobody recused
    sign_in(client, world.secretariat)
    client.post(  # attendance before voting opens: only members present vote
        f"/board/meetings/{item.meeting_id}/attendance",
        data={"present": [world.board_chair.id, world.board_undp.id, world.board_cted.id]},
    )
    client.post(f"/board/meetings/{item.meeting_id}/present", data={"member_id": extra.id})
    board.cast_vote(world.board_chair, item.id, "approve")
    board.cast_vote(world.board_cted, item.id, "approve")
    board.cast_vote(world.board_undp, item.id, "reject")
    board.cast_vote(extra, item.id, "reject")
    board.close_item(world.secretariat, item.id)
    decision = item.decision
    assert decision is not None and decision.outcome == "approve" and decision.casting_vote
    assert item.proposal.status == S.APPROVED


def test_tie_without_the_chair_present_is_deferred(client, world) -> None:
    extra = factories.user("board.x@prb.example", world.unodc, *world.board_undp.roles)
    db.session.commit()
    # Only rules that let absent members vote let a chair recorded absent vote at all.
    admin = factories.user("admin.x@prb.example", world.unodc, Role.ADMINISTRATOR)
    db.session.commit()
    board.add_rules(
        admin,
        board.RulesInput(
            effective_from=date(2017, 1, 1),
            quorum="1/2",
            casting_vote=True,
            written_procedure_days=14,
            absent_may_vote=True,
            note="absent members vote",
        ),
    )
    item = item_under_review(world, lead_entity=factories.entity("UNESCO"))
    others = {world.board_cted.id, world.board_undp.id, extra.id}
    board.record_attendance(world.secretariat, item.meeting_id, others)  # the chair is absent
    for member, choice in (
        (world.board_chair, "approve"),
        (world.board_cted, "approve"),
        (world.board_undp, "reject"),
        (extra, "reject"),
    ):
        board.cast_vote(member, item.id, choice)
    board.close_item(world.secretariat, item.id)
    assert item.status == ItemState.DEFERRED and "No majority" in item.outcome_note


def test_declared_conflict_withdraws_the_vote_and_counts_as_recused(client, world) -> None:
    item = item_under_review(world)
    board.cast_vote(world.board_undp, item.id, "reject")
    sign_in(client, world.board_undp)
    missing = client.post(f"/board/items/{item.id}/conflict", data={"reason": " "})
    assert missing.status_code == 422
    response = client.post(
        f"/board/items/{item.id}/conflict", data={"reason": "Former employer of the consultant"}
    )
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(Vote.id))) == 0
    assert vote(client, item, "approve").status_code == 403
    board.cast_vote(world.board_chair, item.id, "approve")
    board.close_item(world.secretariat, item.id)
    decision = item.decision
    assert decision is not None
    assert (decision.eligible, decision.recused, decision.votes_for) == (1, 2, 1)
    assert "declared a conflict of interest: Former employer" in decision.recused_names


def test_written_procedure_closes_when_every_eligible_member_has_voted(client, world) -> None:
    item = item_under_review(world, meeting(world, written=True, number="PRB/2018/05"))
    board.cast_vote(world.board_chair, item.id, "approve")
    assert item.is_open
    board.cast_vote(world.board_undp, item.id, "approve")
    db.session.expire_all()
    assert item.status == ItemState.DECIDED
    assert item.decision.recorded_by_id is None
    assert item.proposal.status == S.APPROVED


def test_written_procedure_closes_at_its_deadline(client, world) -> None:
    item = item_under_review(world, meeting(world, written=True, number="PRB/2018/06"))
    board.cast_vote(world.board_chair, item.id, "approve")
    assert board.close_due(utcnow()) == 0
    assert board.close_due(utcnow() + timedelta(days=8)) == 1
    db.session.expire_all()
    assert item.status == ItemState.DEFERRED  # one vote of two eligible: no quorum
    record = db.session.scalars(
        select(AuditRecord).where(AuditRecord.event == "item_deferred")
    ).one()
    assert record.actor_id is None and record.actor_role == "scheduler"


def test_late_vote_on_an_expired_written_procedure_is_refused(client, world) -> None:
    item = item_under_review(world, meeting(world, written=True, number="PRB/2018/07"))
    item.meeting.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    sign_in(client, world.board_undp)
    # No page closes it (a GET never writes): it waits for the worker or `prb board
    # close-due`, and says so meanwhile, with no vote offered.
    for url in ("/", "/board/", f"/board/meetings/{item.meeting_id}"):
        assert client.get(url).status_code == 200
    page = client.get(f"/board/meetings/{item.meeting_id}").get_data(as_text=True)
    assert "<strong>Voting closed</strong> at the deadline; the result is being recorded" in page
    assert "Open for voting" not in page  # it no longer is (found exploring)
    assert f"vote-submit-{item.id}" not in page
    assert "If the item stays open, close it below" not in page  # a member cannot
    secretariat = client.application.test_client()
    sign_in(secretariat, world.secretariat)
    page = secretariat.get(f"/board/meetings/{item.meeting_id}").get_data(as_text=True)
    # Found exploring: an item the worker could not close (the envelope could not take it)
    # said only "being recorded"; the secretariat learns why by closing it herself.
    assert "If the item stays open, close it below: what stops it" in page
    db.session.expire_all()
    assert item.status == ItemState.OPEN
    # A vote sent anyway is refused; that POST closes the item it found past its deadline.
    response = vote(client, item, "approve")
    assert response.status_code == 409
    db.session.expire_all()
    assert item.status == ItemState.DEFERRED
    assert db.session.scalar(select(func.count(Vote.id))) == 0


def test_prb_board_close_due_closes_what_pages_leave_open(app, client, world) -> None:
    item = item_under_review(world, meeting(world, written=True, number="PRB/2018/08"))
    board.cast_vote(world.board_chair, item.id, "approve")
    item.meeting.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    sign_in(client, world.secretariat)
    client.get(f"/board/meetings/{item.meeting_id}")
    db.session.expire_all()
    assert item.status == ItemState.OPEN
    result = app.test_cli_runner().invoke(args=["board", "close-due"])
    assert result.exit_code == 0 and "1 item(s) closed." in result.output
    db.session.expire_all()
    assert item.status == ItemState.DEFERRED


def test_a_later_decision_supersedes_the_earlier_one(client, world) -> None:
    item = item_under_review(world)
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "request_revision")
    board.close_item(world.secretariat, item.id)
    proposal = item.proposal
    from prb.services import lifecycle

    lifecycle.fire(world.chair_a, proposal.id, "resubmit")
    lifecycle.fire(world.secretariat, proposal.id, "start_review")
    second = board.add_to_agenda(
        world.secretariat, meeting(world, number="PRB/2018/08").id, proposal.id
    )
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, second.id, "approve")
    board.close_item(world.secretariat, second.id)
    first_decision, second_decision = board.decisions_for(proposal)
    assert second_decision.supersedes_id == first_decision.id
    assert proposal.status == S.APPROVED


def test_board_pages_are_for_the_board_secretariat_and_finance(client, world) -> None:
    item = item_under_review(world)
    sign_in(client, world.chair_a)
    assert client.get("/board/").status_code == 403
    assert client.get(f"/board/meetings/{item.meeting_id}").status_code == 403
    as_member(client, world.finance)
    assert client.get(f"/board/meetings/{item.meeting_id}").status_code == 200
    assert client.post(f"/board/items/{item.id}/close", data={}).status_code == 403
    assert client.get("/board/meetings/999").status_code == 404
    assert client.post("/board/items/999/vote", data={"choice": "approve"}).status_code == 404


def test_the_chair_is_told_what_the_board_asks_her_to_revise(client, world) -> None:
    item = item_under_review(world)
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "request_revision")
    sign_in(client, world.secretariat)
    page = client.get(f"/board/meetings/{item.meeting_id}").get_data(as_text=True)
    assert "or what the Board asks them to revise" in page  # the close form says where it goes
    closed = client.post(
        f"/board/items/{item.id}/close",
        data={
            "budget": "150000.00",
            "duration_months": "12",
            "start": "2019-01-01",
            "conditions": "Cut the travel line; name the partner in Mali.",
        },
    )
    assert closed.status_code == 303
    assert item.proposal.status == S.REVISION_REQUESTED
    notice = db.session.scalars(
        select(Notification).where(Notification.user_id == world.chair_a.id)
    ).all()[-1]
    assert "asks for a revision" in notice.subject
    assert "To revise: Cut the travel line; name the partner in Mali." in notice.body
    # The draft minutes say it as the pages do (found exploring: they printed "Conditions").
    from tests.web.test_minutes import pdf_text

    minutes = " ".join(
        pdf_text(client.get(f"/board/meetings/{item.meeting_id}/minutes/draft.pdf").data).split()
    )
    assert "To revise Cut the travel line" in minutes and "Conditions" not in minutes
    as_member(client, world.chair_a)
    page = client.get(f"/proposals/{item.proposal_id}").get_data(as_text=True)
    assert "To revise: Cut the travel line; name the partner in Mali." in page


def test_a_decision_entered_after_the_fact_is_dated_by_the_day_the_board_took_it(
    client, world
) -> None:
    m = board.schedule_meeting(
        world.secretariat,
        board.MeetingInput(
            "PRB/2018/01", "meeting", date(2018, 2, 15), "New York", recorded_after=True
        ),
    )
    board.record_attendance(world.secretariat, m.id, {world.board_chair.id, world.board_undp.id})
    item = board.add_to_agenda(
        world.secretariat, m.id, factories.proposal(world, status=S.UNDER_REVIEW).id
    )
    for member in (world.board_chair, world.board_undp):
        board.record_vote(world.secretariat, item.id, member.id, "reject")
    board.close_item(world.secretariat, item.id)
    sign_in(client, world.chair_a)
    page = client.get(f"/proposals/{item.proposal_id}").get_data(as_text=True)
    decisions = page.split('id="decisions-title"')[1].split("</section>")[0]
    assert '<time datetime="2018-02-15">15 February 2018</time>' in decisions
    assert f"(recorded {utcnow().day} {utcnow():%B %Y}" in decisions


def test_a_past_meetings_votes_say_they_were_entered_from_the_record(client, world) -> None:
    """Found exploring: a meeting of March 2025 entered after the fact read "Votes as
    recorded at closing (3 December 2026, …)", as if voting had closed then."""
    from datetime import date
    from decimal import Decimal

    from tests.unit.test_board_data import past_meeting
    from tests.unit.test_minutes_envelope_as_at import placed, rules_since_2017

    rules_since_2017(world)
    m = past_meeting(world, date(2018, 2, 15))
    item = placed(world, m, "1000.00", "Entered after the fact")
    board.close_item(
        world.secretariat, item.id, board.Terms(Decimal("1000.00"), 12, date(2018, 3, 1))
    )
    sign_in(client, world.secretariat)
    page = client.get(f"/board/meetings/{m.id}").get_data(as_text=True)
    assert "Votes as entered from the record (item closed in PRB " in page
    assert "Votes as recorded at closing" not in page
