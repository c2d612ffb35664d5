"""The benchmark's generated office is one that has been running: its worker's first pass
finds no backlog of overdue-report notices to write and mail (benchmarks/generate.py)."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import func, select

from benchmarks.generate import generate
from prb import create_app
from prb.extensions import db
from prb.models import Notification, ProgressReport, Proposal, User
from prb.models.types import utcnow
from prb.services.board.members import board_members
from prb.services.board.queries import awaiting_list
from prb.services.notifications import scheduled
from prb.services.progress_reports.queries import overdue_of


def test_generated_projects_owe_no_report_and_the_first_pass_writes_few_notices(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'bench.db'}", "SIGNING_P12": ""}
    )
    with app.app_context():
        upgrade()
        counts = generate(400)
        assert counts["progress_reports"] > 100  # the running projects have reported
        assert (
            db.session.scalar(select(func.count(ProgressReport.id))) == counts["progress_reports"]
        )
        every_project = list(db.session.scalars(select(Proposal.id)))
        assert overdue_of(every_project, utcnow().date()) == []
        scheduled.notify_due()
        # The Board's members sit: each meeting counts them, and the open meeting asks them.
        assert len(board_members()) == 20
        member = db.session.scalars(
            select(User).where(User.email.startswith("board_member.9@"))
        ).one()
        assert awaiting_list(member), "the benchmark's board member has nothing to vote on"
        # Only the projects ending within the notice period are told so.
        assert db.session.scalar(select(func.count(Notification.id))) < 100
