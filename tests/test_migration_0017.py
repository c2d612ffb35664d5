"""Migration 0017 (co-funding) on a database full of records: a database at the schema before
it, holding votes, a ledger and final minutes, is upgraded; every row and column it had is
kept, the final minutes PDF byte for byte, and the new table is append-only from the start.
Downgrading removes only the co-funding table."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError

from prb.extensions import db
from tests.conftest import make_app
from tests.test_migration_0012 import _rows
from tests.test_migration_upgrades import FINAL_PDF, PREVIOUS, _insert

_PATH = Path(__file__).resolve().parent.parent / "migrations" / "versions" / "0017_co_funding.py"
_SPEC = importlib.util.spec_from_file_location("prb_migration_0017", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
MIGRATION = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(MIGRATION)
# The lead re-chains the revisions at merge: the test reads them from the migration itself.
REVISION, DOWN = MIGRATION.revision, MIGRATION.down_revision


def test_every_row_is_kept_and_co_funding_is_append_only(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision=PREVIOUS)
        with db.engine.begin() as conn:
            _insert(conn)
        upgrade(revision=DOWN)
        inspector = inspect(db.engine)
        tables = {
            t: [c["name"] for c in inspector.get_columns(t)]
            for t in inspector.get_table_names()
            if t != "alembic_version"
        }
        assert "co_funding" not in tables
        with db.engine.connect() as conn:
            before = _rows(conn, tables)
        upgrade(revision=REVISION)
        with db.engine.connect() as conn:
            after = _rows(conn, tables)
            assert before["votes"] and before["minutes_versions"] and before["ledger_entries"]
            for table, rows in before.items():
                assert after[table] == rows, f"{table} changed in the upgrade"
            pdf, sha = conn.execute(text("SELECT pdf, sha256 FROM minutes_versions")).one()
            assert bytes(pdf) == FINAL_PDF and hashlib.sha256(bytes(pdf)).hexdigest() == sha
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
