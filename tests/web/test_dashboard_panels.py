"""The dashboard's panels are kept between views while the records are unchanged
(prb/services/dashboard.py): kept per visibility, so one chair never sees another group's
drafts, and dropped by any change, so a new proposal shows at the next view."""

from __future__ import annotations

from prb.extensions import db
from prb.services import lifecycle
from tests import factories
from tests.conftest import sign_in
from workflows import ProposalState as S
from workflows import ProposalTrigger as T


def dashboard(client, user) -> str:  # type: ignore[no-untyped-def]
    client.post("/logout")
    sign_in(client, user)
    page = client.get("/")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_each_chair_sees_only_her_groups_panels_though_they_are_kept(app, world) -> None:  # type: ignore[no-untyped-def]
    factories.proposal(world, title="Group A draft on borders")
    factories.proposal(
        world, group=world.group_b, title="Group B draft on victims", created_by=world.chair_b
    )
    # Both signed in first: signing in is a change, which would empty what was kept.
    chair_a, chair_b = app.test_client(), app.test_client()
    sign_in(chair_a, world.chair_a)
    sign_in(chair_b, world.chair_b)
    for _ in range(2):  # each view after the first is served from what was kept
        mine = chair_a.get("/").get_data(as_text=True)
        assert "Group A draft on borders" in mine
        assert "Group B draft on victims" not in mine
        theirs = chair_b.get("/").get_data(as_text=True)
        assert "Group B draft on victims" in theirs
        assert "Group A draft on borders" not in theirs


def test_a_change_shows_at_the_next_view(client, world) -> None:  # type: ignore[no-untyped-def]
    draft = factories.proposal(world, title="Submitted after the first look")
    before = dashboard(client, world.secretariat)
    assert "Submitted after the first look" not in before
    lifecycle.fire(world.chair_a, draft.id, T.SUBMIT)
    db.session.expire_all()
    assert draft.status == S.SUBMITTED
    after = dashboard(client, world.secretariat)
    assert "Submitted after the first look" in after
