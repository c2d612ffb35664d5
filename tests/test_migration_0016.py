"""Migration 0016 (progress and final reports, and each programme's reporting schedule) on
a database full of records: a database at the schema before it, holding votes, a ledger and
final minutes, is upgraded; every row and column it had is kept, the final PDF byte for
byte, and every programme takes the default schedule. Downgrading removes only what 0016
added. The revisions are read from the migration itself: the lead re-chains them."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from prb.extensions import db
from tests.conftest import make_app
from tests.test_migration_upgrades import migration, upgrade_keeping_every_row

MIGRATION = migration("0016_progress_reports.py")
REVISION, DOWN = MIGRATION.revision, MIGRATION.down_revision


def _columns(table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


def test_every_row_is_kept_and_programmes_take_the_default_schedule(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade_keeping_every_row(DOWN, REVISION)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM programmes")).scalar()
            schedules = conn.execute(
                text("SELECT progress_report_months, final_report_months FROM programmes")
            ).all()
            assert schedules and set(schedules) == {(6, 3)}
            assert conn.execute(text("SELECT count(*) FROM progress_reports")).scalar() == 0
        db.session.remove()
        db.engine.dispose()


def test_downgrading_removes_only_what_it_added(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision=REVISION)
        tables_before = set(inspect(db.engine).get_table_names())
        downgrade(revision=DOWN)
        tables = set(inspect(db.engine).get_table_names())
        assert tables_before - tables == {"progress_reports"}
        assert "progress_report_months" not in _columns("programmes")
        assert "final_report_months" not in _columns("programmes")
        assert {"code", "envelope", "retired_at"} <= _columns("programmes")
        db.engine.dispose()
