"""Migration 0015 (attachments) on a database full of records: a database at the previous
schema holding votes, a ledger and final minutes is upgraded; every row and column it had is
kept, the final PDF byte for byte; the new table is append-only. Downgrading removes only
what 0015 added."""

from __future__ import annotations

import hashlib
import importlib.util

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError

from prb.app import MIGRATIONS_DIR
from prb.extensions import db
from tests.conftest import make_app
from tests.test_migration_0012 import _rows
from tests.test_migration_upgrades import FINAL_PDF, PREVIOUS, _insert


def _migration():  # type: ignore[no-untyped-def]
    path = MIGRATIONS_DIR / "versions" / "0015_attachments.py"
    spec = importlib.util.spec_from_file_location("prb_migration_0015", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MIGRATION = _migration()
REVISION, BEFORE = MIGRATION.revision, MIGRATION.down_revision


def test_every_row_is_kept_and_attachments_are_append_only(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision=PREVIOUS)
        with db.engine.begin() as conn:
            _insert(conn)
        upgrade(revision=BEFORE)
        inspector = inspect(db.engine)
        tables = {
            t: [c["name"] for c in inspector.get_columns(t)]
            for t in inspector.get_table_names()
            if t != "alembic_version"
        }
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
        assert "attachments" in inspect(db.engine).get_table_names()
        # Snapshots taken before files were kept say nothing about files (NULL, not "none").
        with db.engine.connect() as conn:
            files = conn.execute(text("SELECT attachments FROM agenda_item_snapshots")).all()
        assert files and all(f is None for (f,) in files)
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO attachments (owner_kind, owner_id, filename, media_type, size,"
                    " sha256, storage_key, description, uploaded_by_id, uploaded_at) VALUES"
                    " ('proposal', 1, 'a.pdf', 'application/pdf', 3, :sha, :key, '', 1,"
                    " '2026-11-30 03:00:00')"
                ),
                {"sha": "0" * 64, "key": "a" * 32},
            )
        for statement in ("UPDATE attachments SET size = 4", "DELETE FROM attachments"):
            with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as conn:
                conn.execute(text(statement))
        db.session.remove()
        db.engine.dispose()


def test_downgrading_0015_removes_only_what_it_added(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision=REVISION)
        downgrade(revision=BEFORE)
        tables = inspect(db.engine).get_table_names()
        assert "attachments" not in tables
        columns = {c["name"] for c in inspect(db.engine).get_columns("agenda_item_snapshots")}
        assert "attachments" not in columns and "closing_record" in columns
        assert {"proposals", "minutes_versions", "agenda_item_snapshots"} <= set(tables)
        db.engine.dispose()
