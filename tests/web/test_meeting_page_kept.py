"""A meeting's page is kept while the records are unchanged (`prb.web.board.pages`): what is
kept holds nothing of one view's session, viewer, time or mount point, and any change to the
records shows on the next view."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import g

from prb.extensions import db
from prb.services import board
from tests import factories
from tests.board_helpers import closing_in_a_minute, item_under_review, meeting
from tests.conftest import sign_in
from workflows import ProposalState

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]*)"')
ONCE = re.compile(r'name="once" type="hidden" value="([^"]*)"')


def page(client, m, **kwargs) -> str:  # type: ignore[no-untyped-def]
    # Flask-WTF keeps a request's token on `g`, which the tests' requests share (they run
    # in the fixture's app context): a served request starts without it.
    g.pop("csrf_token", None)
    answer = client.get(f"/board/meetings/{m.id}", **kwargs)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_each_view_carries_its_sessions_csrf_token_and_fresh_one_time_tokens(app, world) -> None:
    m = meeting(world)
    items = [item_under_review(world, m) for _ in range(2)]
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        sign_in(client, world.board_undp)
    app.config["WTF_CSRF_ENABLED"] = True
    views = [page(first, m), page(first, m), page(second, m)]
    for view in views:
        assert "<!--prb:" not in view
        # Every form carries the session's token; each conflict form a one-time token of
        # its own, drawn for this view.
        assert len(set(CSRF.findall(view))) == 1 and CSRF.findall(view)[0]
        assert len(ONCE.findall(view)) == len(items)
    onces = [token for view in views for token in ONCE.findall(view)]
    assert all(onces) and len(set(onces)) == len(onces)
    # The second session's token is refused in the first's, its own accepted.
    vote = {"choice": "approve", "comment": "", "change": ""}
    url = f"/board/items/{items[0].id}/vote"
    g.pop("csrf_token", None)
    refused = first.post(url, data={**vote, "csrf_token": CSRF.findall(views[2])[0]})
    assert refused.status_code == 400
    accepted = first.post(url, data={**vote, "csrf_token": CSRF.findall(views[0])[0]})
    assert accepted.status_code in (302, 303)


def test_one_viewers_page_is_never_shown_to_another(app, world) -> None:
    m = meeting(world)
    item = item_under_review(world, m)
    board.cast_vote(world.board_undp, item.id, "approve", "Well argued")
    voter, other, secretariat = (app.test_client() for _ in range(3))
    sign_in(voter, world.board_undp)
    sign_in(other, world.board_chair)
    sign_in(secretariat, world.secretariat)
    for _ in range(2):  # each view in turn, nothing written between them
        mine = page(voter, m)
        assert "Your vote: Approve — change it?" in mine and "Close voting" not in mine
        theirs = page(other, m)
        assert "change it?" not in theirs and "Well argued" not in theirs
        assert f"vote-submit-{item.id}" in theirs and "Close voting" not in theirs
        kept = page(secretariat, m)
        assert "Close voting on this item" in kept and "Well argued" in kept
        assert f"vote-submit-{item.id}" not in kept


def test_a_change_to_the_records_shows_on_the_next_view(app, client, world) -> None:
    m = meeting(world)
    item = item_under_review(world, m)
    sign_in(client, world.secretariat)
    assert "0 approve, 0 revision, 0 reject" in page(client, m)
    board.cast_vote(world.board_undp, item.id, "reject", "Not yet")
    shown = page(client, m)
    assert "1 reject" in shown and "Not yet" in shown


def test_the_deadline_passing_shows_without_any_change_to_the_records(
    app, client, world, monkeypatch
) -> None:
    item = closing_in_a_minute(world, "PRB/2018/09")
    m = item.meeting
    sign_in(client, world.board_undp)
    before = page(client, m)
    assert f"vote-submit-{item.id}" in before and "the result is being recorded" not in before
    later = m.deadline + timedelta(minutes=1)
    for module in ("prb.web.kept", "prb.services.board.meetings"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: later)
    after = page(client, m)
    assert f"vote-submit-{item.id}" not in after and "the result is being recorded" in after


def test_addresses_follow_where_prb_is_mounted(app, client, world) -> None:
    m = meeting(world)
    item = item_under_review(world, m)
    sign_in(client, world.board_undp)
    assert f'action="/board/items/{item.id}/vote"' in page(client, m)
    mounted = page(client, m, base_url="http://localhost/prb")
    assert f'action="/prb/board/items/{item.id}/vote"' in mounted


def test_a_title_holding_the_placeholders_stays_text(app, client, world) -> None:
    m = meeting(world)
    hostile = "Plan <!--prb:once--> and <!--prb:csrf--> <b>bold</b>"
    proposal = factories.proposal(world, title=hostile, status=ProposalState.UNDER_REVIEW)
    board.add_to_agenda(world.secretariat, m.id, proposal.id)
    db.session.commit()
    sign_in(client, world.board_undp)
    view = page(client, m)
    assert "Plan &lt;!--prb:once--&gt; and &lt;!--prb:csrf--&gt; &lt;b&gt;bold&lt;/b&gt;" in view
    assert len(ONCE.findall(view)) == 1 and all(ONCE.findall(view))
