"""Migration 0023 (a report keeps the day it was accepted) on a database full of records —
votes, a ledger, final minutes, and reports accepted, submitted and sent back under 0022:
every row and column is kept, the final minutes PDF byte for byte; each accepted report is
accepted on the day its decision was recorded (UTC), the others on none; downgrading removes
the column only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from prb.extensions import db
from tests.conftest import make_app
from tests.test_migration_upgrades import migration, upgrade_keeping_every_row

MIGRATION = migration("0023_report_accepted_on.py")
REVISION, DOWN = MIGRATION.revision, MIGRATION.down_revision


def _report(rid: int, due: date, status: str, decided_at: str | None, **extra: object):  # type: ignore[no-untyped-def]
    return (
        "progress_reports",
        {
            "id": rid,
            "proposal_id": 1,
            "kind": "progress",
            "due_on": due,
            "status": status,
            "activities": f"Activities {rid}.",
            "results": "Output 4.2.",
            "challenges": "",
            "next_steps": "",
            "spent_to_date": Decimal("1000.00") * rid,
            "unspent_balance": None,
            "submitted_by_id": 5,
            "submitted_at": "2018-08-31 09:00:00",
            "decided_by_id": 1 if decided_at else None,
            "decided_at": decided_at,
            "return_reason": "",
            "version": 2,
            **extra,
        },
    )


REPORTS = [
    # Accepted late in the evening UTC: its day is the UTC day, not the next.
    _report(1, date(2018, 9, 1), "accepted", "2018-09-03 23:30:00"),
    _report(2, date(2018, 12, 1), "accepted", "2019-01-02 08:00:00"),
    _report(3, date(2019, 3, 1), "submitted", None),
    _report(4, date(2019, 6, 1), "returned", "2019-06-20 10:00:00", return_reason="Figures."),
    _report(
        5,
        date(2019, 5, 31),
        "accepted",
        "2019-06-30 12:00:00",
        kind="final",
        unspent_balance=Decimal("0.00"),
    ),
]


def _columns() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("progress_reports")}


def test_every_row_is_kept_and_each_accepted_report_dated_as_recorded(
    empty_database: str,
) -> None:
    app = make_app(empty_database)
    with app.app_context():
        # Its backfill writes to the records: the stamp rises, so kept pages are made again.
        upgrade_keeping_every_row(DOWN, REVISION, writes_records=True, rows_at_down=REPORTS)
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, accepted_on FROM progress_reports ORDER BY id"))
            found = [(i, None if day is None else str(day)) for i, day in rows]
        assert found == [
            (1, "2018-09-03"),
            (2, "2019-01-02"),
            (3, None),
            (4, None),
            (5, "2019-06-30"),
        ]
        db.session.remove()
        db.engine.dispose()


def test_downgrading_removes_only_the_column(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision=REVISION)
        tables = set(inspect(db.engine).get_table_names())
        columns = _columns()
        assert "accepted_on" in columns
        downgrade(revision=DOWN)
        assert _columns() == columns - {"accepted_on"}
        assert set(inspect(db.engine).get_table_names()) == tables
        db.engine.dispose()
