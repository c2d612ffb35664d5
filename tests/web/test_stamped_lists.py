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


def test_the_stamp_comes_with_the_signed_in_user(app, client, world) -> None:
    """A signed-in page reads the records' stamp in the statement that loads her (the first
    of the request), not in a statement of its own; and a change committed between two
    views still shows on the second."""
    from sqlalchemy import event

    sign_in(client, world.secretariat)
    factories.proposal(world, status=ProposalState.SUBMITTED, title="Seen first")
    client.get("/proposals/")  # kept
    statements: list[str] = []

    def note(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert "Seen first" in client.get("/proposals/").text
        factories.proposal(world, status=ProposalState.SUBMITTED, title="Seen second")
        assert "Seen second" in client.get("/proposals/").text
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    reads = [s for s in statements if s.upper().startswith("SELECT")]
    assert not [s for s in reads if s.startswith("SELECT record_stamp.version")], reads
    loading_her = [s for s in reads if "FROM users" in s and "record_stamp" in s]
    assert len(loading_her) == 2  # one per view
