"""Migration 0018 (working-group chairs indexed by user) on a database full of records: every
row and column is kept, the final minutes PDF byte for byte; downgrading removes the index
only."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from prb.extensions import db
from tests.conftest import make_app
from tests.test_migration_upgrades import migration, upgrade_keeping_every_row

MIGRATION = migration("0018_chairs_by_user.py")
REVISION, DOWN = MIGRATION.revision, MIGRATION.down_revision
INDEX = "ix_working_group_chairs_user"


def _indexes() -> set[str]:
    return {ix["name"] for ix in inspect(db.engine).get_indexes("working_group_chairs")}


def test_every_row_is_kept_and_chairs_are_indexed_by_user(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade_keeping_every_row(DOWN, REVISION)
        assert INDEX in _indexes()
        db.session.remove()
        db.engine.dispose()


def test_downgrading_removes_only_the_index(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision=REVISION)
        tables = set(inspect(db.engine).get_table_names())
        downgrade(revision=DOWN)
        assert INDEX not in _indexes()
        assert set(inspect(db.engine).get_table_names()) == tables
        db.engine.dispose()
