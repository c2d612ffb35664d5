"""Migration 0015 (attachments) on a database full of records: a database at the previous
schema holding votes, a ledger and final minutes is upgraded; every row and column it had is
kept, the final PDF byte for byte; the new table is append-only. Downgrading removes only
what 0015 added."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError

from prb.extensions import db
from tests.conftest import make_app
from tests.test_migration_upgrades import migration, upgrade_keeping_every_row

MIGRATION = migration("0015_attachments.py")
REVISION, BEFORE = MIGRATION.revision, MIGRATION.down_revision


def test_every_row_is_kept_and_attachments_are_append_only(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade_keeping_every_row(BEFORE, REVISION)
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
