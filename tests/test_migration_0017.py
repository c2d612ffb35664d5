"""Migration 0017 (co-funding) on a database full of records: a database at the schema before
it, holding votes, a ledger and final minutes, is upgraded; every row and column it had is
kept, the final minutes PDF byte for byte, and the new table is append-only from the start.
Downgrading removes only the co-funding table."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError

from prb.extensions import db
from tests.conftest import make_app
from tests.test_migration_upgrades import migration, upgrade_keeping_every_row

MIGRATION = migration("0017_co_funding.py")
REVISION, DOWN = MIGRATION.revision, MIGRATION.down_revision


def test_every_row_is_kept_and_co_funding_is_append_only(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade_keeping_every_row(DOWN, REVISION)
        with db.engine.begin() as conn:
            proposal_id, user_id = conn.execute(
                text("SELECT proposal_id, recorded_by_id FROM ledger_entries LIMIT 1")
            ).one()
            conn.execute(
                text(
                    "INSERT INTO co_funding (proposal_id, funder, amount, currency, rate_to_usd,"
                    " usd_amount, contributed_on, note, recorded_by_id, recorded_at) VALUES"
                    " (:p, 'Government of Switzerland', '100000.00', 'CHF', '1.05263',"
                    " '105263.00', '2018-03-15', '', :u, '2018-03-20 10:00:00')"
                ),
                {"p": proposal_id, "u": user_id},
            )
        for statement in ("UPDATE co_funding SET amount = 1", "DELETE FROM co_funding"):
            with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as conn:
                conn.execute(text(statement))
        db.session.remove()
        db.engine.dispose()


def test_downgrading_removes_only_the_co_funding_table(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision=REVISION)
        before = set(inspect(db.engine).get_table_names())
        downgrade(revision=DOWN)
        after = set(inspect(db.engine).get_table_names())
        assert before - after == {"co_funding"} and after <= before
        db.engine.dispose()
