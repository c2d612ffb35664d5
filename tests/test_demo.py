"""`prb demo`: the portfolio of the seed document, loaded once however often it runs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import Entity, FundingProgramme, Meeting, Proposal, User, WorkingGroup, utcnow
from prb.services import board
from tests.conftest import make_app
from workflows import ProposalState, Role

S = ProposalState


@pytest.fixture
def app(empty_database):  # type: ignore[no-untyped-def]
    """`prb demo` runs on a database built by the migrations, as a user's is."""
    app = make_app(empty_database)
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Entity, WorkingGroup, FundingProgramme, User, Proposal)
    }


def test_demo_loads_the_seed_portfolio_and_running_twice_duplicates_nothing(app) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "secretariat@prb.example" in first.output and "prb-demo-password" in first.output
    after_first = counts()
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert "nothing new" in second.output
    assert counts() == after_first
    assert after_first["WorkingGroup"] == 12

    programme = db.session.scalars(
        select(FundingProgramme).where(FundingProgramme.code == "UNCCT-2017-73")
    ).one()
    assert programme.envelope == Decimal("1356000.00")
    assert (programme.start_year, programme.end_year) == (2017, 2018)
    codes = {
        p.project_code: p
        for p in db.session.scalars(select(Proposal).where(Proposal.project_code.is_not(None)))
    }
    for code in (
        "UNCCT-2017-73-a",
        "UNCCT-2017-73-d",
        "UNCCT-2017-73-h",
        "UNCCT-2017-73-i",
        "UNCCT-2017-73-j",
    ):
        assert codes[code].status == S.ONGOING
        assert codes[code].duration_text == "12 months (subject to extension)"
        assert codes[code].scope == "Global"
        assert codes[code].results_alignment == "Outcome 4, Output 4.2"
    wmd = codes["UNCCT-2019-02-79-D"]
    assert wmd.status == S.INITIATED
    assert wmd.duration_text == "15 months (March/April 2019–May/June 2020)"
    assert wmd.lead_entity.code == "UNICRI"
    # nine approved proposals, as the report says, and the victims proposal under consideration
    approved_or_later = [p for p in codes.values()]
    assert len(approved_or_later) == 9
    victims = db.session.scalars(
        select(Proposal).where(Proposal.title.like("Supporting and Highlighting Victims%"))
    ).one()
    assert victims.status == S.UNDER_REVIEW and victims.project_code is None
    # budgets the report does not give are marked illustrative
    assert all("llustrative" in p.data_note for p in codes.values())
    roles = set().union(*(u.roles for u in db.session.scalars(select(User))))
    assert roles >= {Role.CHAIR, Role.BOARD_MEMBER, Role.FINANCE, Role.SECRETARIAT}
    assert db.session.scalars(select(User).where(User.is_board_chair)).one()
    # an open Board meeting, held today (members vote at it), with the proposal under
    # consideration on its agenda
    meeting = db.session.scalars(select(Meeting)).one()
    today = utcnow().date()
    assert meeting.number == f"PRB/{today.year}/01" and meeting.held_on == today
    assert not meeting.recorded_after
    assert [i.proposal_id for i in meeting.items] == [victims.id]
    # every board member has a seat, the chair's marked chair
    assert {m.email for m in board.board_members()} == {
        u.email for u in db.session.scalars(select(User)) if u.has_role(Role.BOARD_MEMBER)
    }
    assert board.board_chair().email == "board.chair@prb.example"


def test_demo_users_can_sign_in(app) -> None:
    app.test_cli_runner().invoke(args=["demo"])
    client = app.test_client()
    response = client.post(
        "/login", data={"email": "chair.cted@prb.example", "password": "prb-demo-password"}
    )
    assert response.status_code == 302
    page = client.get("/proposals/?mine=y").get_data(as_text=True)
    assert "UNCCT-2017-73-a" in page


def test_demo_refuses_a_database_without_the_schema(database_url) -> None:
    app = make_app(database_url)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo"])
        db.engine.dispose()
    assert result.exit_code == 1
    assert "run `prb db upgrade` first" in result.output
