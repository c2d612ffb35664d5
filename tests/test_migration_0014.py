"""Migration 0014 (the records' stamp, and proposals indexed by status and submission) on a
database full of records: a database at schema 0013 holding votes, a ledger and final
minutes is upgraded; every row and column it had is kept, the final PDF byte for byte, and
the stamp starts at 1. Downgrading removes only what 0014 added."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from prb.extensions import db
from prb.models import records_stamp
from tests.conftest import make_app
from tests.test_migration_upgrades import upgrade_keeping_every_row


def _indexes(table: str) -> set[str]:
    return {i["name"] for i in inspect(db.engine).get_indexes(table)}


def test_every_row_is_kept_and_the_stamp_starts_at_one(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade_keeping_every_row("0013", "0014")
        assert "ix_proposals_status_submitted" in _indexes("proposals")
        assert records_stamp() == 1
        # The first change after the upgrade raises it.
        db.session.execute(text("UPDATE proposals SET title = title || '.' WHERE id = 1"))
        db.session.commit()
        assert records_stamp() == 2
        db.session.remove()
        db.engine.dispose()


def test_downgrading_0014_removes_only_what_it_added(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade()
        downgrade(revision="0013")
        tables = inspect(db.engine).get_table_names()
        assert "record_stamp" not in tables and "proposals" in tables
        assert "ix_proposals_status_submitted" not in _indexes("proposals")
        assert "ix_proposals_status_updated" in _indexes("proposals")
        db.engine.dispose()
