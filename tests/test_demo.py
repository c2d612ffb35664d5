"""`prb demo`: the portfolio of the seed document, loaded once however often it runs."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import Entity, FundingProgramme, Meeting, Proposal, User, WorkingGroup, utcnow
from prb.services import board, portfolio
from tests.conftest import make_app
from workflows import ProposalState, ReportState, Role

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
    db.session.remove()  # on SQLite its read holds the write lock the next `prb demo` needs
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
    # its period text is the secretariat's reporting note, read by the 2018 overview
    assert wmd.duration_text == "15 months"
    end_2018 = portfolio.overview(board.board_chair(), None, 2018)
    assert {r.code: r.duration for r in end_2018.rows}["UNCCT-2019-02-79-D"] == (
        "15 months (March/April 2019–May/June 2020)"
    )
    assert wmd.lead_entity.code == "UNICRI"
    # nine approved proposals, as the report says, and the victims proposal under consideration
    approved_or_later = [p for p in codes.values()]
    assert len(approved_or_later) == 9
    victims = db.session.scalars(
        select(Proposal).where(Proposal.title.like("Supporting and Highlighting Victims%"))
    ).one()
    assert victims.status == S.UNDER_REVIEW and victims.project_code is None
    # budgets the report does not give are marked illustrative, where readers see them
    assert all("llustrative" in p.description for p in codes.values())
    roles = set().union(*(u.roles for u in db.session.scalars(select(User))))
    assert roles >= {Role.CHAIR, Role.BOARD_MEMBER, Role.FINANCE, Role.SECRETARIAT}
    # an open Board meeting, held today (members vote at it), with the proposal under
    # consideration on its agenda
    meeting = db.session.scalars(select(Meeting).order_by(Meeting.held_on.desc())).first()
    today = utcnow().date()
    assert meeting.number == f"PRB/{today.year}/01" and meeting.held_on == today
    assert not meeting.recorded_after
    assert [i.proposal_id for i in meeting.items] == [victims.id]
    # every board member has a seat, the chair's marked chair
    assert {m.email for m in board.board_members()} == {
        u.email for u in db.session.scalars(select(User)) if u.has_role(Role.BOARD_MEMBER)
    }
    assert board.board_chair().email == "board.chair@prb.example"
    # Each 2018 project's progress paragraph, as an accepted report due within 2018; the one
    # report submitted but not accepted never among them.
    from prb.models import ProgressReport
    from prb.services import progress_reports

    narratives = progress_reports.accepted_narratives(None, programme.id, 2018)
    assert {p.project_code for p in codes.values() if p.id in narratives} == {
        "UNCCT-2017-73-a",
        "UNCCT-2017-73-d",
        "UNCCT-2017-73-h",
        "UNCCT-2017-73-i",
        "UNCCT-2017-73-j",
    }
    assert all(n.due_on.year == n.accepted_on.year == 2018 for n in narratives.values())
    border = narratives[codes["UNCCT-2017-73-a"].id]
    assert "The Compendium was officially released and presented" in border.text
    waiting = db.session.scalars(
        select(ProgressReport).where(ProgressReport.status == ReportState.SUBMITTED)
    ).one()
    assert "not accepted" in waiting.narrative
    assert all("not accepted" not in n.text for n in narratives.values())


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


@pytest.fixture
def signing_app(empty_database, tmp_path):  # type: ignore[no-untyped-def]
    """As `make run` has it: `prb demo` makes a self-signed certificate and signs with it."""
    app = make_app(empty_database, SIGNING_P12=str(tmp_path / "signing" / "demo.p12"))
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_demo_shows_the_boards_year_as_it_happened(signing_app) -> None:
    """The whole loop a new user came for, built through the services: past meetings with
    the members' own votes, decisions dated by their meetings under the rules then in
    force, signed final minutes, and a ledger and history on the dates things happened."""
    from prb.models import AuditRecord, Decision, LedgerEntry, MinutesVersion, Vote

    result = signing_app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    held = {
        m.number: m
        for m in db.session.scalars(select(Meeting).where(Meeting.held_on < date(2019, 1, 1)))
    }
    assert set(held) == {"PRB/2018/01", "PRB/2018/02", "PRB/2018/03"}
    assert held["PRB/2018/03"].is_written_procedure
    decisions = list(db.session.scalars(select(Decision)))
    assert len(decisions) == 9 and all(d.outcome == "approve" for d in decisions)
    assert all(d.rules_id is not None for d in decisions)
    by_meeting = {d.item.meeting.number: d.decided_on for d in decisions}
    assert by_meeting["PRB/2018/01"] == date(2018, 1, 10)
    assert by_meeting["PRB/2018/02"] == date(2018, 8, 16)  # "approved in August 2018"
    # the written procedure closed when its last member voted, before its deadline
    assert date(2018, 11, 19) <= by_meeting["PRB/2018/03"] < date(2018, 12, 3)
    votes = list(db.session.scalars(select(Vote)))
    assert len(votes) >= 20
    assert all(v.recorded_by_id is None for v in votes), "members voted themselves"
    for number in held:
        final = db.session.scalars(
            select(MinutesVersion).where(MinutesVersion.meeting_id == held[number].id)
        ).one()
        assert final.signed and final.pdf.startswith(b"%PDF")
        assert hashlib.sha256(final.pdf).hexdigest() == final.sha256
        assert final.finalised_at.year == 2018
    # the history says who did what, when it happened; nothing was loaded behind its back
    events = {a.event for a in db.session.scalars(select(AuditRecord))}
    assert "imported" not in events
    created = db.session.scalars(
        select(AuditRecord).where(
            AuditRecord.event == "created", AuditRecord.proposal_id.is_not(None)
        )
    ).all()
    assert created and all(a.actor is not None and a.actor.has_role(Role.CHAIR) for a in created)
    commitments = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.kind == "commitment")
    ).all()
    assert {e.value_date.year for e in commitments} == {2018}
    assert (
        db.session.scalars(select(User).where(User.email == "admin@prb.example"))
        .one()
        .has_role(Role.ADMINISTRATOR)
    )
