"""Migration 0022 (what an outbox message is about) on a database full of records and of
outbox messages in every state: every row and column is kept, the final minutes PDF byte for
byte, and every message it held is about nothing that can overtake it (NULL) — sent, or not,
as it would have been; downgrading removes the column and its index only."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from prb.extensions import db
from tests.conftest import make_app
from tests.test_migration_0020 import MESSAGES
from tests.test_migration_upgrades import migration, upgrade_keeping_every_row

MIGRATION = migration("0022_outbox_about.py")
REVISION, DOWN = MIGRATION.revision, MIGRATION.down_revision
# The messages as they were before it, each with the moment (0020) it is worth sending until.
AT_DOWN = [
    (table, {**row, "send_before": "2018-06-15 07:05:00"} if table == "outbox_messages" else row)
    for table, row in MESSAGES
]


def _columns() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("outbox_messages")}


def _indexes() -> set[str]:
    return {str(i["name"]) for i in inspect(db.engine).get_indexes("outbox_messages")}


def test_every_row_is_kept_and_no_message_it_held_is_about_anything(
    empty_database: str,
) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade_keeping_every_row(DOWN, REVISION, rows_at_down=AT_DOWN)
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, about, state FROM outbox_messages ORDER BY id"))
            assert [tuple(r)[:2] for r in rows] == [(i, None) for i in range(1, 7)]
        db.session.remove()
        db.engine.dispose()


def test_downgrading_removes_only_the_column_and_its_index(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision=REVISION)
        tables = set(inspect(db.engine).get_table_names())
        columns, indexes = _columns(), _indexes()
        assert "about" in columns and "ix_outbox_messages_about" in indexes
        downgrade(revision=DOWN)
        assert _columns() == columns - {"about"}
        assert _indexes() == indexes - {"ix_outbox_messages_about"}
        assert set(inspect(db.engine).get_table_names()) == tables
        db.engine.dispose()
