"""Migration 0019 (the office that heads the PDFs) on a database full of records: every row
and column is kept, the final minutes PDF byte for byte; a database in use keeps the name
its PDFs carried, an empty one gets its office from `prb setup`; downgrading removes the
table only."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from prb.extensions import db
from tests.conftest import make_app
from tests.test_migration_upgrades import migration, upgrade_keeping_every_row

MIGRATION = migration("0019_office.py")
REVISION, DOWN = MIGRATION.revision, MIGRATION.down_revision


def _office() -> list[tuple[int, str, str]]:
    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text("SELECT id, name, unit FROM office"))]


def test_a_database_in_use_keeps_the_office_its_pdfs_named(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        # Its row of the office raises the records' stamp: prepared reports are made again.
        upgrade_keeping_every_row(DOWN, REVISION, writes_records=True)
        assert _office() == [
            (
                1,
                "United Nations Office of Counter-Terrorism",
                "United Nations Counter-Terrorism Centre",
            )
        ]
        db.session.remove()
        db.engine.dispose()


def test_an_empty_database_has_no_office_until_setup_and_downgrading_drops_it(
    empty_database: str,
) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision=REVISION)
        assert _office() == []
        tables = set(inspect(db.engine).get_table_names())
        downgrade(revision=DOWN)
        assert set(inspect(db.engine).get_table_names()) == tables - {"office"}
        db.engine.dispose()
