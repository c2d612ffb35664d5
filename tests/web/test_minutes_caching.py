"""Minutes without needless rendering (issue 15): a draft unchanged since the browser's copy
is a 304 (its ETag is what it says, not when it was made); a change to the record makes a
new draft; a final version is an immutable file, 304 to a browser that has it."""

from __future__ import annotations

from prb.services import board, minutes
from tests.conftest import sign_in
from tests.web.test_minutes import decided_meeting


def test_an_unchanged_draft_is_a_304(client, world) -> None:
    m = decided_meeting(world)
    sign_in(client, world.board_undp)
    url = f"/board/meetings/{m.id}/minutes/draft.pdf"
    first = client.get(url)
    assert first.status_code == 200 and first.data[:4] == b"%PDF"
    tag = first.headers["ETag"]
    assert first.headers.getlist("Cache-Control") == ["private, no-cache"]
    again = client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == tag
    # another person's copy of the same draft is the same draft
    other = client.application.test_client()
    sign_in(other, world.board_chair)
    assert other.get(url, headers={"If-None-Match": tag}).status_code == 304
    assert other.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_a_draft_of_an_open_meeting_changes_with_its_agenda(client, world) -> None:
    from tests.board_helpers import item_under_review, meeting

    m = meeting(world, number="PRB/2018/09")
    sign_in(client, world.board_undp)
    url = f"/board/meetings/{m.id}/minutes/draft.pdf"
    tag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 304
    item_under_review(world, m)
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 200
    board.cast_vote(world.board_chair, board.get_meeting(world.secretariat, m.id).items[0].id,
                    "approve")  # fmt: skip
    # a vote of an open item is secret until it closes: the draft does not show it
    tag2 = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": tag2}).status_code == 304


def test_a_final_version_is_immutable_and_a_304_for_who_has_it(client, world) -> None:
    m = decided_meeting(world)
    record = minutes.finalise(world.secretariat, m.id)
    sign_in(client, world.board_undp)
    url = f"/board/meetings/{m.id}/minutes/v{record.version}.pdf"
    first = client.get(url)
    assert first.status_code == 200 and first.data == record.pdf
    # the view's own cache header, not doubled by the signed-in default (no-store)
    assert first.headers.getlist("Cache-Control") == ["private, max-age=31536000, immutable"]
    assert first.headers["ETag"] == f'"{record.sha256}"'
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
