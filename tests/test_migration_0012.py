"""Migration 0012 (the outbox) on a database full of records: a database at schema 0011
holding votes, a ledger and final minutes is upgraded; every row is kept, the final PDF byte
for byte, and the outbox starts empty. Downgrading drops the outbox and keeps the rest."""

from __future__ import annotations

import hashlib

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from prb.extensions import db
from tests.conftest import make_app
from tests.test_migration_upgrades import FINAL_PDF, PREVIOUS, _insert


def _rows(conn: Connection, tables: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """Every row of every table, sorted here: PostgreSQL cannot order by a JSON column (the
    jobs' parameters), which the shared helper's ORDER BY would need."""
    found = {}
    for table, cols in tables.items():
        rows = conn.execute(text(f"SELECT {', '.join(cols)} FROM {table}"))
        # bytes, not a memoryview: its repr names an address, not the content
        plain = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in rows]
        found[table] = sorted(plain, key=repr)
    return found


def test_every_row_is_kept_and_the_outbox_starts_empty(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision=PREVIOUS)
        with db.engine.begin() as conn:
            _insert(conn)
        upgrade(revision="0011")
        inspector = inspect(db.engine)
        tables = {
            t: [c["name"] for c in inspector.get_columns(t)]
            for t in inspector.get_table_names()
            if t != "alembic_version"
        }
        with db.engine.connect() as conn:
            before = _rows(conn, tables)
        upgrade()
        with db.engine.connect() as conn:
            after = _rows(conn, tables)
            assert before["votes"] and before["ledger_entries"] and before["minutes_versions"]
            assert "outbox_messages" not in before
            for table, rows in before.items():
                assert after[table] == rows, f"{table} changed in the upgrade"
            pdf, sha = conn.execute(text("SELECT pdf, sha256 FROM minutes_versions")).one()
            assert bytes(pdf) == FINAL_PDF and hashlib.sha256(bytes(pdf)).hexdigest() == sha
            assert conn.execute(text("SELECT COUNT(*) FROM outbox_messages")).scalar() == 0
        db.engine.dispose()


def test_downgrading_0012_drops_only_the_outbox(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade()
        assert "outbox_messages" in inspect(db.engine).get_table_names()
        downgrade(revision="0011")
        tables = inspect(db.engine).get_table_names()
        assert "outbox_messages" not in tables and "jobs" in tables
        db.engine.dispose()
