"""The proposal list is kept while the records are unchanged (issue 15): a change anywhere is
seen on the next view, and people who see different proposals never share a kept page."""

from __future__ import annotations

from sqlalchemy import update

from prb.extensions import db
from prb.models import Proposal
from tests import factories
from tests.conftest import sign_in
from workflows import ProposalState


def test_a_committed_change_shows_on_the_next_view(app, client, world) -> None:
    sign_in(client, world.secretariat)
    factories.proposal(world, status=ProposalState.SUBMITTED, title="First of the year")
    assert "First of the year" in client.get("/proposals/").text
    late = factories.proposal(world, status=ProposalState.SUBMITTED, title="Came in later")
    assert "Came in later" in client.get("/proposals/").text  # not the kept page
    # A change made outside the services (a script, a bulk statement) as well.
    db.session.execute(update(Proposal).where(Proposal.id == late.id).values(title="Renamed"))
    db.session.commit()
    page = client.get("/proposals/").text
    assert "Renamed" in page and "Came in later" not in page
    filtered = client.get("/proposals/?status=under_review").text
    assert "Renamed" not in filtered
    db.session.execute(
        update(Proposal).where(Proposal.id == late.id).values(status=ProposalState.UNDER_REVIEW)
    )
    db.session.commit()
    assert "Renamed" in client.get("/proposals/?status=under_review").text


def test_a_kept_page_is_never_shown_to_someone_who_sees_other_proposals(app, world) -> None:
    factories.proposal(world, title="Border draft")  # a draft of group A: its chairs only
    factories.proposal(world, group=world.group_b, title="Legal draft")
    as_a, as_b, as_secretariat = app.test_client(), app.test_client(), app.test_client()
    sign_in(as_a, world.chair_a)
    sign_in(as_b, world.chair_b)
    sign_in(as_secretariat, world.secretariat)
    page_a = as_a.get("/proposals/").text
    page_b = as_b.get("/proposals/").text
    page_secretariat = as_secretariat.get("/proposals/").text
    assert "Border draft" in page_a and "Legal draft" not in page_a
    assert "Legal draft" in page_b and "Border draft" not in page_b
    assert "Border draft" not in page_secretariat and "Legal draft" not in page_secretariat
    # The same again, now from what was kept.
    assert "Legal draft" not in as_a.get("/proposals/").text
    assert "Border draft" not in as_b.get("/proposals/").text
    mine = as_secretariat.get("/proposals/?mine=1").text
    assert "Border draft" not in mine and "Legal draft" not in mine
