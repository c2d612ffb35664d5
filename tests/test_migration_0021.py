"""Migration 0021 (a proposal's transition keeps the day it took effect) on a database full of
records — votes, a ledger, final minutes, and a cancellation recorded under 0020: every row
and column is kept, the final minutes PDF byte for byte, every existing transition reads as
taking effect the day it was recorded (NULL), and the audit trail stays append-only on both
databases, upgraded and downgraded; downgrading removes the column only."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError

from prb.extensions import db
from tests.conftest import make_app
from tests.test_migration_upgrades import migration, upgrade_keeping_every_row

MIGRATION = migration("0021_transition_effective_on.py")
REVISION, DOWN = MIGRATION.revision, MIGRATION.down_revision

CANCELLED = (
    "audit_records",
    {
        "id": 2,
        "at": "2018-06-30 10:00:00",
        "actor_id": None,
        "actor_role": "secretariat",
        "event": "cancel",
        "proposal_id": 1,
        "from_state": "approved",
        "to_state": "cancelled",
        "comment": "The partner withdrew.",
    },
)


def _columns() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("audit_records")}


def _still_append_only() -> None:
    for statement in (
        "UPDATE audit_records SET comment = 'changed' WHERE id = 1",
        "DELETE FROM audit_records WHERE id = 1",
    ):
        with db.engine.connect() as conn, pytest.raises(DatabaseError, match="append-only"):
            conn.execute(text(statement))


def test_every_row_is_kept_and_every_transition_dated_as_recorded(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade_keeping_every_row(DOWN, REVISION, rows_at_down=[CANCELLED])
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, effective_on FROM audit_records ORDER BY id"))
            found = [tuple(r) for r in rows]
        assert (2, None) in found and all(day is None for _, day in found)
        _still_append_only()
        db.session.remove()
        db.engine.dispose()


def test_downgrading_removes_only_the_column(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision=REVISION)
        tables = set(inspect(db.engine).get_table_names())
        columns = _columns()
        assert "effective_on" in columns
        downgrade(revision=DOWN)
        assert _columns() == columns - {"effective_on"}
        assert set(inspect(db.engine).get_table_names()) == tables
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO audit_records (id, at, event, comment) "
                    "VALUES (1, '2018-01-01 00:00:00', 'x', '')"
                )
            )
        _still_append_only()
        db.engine.dispose()
