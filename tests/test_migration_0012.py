"""Migration 0012 (the outbox) on a database full of records: a database at schema 0011
holding votes, a ledger and final minutes is upgraded; every row is kept, the final PDF byte
for byte, and the outbox starts empty. Downgrading drops the outbox and keeps the rest."""

from __future__ import annotations

import hashlib

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from prb.extensions import db
from tests.conftest import make_app
from tests.test_migration_upgrades import FINAL_PDF, upgraded_records


def test_every_row_is_kept_and_the_outbox_starts_empty(empty_database: str) -> None:
    records = upgraded_records(empty_database, from_revision="0011")
    before, after, conn = next(records)
    assert before["votes"] and before["ledger_entries"] and before["minutes_versions"]
    assert "outbox_messages" not in before
    for table, rows in before.items():
        assert after[table] == rows, f"{table} changed in the upgrade"
    pdf, sha = conn.execute(text("SELECT pdf, sha256 FROM minutes_versions")).one()
    assert bytes(pdf) == FINAL_PDF and hashlib.sha256(bytes(pdf)).hexdigest() == sha
    assert conn.execute(text("SELECT COUNT(*) FROM outbox_messages")).scalar() == 0
    conn.close()
    next(records, None)  # the generator's clean-up


def test_downgrading_0012_drops_only_the_outbox(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade()
        assert "outbox_messages" in inspect(db.engine).get_table_names()
        downgrade(revision="0011")
        tables = inspect(db.engine).get_table_names()
        assert "outbox_messages" not in tables and "jobs" in tables
        db.engine.dispose()
