"""Migration 0013 (notifications, and extra headers on outbox messages) on a database full of
records: a database at schema 0012 holding votes, a ledger, final minutes and a queued
e-mail is upgraded; every row and column it had is kept, the final PDF byte for byte, the
queued e-mail unchanged and still queued. Downgrading removes only what 0013 added."""

from __future__ import annotations

import hashlib

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from prb.extensions import db
from tests.conftest import make_app
from tests.test_migration_0012 import _rows
from tests.test_migration_upgrades import FINAL_PDF, PREVIOUS, _insert

QUEUED = {
    "id": 1,
    "kind": "decided",
    "to_address": "chair@prb.example",
    "subject": "PRB/2018/03: the Board’s decision",
    "text_body": "Approved.",
    "attachments": "[]",
    "message_id": "<1@prb.example>",
    "state": "queued",
    "attempts": 2,
    "next_attempt_at": "2026-11-29 10:00:00+00:00",
    "last_error": "connection refused",
    "secret": False,
    "created_at": "2026-11-29 09:00:00+00:00",
}


def test_every_row_is_kept_and_a_queued_e_mail_stays_queued(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision=PREVIOUS)
        with db.engine.begin() as conn:
            _insert(conn)
        upgrade(revision="0012")
        with db.engine.begin() as conn:
            columns = ", ".join(QUEUED)
            conn.execute(
                text(
                    f"INSERT INTO outbox_messages ({columns}) "
                    f"VALUES ({', '.join(':' + c for c in QUEUED)})"
                ),
                QUEUED,
            )
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
            assert before["votes"] and before["minutes_versions"] and before["outbox_messages"]
            for table, rows in before.items():
                assert after[table] == rows, f"{table} changed in the upgrade"
            pdf, sha = conn.execute(text("SELECT pdf, sha256 FROM minutes_versions")).one()
            assert bytes(pdf) == FINAL_PDF and hashlib.sha256(bytes(pdf)).hexdigest() == sha
            state, headers = conn.execute(text("SELECT state, headers FROM outbox_messages")).one()
            assert state == "queued" and headers is None
            assert conn.execute(text("SELECT COUNT(*) FROM notifications")).scalar() == 0
        db.engine.dispose()


def test_downgrading_0013_removes_only_what_it_added(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade()
        downgrade(revision="0012")
        inspector = inspect(db.engine)
        tables = inspector.get_table_names()
        assert "notifications" not in tables and "notification_preferences" not in tables
        assert "headers" not in {c["name"] for c in inspector.get_columns("outbox_messages")}
        assert "outbox_messages" in tables
        db.engine.dispose()
