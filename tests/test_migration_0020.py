"""Migration 0020 (outbox messages worth sending only until a moment) on a database full of
records and of outbox messages in every state: every row and column is kept, the final
minutes PDF byte for byte, and every message it held is worth sending whenever it goes (NULL),
as it was; downgrading removes the column only."""

from __future__ import annotations

import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from prb.extensions import db
from tests.conftest import make_app
from tests.test_migration_upgrades import migration, upgrade_keeping_every_row

MIGRATION = migration("0020_outbox_send_before.py")
REVISION, DOWN = MIGRATION.revision, MIGRATION.down_revision
ICS = "QkVHSU46VkNBTEVOREFS"  # base64, as the outbox keeps an attachment


def _message(mid: int, state: str, **extra: object) -> tuple[str, dict[str, object]]:
    values: dict[str, object] = {
        "id": mid,
        "kind": "written_procedure_opened",
        "recipient_user_id": 3,
        "to_address": "board.cted@prb.example",
        "subject": f"Written procedure PRB/2018/0{mid}: vote on UNCCT-2017-73-a",
        "text_body": "Votes are due by 15 June 2018, 07:05 UTC.",
        "html_body": "<p>Votes are due by 15 June 2018, 07:05 UTC.</p>",
        # JSON columns as text: both databases read it into their JSON type.
        "attachments": json.dumps(
            [{"filename": "PRB-2018-02.ics", "content_type": "text/calendar", "base64": ICS}]
        ),
        "message_id": f"<{mid}.outbox@office.example>",
        "state": state,
        "attempts": 0,
        "next_attempt_at": "2018-06-01 09:00:00",
        "last_error": "",
        "secret": False,
        "created_at": "2018-06-01 09:00:00",
        "claimed_at": None,
        "sent_at": None,
        "headers": json.dumps({"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}),
    }
    values.update(extra)
    return ("outbox_messages", values)


MESSAGES = [
    _message(1, "queued"),
    _message(2, "sent", sent_at="2018-06-01 09:01:00", claimed_at="2018-06-01 09:00:30"),
    _message(3, "dead", attempts=8, last_error="SMTPRecipientsRefused: 550 no such user"),
    _message(4, "queued", attempts=2, last_error="ConnectionRefusedError: [Errno 111]"),
    _message(5, "sending", claimed_at="2018-06-01 09:00:30"),
    _message(
        6,
        "queued",
        kind="password_reset",
        secret=True,
        html_body=None,
        attachments="[]",
        headers=None,
    ),
    (
        "notifications",
        {
            "id": 1,
            "user_id": 3,
            "event": "written_procedure_opened",
            "subject": "Written procedure PRB/2018/02: vote on UNCCT-2017-73-a",
            "body": "Votes are due by 15 June 2018, 07:05 UTC.",
            "link": "/board/meetings/2",
            "key": None,
            "created_at": "2018-06-01 09:00:00",
            "read_at": None,
            "digested_at": None,
        },
    ),
]


def _columns() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("outbox_messages")}


def test_every_row_is_kept_and_no_message_it_held_expires(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade_keeping_every_row(DOWN, REVISION, rows_at_down=MESSAGES)
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, send_before FROM outbox_messages ORDER BY id"))
            assert [tuple(r) for r in rows] == [(i, None) for i in range(1, 7)]
        db.session.remove()
        db.engine.dispose()


def test_downgrading_removes_only_the_column(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision=REVISION)
        tables = set(inspect(db.engine).get_table_names())
        columns = _columns()
        assert "send_before" in columns
        downgrade(revision=DOWN)
        assert _columns() == columns - {"send_before"}
        assert set(inspect(db.engine).get_table_names()) == tables
        db.engine.dispose()
