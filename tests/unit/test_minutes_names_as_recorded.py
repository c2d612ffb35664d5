"""A meeting's minutes name its members and its chair as they were when its items closed:
an account renamed, or moved to another entity, afterwards is still one person in them,
under the name of that day — in the draft, the final version and a corrigendum alike."""

from __future__ import annotations

import json

import pytest

from prb.models import utcnow
from prb.services import board, minutes
from prb.services.accounts import people
from prb.services.errors import Conflict
from prb.services.minutes.record import decisions_json
from tests import factories
from tests.board_helpers import item_under_review, meeting
from tests.conftest import sign_in
from tests.web.test_minutes import pdf_text


def rename(admin, user, name: str, entity) -> None:  # type: ignore[no-untyped-def]
    people.update_user(
        admin,
        user.id,
        people.UserInput(user.email, name, entity.id, set(user.roles)),
    )


def draft(m):  # type: ignore[no-untyped-def]
    return minutes.minutes_data(
        m, draft=True, secretary=None, version_label="Draft", generated_at=utcnow()
    )


def test_a_meeting_names_each_member_once_as_she_was(world) -> None:
    item = item_under_review(world)
    m = item.meeting
    chair_then, undp_then = world.board_chair.name, world.board_undp.name
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "approve")
    board.close_item(world.secretariat, item.id)
    before = draft(m)
    admin = factories.administrator(world)
    rename(admin, world.board_undp, "Renamed Since", world.cted)
    rename(admin, world.board_chair, "Chair Renamed", world.board_chair.entity)
    after = draft(m)
    assert [(p.name, p.entity) for p in after.present] == [
        (p.name, p.entity) for p in before.present
    ]
    assert {p.name for p in after.present} >= {chair_then, undp_then}
    assert not {"Renamed Since", "Chair Renamed"} & {p.name for p in after.present + after.absent}
    assert after.chair_name == chair_then
    final = minutes.finalise(world.secretariat, m.id)
    text = pdf_text(final.pdf)
    assert "Renamed Since" not in text and "Chair Renamed" not in text
    assert f"{undp_then} (UNDP)" in text and chair_then in text
    record = json.loads(decisions_json(after))  # embedded in the PDF, beside the text
    assert record["meeting"]["chair"] == chair_then
    assert record["present"] == [p.name for p in before.present]


def test_a_written_procedure_names_a_voter_renamed_since_as_a_voter_only(world) -> None:
    m = meeting(world, written=True)
    item = item_under_review(world, m)
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "approve")  # the last vote closes the item
    assert not item.is_open
    undp_then = world.board_undp.name
    rename(factories.administrator(world), world.board_undp, "Renamed Since", world.unodc)
    data = draft(m)
    assert undp_then in {p.name for p in data.present}
    assert not {"Renamed Since", undp_then} & {p.name for p in data.absent}


def test_a_member_marked_present_after_an_item_closed_is_present_in_the_draft(world) -> None:
    m = meeting(world, everyone_present=False)
    board.record_attendance(world.secretariat, m.id, {world.board_chair.id, world.board_cted.id})
    first = item_under_review(world, m)
    second = item_under_review(world, m, title="Second")
    board.close_item(world.secretariat, first.id)  # closed while board_undp was away
    board.mark_present(world.secretariat, m.id, world.board_undp.id)
    assert second.is_open
    data = draft(m)
    assert world.board_undp.name in {p.name for p in data.present}
    assert world.board_undp.name not in {p.name for p in data.absent}


def test_attendance_cannot_change_once_every_item_has_closed(client, world) -> None:  # type: ignore[no-untyped-def]
    """Found exploring in a browser: marked present after the last item closed, a member
    read "is marked present and may vote" though nothing was left to vote on, and the
    meeting page ticked her present while the minutes said absent."""
    m = meeting(world, everyone_present=False)
    board.record_attendance(world.secretariat, m.id, {world.board_chair.id, world.board_cted.id})
    only = item_under_review(world, m)
    board.close_item(world.secretariat, only.id)
    with pytest.raises(Conflict, match="Every item of PRB/2018/03 is closed"):
        board.mark_present(world.secretariat, m.id, world.board_undp.id)
    everyone = {world.board_chair.id, world.board_cted.id, world.board_undp.id}
    with pytest.raises(Conflict, match="attendance can no longer change"):
        board.record_attendance(world.secretariat, m.id, everyone)
    sign_in(client, world.secretariat)
    response = client.post(
        f"/board/meetings/{m.id}/present", data={"member_id": world.board_undp.id}
    )
    assert response.status_code == 409
    assert "may vote" not in response.get_data(as_text=True)
    data = draft(m)
    assert world.board_undp.name in {p.name for p in data.absent}
