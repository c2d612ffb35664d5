"""Issue 12 on the pages: a frozen meeting, corrections before closing, attendance that
decides who votes, and no voter names for anyone but the secretariat while voting is open."""

from __future__ import annotations

from datetime import date, timedelta

from prb.extensions import db
from prb.models import BoardMembership, utcnow
from prb.services import board, calendar, minutes
from tests import factories
from tests.board_helpers import item_under_review, meeting
from tests.conftest import sign_in
from workflows import ItemState, ProposalState, Role

S = ProposalState


def as_user(client, user) -> None:  # type: ignore[no-untyped-def]
    client.post("/logout")
    sign_in(client, user)


def final_item(world):  # type: ignore[no-untyped-def]
    item = item_under_review(world)
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "approve")
    board.close_item(world.secretariat, item.id)
    minutes.finalise(world.secretariat, item.meeting_id)
    return item


def test_a_finalised_meeting_refuses_attendance_agenda_and_votes(client, world) -> None:
    item = final_item(world)
    later = factories.proposal(world, status=S.UNDER_REVIEW, title="Arrived late")
    sign_in(client, world.secretariat)
    page = client.get(f"/board/meetings/{item.meeting_id}").get_data(as_text=True)
    assert "The minutes are final" in page and "corrigendum" in page
    for hidden in ("Add to the agenda", "Save attendance", "Mark present", "Correct the number"):
        assert hidden not in page
    posts = {
        f"/board/meetings/{item.meeting_id}/attendance": {"present": [world.board_chair.id]},
        f"/board/meetings/{item.meeting_id}/present": {"member_id": world.board_cted.id},
        f"/board/meetings/{item.meeting_id}/agenda": {"proposal_id": later.id},
    }
    for url, data in posts.items():
        response = client.post(url, data=data)
        assert response.status_code == 409, url
        assert "are final" in response.get_data(as_text=True)
    as_user(client, world.board_undp)
    vote = client.post(f"/board/items/{item.id}/vote", data={"choice": "reject", "change": "1"})
    assert vote.status_code == 409 and "corrigendum" in vote.get_data(as_text=True)


def test_an_empty_agenda_cannot_be_finalised_on_the_page(client, world) -> None:
    m = meeting(world)
    sign_in(client, world.secretariat)
    page = client.get(f"/board/meetings/{m.id}").get_data(as_text=True)
    assert "Finalise the minutes" not in page and "at least one item" in page
    response = client.post(f"/board/meetings/{m.id}/minutes", data={})
    assert response.status_code == 409
    assert "no decided or deferred item" in response.get_data(as_text=True)


def test_the_secretariat_corrects_a_meeting_until_an_item_closes(client, world) -> None:
    item = item_under_review(world)
    later = utcnow().date() + timedelta(days=2)
    sign_in(client, world.secretariat)
    page = client.get(f"/board/meetings/{item.meeting_id}").get_data(as_text=True)
    assert "Correct the number, date, place or chair" in page
    form = {
        "correct-number": "PRB/2018/05",
        "correct-held_on": later.isoformat(),
        "correct-place": "Geneva",
        "correct-chair_id": world.board_undp.id,
    }
    bad = client.post(
        f"/board/meetings/{item.meeting_id}/correct", data={**form, "correct-place": ""}
    )
    assert bad.status_code == 422 and "Give the place" in bad.get_data(as_text=True)
    response = client.post(f"/board/meetings/{item.meeting_id}/correct", data=form)
    assert response.status_code == 303
    page = client.get(f"/board/meetings/{item.meeting_id}").get_data(as_text=True)
    assert "PRB/2018/05" in page and "Geneva" in page
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "approve")
    board.close_item(world.secretariat, item.id)
    assert item.decision is not None and item.decision.decided_on == later
    page = client.get(f"/board/meetings/{item.meeting_id}").get_data(as_text=True)
    assert "Correct the number" not in page and "Cancel this" not in page
    refused = client.post(
        f"/board/meetings/{item.meeting_id}/correct", data={**form, "correct-place": "Rome"}
    )
    assert refused.status_code == 409 and "is closed" in refused.get_data(as_text=True)
    as_user(client, world.board_chair)
    assert client.post(f"/board/meetings/{item.meeting_id}/correct", data=form).status_code == 403


def test_an_item_is_withdrawn_until_someone_votes(client, world) -> None:
    item = item_under_review(world)
    voted = item_under_review(world, item.meeting)
    board.cast_vote(world.board_undp, voted.id, "approve")
    sign_in(client, world.secretariat)
    page = client.get(f"/board/meetings/{item.meeting_id}").get_data(as_text=True)
    assert f"Withdraw item {item.position}" in page
    assert f"Withdraw item {voted.position}" not in page
    assert "Cancel this meeting" not in page  # an item has a vote
    refused = client.post(f"/board/items/{voted.id}/withdraw", data={"reason": "Not ready"})
    assert refused.status_code == 409 and "has a vote" in refused.get_data(as_text=True)
    response = client.post(f"/board/items/{item.id}/withdraw", data={"reason": "Not ready"})
    assert response.status_code == 303
    db.session.refresh(item)
    assert item.status == ItemState.WITHDRAWN
    page = client.get(f"/board/meetings/{item.meeting_id}").get_data(as_text=True)
    assert "Withdrawn from the agenda: Not ready" in page


def test_a_meeting_is_cancelled_on_its_page(client, world) -> None:
    item = item_under_review(world)
    sign_in(client, world.secretariat)
    assert "Cancel this meeting" in client.get(f"/board/meetings/{item.meeting_id}").get_data(
        as_text=True
    )
    response = client.post(f"/board/meetings/{item.meeting_id}/cancel", data={"reason": "Storm"})
    assert response.status_code == 303
    page = client.get(f"/board/meetings/{item.meeting_id}").get_data(as_text=True)
    assert "Cancelled on" in page and "Storm" in page and "Add to the agenda" not in page


def test_a_member_not_present_is_told_why_and_votes_once_marked_present(client, world) -> None:
    item = item_under_review(world, meeting(world, everyone_present=False))
    sign_in(client, world.board_undp)
    page = client.get(f"/board/meetings/{item.meeting_id}").get_data(as_text=True)
    assert "You cannot vote at this meeting" in page and "not recorded present" in page
    refused = client.post(f"/board/items/{item.id}/vote", data={"choice": "approve"})
    assert refused.status_code == 403 and "may not vote" in refused.get_data(as_text=True)
    assert "Nothing is waiting for your vote" in client.get("/board/").get_data(as_text=True)
    as_user(client, world.secretariat)
    joined = client.post(
        f"/board/meetings/{item.meeting_id}/present", data={"member_id": world.board_undp.id}
    )
    assert joined.status_code == 303
    as_user(client, world.board_undp)
    assert f"item {item.position}:" in client.get("/board/").get_data(as_text=True)
    assert client.post(f"/board/items/{item.id}/vote", data={"choice": "approve"}).status_code == (
        303
    )


def test_absent_members_vote_when_the_rules_allow(client, world) -> None:
    admin = factories.administrator(world)
    board.add_rules(
        admin,
        board.RulesInput(date(2017, 1, 1), "1/2", True, 14, absent_may_vote=True),
    )
    item = item_under_review(world, meeting(world, everyone_present=False))
    sign_in(client, world.board_undp)
    assert client.post(f"/board/items/{item.id}/vote", data={"choice": "approve"}).status_code == (
        303
    )


def test_the_proposing_chair_sees_no_voter_until_the_item_closes(client, world) -> None:
    chair = world.chair_a  # chairs group A, and sits on the Board for UNODC: two roles
    chair.set_roles({Role.CHAIR, Role.BOARD_MEMBER})
    db.session.add(BoardMembership(user=chair, entity=world.unodc, since=date(2000, 1, 1)))
    db.session.commit()
    item = item_under_review(world, created_by=chair)
    board.cast_vote(world.board_chair, item.id, "approve")
    board.declare_conflict(world.board_undp, item.id, "I reviewed it")
    voters = (world.board_chair.name, world.board_undp.name)
    url = f"/proposals/{item.proposal_id}"
    sign_in(client, chair)
    page = client.get(url).get_data(as_text=True)
    assert not any(name in page for name in voters)
    as_user(client, world.finance)
    page = client.get(url).get_data(as_text=True)
    assert not any(name in page for name in voters)
    as_user(client, world.secretariat)
    page = client.get(url).get_data(as_text=True)
    assert all(name in page for name in voters)
    board.close_item(world.secretariat, item.id)
    as_user(client, chair)
    page = client.get(url).get_data(as_text=True)
    assert all(name in page for name in voters)


def test_the_secretariat_moves_a_written_procedures_deadline_on_its_page(client, world) -> None:
    m = meeting(world, written=True)
    item_under_review(world, m)
    assert m.deadline is not None
    sign_in(client, world.secretariat)
    page = client.get(f"/board/meetings/{m.id}").get_data(as_text=True)
    assert "Correct the number, date, place, deadline or chair" in page
    shown = m.deadline.strftime("%Y-%m-%dT%H:%M")
    assert f'name="correct-deadline" type="datetime-local" value="{shown}"' in page
    form = {
        "correct-number": m.number,
        "correct-held_on": m.held_on.isoformat(),
        "correct-place": m.place,
        "correct-chair_id": world.board_chair.id,
    }
    past = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(
        f"/board/meetings/{m.id}/correct", data={**form, "correct-deadline": past}
    )
    assert refused.status_code == 422
    assert "The deadline must be in the future." in refused.get_data(as_text=True)
    # Only the field to fix is marked: the date it opens, untouched, is not (found exploring).
    assert "A written procedure opens before its deadline." not in refused.get_data(as_text=True)
    later = (m.deadline + timedelta(days=5)).replace(second=0, microsecond=0)
    moved = client.post(
        f"/board/meetings/{m.id}/correct",
        data={**form, "correct-deadline": later.strftime("%Y-%m-%dT%H:%M")},
    )
    assert moved.status_code == 303
    page = client.get(f"/board/meetings/{m.id}").get_data(as_text=True)
    assert f"<dt>Voting closes</dt><dd>{calendar.utc_time(later)}</dd>" in page
    db.session.refresh(m)
    assert m.deadline == later


def test_a_refused_closing_shows_its_form_open_with_what_was_typed(client, world) -> None:
    item = item_under_review(world)
    other = item_under_review(world, item.meeting)
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "approve")
    sign_in(client, world.secretariat)
    typed = {
        "budget": "150000.01",
        "duration_months": "9",
        "start": "2019-02-01",
        "conditions": "Translate the leaflet",
        "project_code": "UNCCT-2019-77",
    }
    refused = client.post(f"/board/items/{item.id}/close", data=typed)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "may not exceed the USD 150,000.00 requested" in page
    closing = page.split(f'action="/board/items/{item.id}/close"')[0].rsplit("<details", 1)[1]
    assert closing.startswith(' class="close-item" open>')
    form = page.split(f'action="/board/items/{item.id}/close"')[1].split("</form>")[0]
    for name in ("budget", "duration_months", "start", "project_code"):
        assert f'name="{name}" ' in form and f'value="{typed[name]}"' in form, name
    assert "Translate the leaflet</textarea>" in form
    # the other item's form stays as the record has it, closed
    other_form = page.split(f'action="/board/items/{other.id}/close"')[0].rsplit("<details", 1)[1]
    assert other_form.startswith(' class="close-item">')
    # a value that could not be read is shown as typed too
    unreadable = client.post(f"/board/items/{item.id}/close", data={**typed, "budget": "12,5x"})
    assert unreadable.status_code == 422
    assert 'value="12,5x"' in unreadable.get_data(as_text=True)


def test_a_refused_correction_shows_its_form_open_with_what_was_typed(client, world) -> None:
    item = item_under_review(world)
    sign_in(client, world.secretariat)
    form = {
        "correct-number": "PRB/2018/09",
        "correct-held_on": (utcnow().date() + timedelta(days=4)).isoformat(),
        "correct-place": "",
        "correct-chair_id": world.board_undp.id,
    }
    refused = client.post(f"/board/meetings/{item.meeting_id}/correct", data=form)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert '<details class="panel" id="correct-meeting" open>' in page
    panel = page.split('id="correct-meeting" open>')[1].split("</details>")[0]
    assert 'value="PRB/2018/09"' in panel and f'value="{form["correct-held_on"]}"' in panel
    assert "Give the place" in panel  # beside its field, not only at the top
    assert f'<option selected value="{world.board_undp.id}">' in panel
    db.session.refresh(item.meeting)
    assert item.meeting.number == "PRB/2018/03"
