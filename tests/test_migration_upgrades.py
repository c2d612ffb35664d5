"""Offices upgrade databases full of records: a database of the previous schema, holding
votes, decisions, a ledger and final minutes, is upgraded to the newest schema and nothing is
lost or changed — every row and column it had reads back the same, the final PDF byte for
byte — while the new histories start from what the records already said."""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from types import ModuleType

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError

from prb.app import MIGRATIONS_DIR
from prb.extensions import db
from tests.conftest import make_app

PREVIOUS = "0007"
# Stands in for a signed PDF: arbitrary bytes, including NUL and bytes that are not UTF-8.
FINAL_PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"

ROWS: list[tuple[str, dict[str, object]]] = [
    ("entities", {"id": 1, "code": "UNOCT", "name": "Office of Counter-Terrorism"}),
    ("entities", {"id": 2, "code": "CTED", "name": "Executive Directorate"}),
    ("working_groups", {"id": 1, "name": "Border Management", "short_name": "Border"}),
    (
        "programmes",
        {
            "id": 1,
            "code": "UNCCT-2017-73",
            "title": "Seed-Funding",
            "start_year": 2017,
            "end_year": 2018,
            "envelope": Decimal("1356000.00"),
            "note": None,
        },
    ),
]


def _user(uid: int, email: str, entity: int, *, chair: bool = False, active: bool = True):
    return (
        "users",
        {
            "id": uid,
            "email": email,
            "name": email.split("@")[0],
            "entity_id": entity,
            "password_hash": "scrypt:not-a-real-hash",
            "active": active,
            "is_board_chair": chair,
            "created_at": "2018-01-10 09:00:00",
            "session_version": 1,
        },
    )


ROWS += [
    _user(1, "secretariat@prb.example", 1),
    _user(2, "board.chair@prb.example", 1, chair=True),
    _user(3, "board.cted@prb.example", 2),
    _user(4, "board.gone@prb.example", 2, active=False),
    _user(5, "chair@prb.example", 2),
    _user(6, "finance@prb.example", 1),
    ("user_roles", {"user_id": 1, "role": "secretariat"}),
    ("user_roles", {"user_id": 2, "role": "board_member"}),
    ("user_roles", {"user_id": 3, "role": "board_member"}),
    ("user_roles", {"user_id": 4, "role": "board_member"}),
    ("user_roles", {"user_id": 5, "role": "chair"}),
    ("user_roles", {"user_id": 6, "role": "finance"}),
    ("working_group_chairs", {"working_group_id": 1, "user_id": 5}),
    (
        "proposals",
        {
            "id": 1,
            "programme_id": 1,
            "working_group_id": 1,
            "title": "Biometrics compendium",
            "lead_entity_id": 2,
            "objective": "Good practice",
            "description": "",
            "thematic_area": "",
            "scope": "Global",
            "scope_detail": "",
            "results_alignment": "Outcome 4, Output 4.2",
            "requested_budget": Decimal("150000.00"),
            "duration_months": 12,
            "duration_note": "subject to extension",
            "planned_start": date(2018, 3, 1),
            "status": "ongoing",
            "project_code": "UNCCT-2017-73-a",
            "data_note": "",
            "created_by_id": 5,
            "created_at": "2018-01-15 09:00:00",
            "updated_at": "2018-03-01 09:00:00",
            "submitted_at": "2018-01-15 10:00:00",
            "version": 4,
            "approved_budget": Decimal("150000.00"),
            "approved_at": "2018-02-15 12:00:00",
            "period_start": date(2018, 3, 1),
            "original_end": date(2019, 2, 28),
            "current_end": date(2019, 2, 28),
            "actual_start": date(2018, 3, 1),
            "final_report_on": None,
            "spent_reported": None,
            "committed_total": Decimal("150000.00"),
            "disbursed_total": Decimal("90000.00"),
            "returned_total": Decimal("0.00"),
        },
    ),
    (
        "meetings",
        {
            "id": 1,
            "number": "PRB/2018/01",
            "kind": "meeting",
            "held_on": date(2018, 2, 15),
            "place": "New York",
            "deadline": None,
            "chair_id": 2,
            "created_by_id": 1,
            "created_at": "2018-02-01 09:00:00",
        },
    ),
    ("attendance", {"meeting_id": 1, "member_id": 2, "present": True}),
    ("attendance", {"meeting_id": 1, "member_id": 3, "present": True}),
    (
        "agenda_items",
        {
            "id": 1,
            "meeting_id": 1,
            "proposal_id": 1,
            "position": 1,
            "status": "decided",
            "proposed_budget": Decimal("150000.00"),
            "proposed_duration_months": 12,
            "proposed_start": date(2018, 3, 1),
            "conditions": "",
            "closed_at": "2018-02-15 12:00:00",
            "closed_by_id": 1,
            "outcome_note": "Approved by majority.",
            "extension_id": None,
        },
    ),
    *(
        (
            "votes",
            {
                "id": member,
                "item_id": 1,
                "member_id": member,
                "choice": "approve",
                "comment": "",
                "cast_at": "2018-02-15 11:00:00",
                "changed_at": None,
            },
        )
        for member in (2, 3)
    ),
    # A later meeting whose item is still open, with one vote cast: it may still change.
    (
        "meetings",
        {
            "id": 2,
            "number": "PRB/2018/02",
            "kind": "meeting",
            "held_on": date(2018, 6, 1),
            "place": "Geneva",
            "deadline": None,
            "chair_id": 2,
            "created_by_id": 1,
            "created_at": "2018-05-20 09:00:00",
        },
    ),
    (
        "agenda_items",
        {
            "id": 2,
            "meeting_id": 2,
            "proposal_id": 1,
            "position": 1,
            "status": "open",
            "proposed_budget": Decimal("150000.00"),
            "proposed_duration_months": 12,
            "proposed_start": date(2018, 3, 1),
            "conditions": "",
            "closed_at": None,
            "closed_by_id": None,
            "outcome_note": "",
            "extension_id": None,
        },
    ),
    (
        "votes",
        {
            "id": 4,
            "item_id": 2,
            "member_id": 3,
            "choice": "approve",
            "comment": "",
            "cast_at": "2018-06-01 11:00:00",
            "changed_at": None,
        },
    ),
    (
        "decisions",
        {
            "id": 1,
            "item_id": 1,
            "proposal_id": 1,
            "outcome": "approve",
            "votes_for": 2,
            "votes_against": 0,
            "votes_revision": 0,
            "votes_abstain": 0,
            "eligible": 3,
            "recused": 0,
            "recused_names": "",
            "casting_vote": False,
            "approved_budget": Decimal("150000.00"),
            "approved_duration_months": 12,
            "period_start": date(2018, 3, 1),
            "period_end": date(2019, 2, 28),
            "conditions": "",
            "decided_at": "2018-02-15 12:00:00",
            "recorded_by_id": 1,
            "supersedes_id": None,
            "extension_id": None,
            "extension_months": None,
            "original_end": None,
            "new_end": None,
            "additional_funds": None,
        },
    ),
    *(
        (
            "ledger_entries",
            {
                "id": n,
                "proposal_id": 1,
                "kind": kind,
                "amount": amount,
                "value_date": date(2018, 3, 1),
                "reference": f"OBL-{n}",
                "note": "",
                "reverses_id": None,
                "recorded_by_id": 6,
                "recorded_at": "2018-03-01 09:00:00",
            },
        )
        for n, kind, amount in (
            (1, "commitment", Decimal("150000.00")),
            (2, "disbursement", Decimal("90000.00")),
        )
    ),
    (
        "minutes_versions",
        {
            "id": 1,
            "meeting_id": 1,
            "version": 1,
            "pdf": FINAL_PDF,
            "sha256": hashlib.sha256(FINAL_PDF).hexdigest(),
            "size": len(FINAL_PDF),
            "signed": True,
            "note": "",
            "finalised_by_id": 1,
            "finalised_at": "2018-02-20 09:00:00",
        },
    ),
    (
        "audit_records",
        {
            "id": 1,
            "at": "2018-02-15 12:00:00",
            "actor_id": None,
            "actor_role": "board_decision",
            "event": "transition",
            "proposal_id": 1,
            "from_state": "under_review",
            "to_state": "approved",
            "comment": "Decision of Meeting PRB/2018/01, item 1.",
        },
    ),
]


def _insert(conn: Connection, rows: Sequence[tuple[str, dict[str, object]]] = ROWS) -> None:
    for table, values in rows:
        columns = ", ".join(values)
        params = ", ".join(f":{c}" for c in values)
        # Amounts as text: SQLite's driver binds no Decimal, and both databases read it exactly.
        bound = {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}
        conn.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({params})"), bound)


def _snapshot(conn: Connection, tables: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """Every row of every table, in the columns the previous schema had."""
    result = {}
    for table, columns in tables.items():
        cols = ", ".join(columns)
        result[table] = [
            tuple(row) for row in conn.execute(text(f"SELECT {cols} FROM {table} ORDER BY {cols}"))
        ]
    return result


def upgraded_records(database: str, *, from_revision: str = PREVIOUS):  # type: ignore[no-untyped-def]
    """(snapshot before, snapshot after, connection) around the upgrade from `from_revision`
    to the newest schema; the records are entered at `PREVIOUS`."""
    app = make_app(database)
    with app.app_context():
        upgrade(revision=PREVIOUS)
        with db.engine.begin() as conn:
            _insert(conn)
        upgrade(revision=from_revision)
        inspector = inspect(db.engine)
        tables = {
            t: [c["name"] for c in inspector.get_columns(t) if c["name"] != "pdf"]
            for t in inspector.get_table_names()
            if t != "alembic_version"
        }
        with db.engine.connect() as conn:
            before = _snapshot(conn, tables)
        upgrade()
        with db.engine.connect() as conn:
            after = _snapshot(conn, tables)
            yield before, after, conn
        db.engine.dispose()


def migration(filename: str) -> ModuleType:
    """A migration's module (revision, down_revision …), read from its file."""
    path = MIGRATIONS_DIR / "versions" / filename
    spec = importlib.util.spec_from_file_location(f"prb_migration_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade_keeping_every_row(
    down: str,
    revision: str = "head",
    *,
    writes_records: bool = False,
    rows_at_down: Sequence[tuple[str, dict[str, object]]] = (),
) -> None:
    """In an app context on an empty database: enter the records (votes, a ledger, final
    minutes) at `PREVIOUS`, upgrade to `down`, then to `revision`, and check that every row
    of every column the database had at `down` is unchanged and the final minutes' PDF is
    byte-identical (its SHA-256 still matches). `writes_records`: the migration adds rows
    of its own, so the records' stamp (a cache's version number, no record) may only rise.
    `rows_at_down`: rows of tables younger than `PREVIOUS`, entered at `down`."""
    from tests.test_migration_0012 import _rows  # (sorted in Python: JSON columns)

    upgrade(revision=PREVIOUS)
    with db.engine.begin() as conn:
        _insert(conn)
    upgrade(revision=down)
    with db.engine.begin() as conn:
        _insert(conn, rows_at_down)
    inspector = inspect(db.engine)
    tables = {
        t: [c["name"] for c in inspector.get_columns(t)]
        for t in inspector.get_table_names()
        if t != "alembic_version"
    }
    with db.engine.connect() as conn:
        before = _rows(conn, tables)
    upgrade(revision=revision)
    with db.engine.connect() as conn:
        after = _rows(conn, tables)
        assert before["votes"] and before["minutes_versions"] and before["ledger_entries"]
        if writes_records and "record_stamp" in before:
            (was,), (now,) = before.pop("record_stamp"), after.pop("record_stamp")
            assert now[0] == was[0] and now[1] > was[1]
        for table, rows in before.items():
            assert after[table] == rows, f"{table} changed in the upgrade"
        pdf, sha = conn.execute(text("SELECT pdf, sha256 FROM minutes_versions")).one()
        assert bytes(pdf) == FINAL_PDF and hashlib.sha256(bytes(pdf)).hexdigest() == sha


@pytest.fixture
def upgraded(empty_database: str):  # type: ignore[no-untyped-def]
    yield from upgraded_records(empty_database)


def test_every_row_and_column_survives_the_upgrade(upgraded) -> None:  # type: ignore[no-untyped-def]
    before, after, _ = upgraded
    assert sum(len(rows) for rows in before.values()) >= len(ROWS)
    for table, rows in before.items():
        assert after[table] == rows, f"{table} changed in the upgrade"


def test_final_minutes_stay_byte_identical(upgraded) -> None:  # type: ignore[no-untyped-def]
    _, _, conn = upgraded
    pdf, sha = conn.execute(text("SELECT pdf, sha256 FROM minutes_versions")).one()
    assert bytes(pdf) == FINAL_PDF
    assert hashlib.sha256(bytes(pdf)).hexdigest() == sha


def test_new_histories_start_from_the_records(upgraded) -> None:  # type: ignore[no-untyped-def]
    _, _, conn = upgraded
    envelope = conn.execute(
        text("SELECT effective_on, amount FROM envelope_changes WHERE programme_id = 1")
    ).one()
    assert str(envelope[0]) == "2017-01-01"
    assert Decimal(str(envelope[1])) == Decimal("1356000.00")
    seats = {
        row[0]: row[1:]
        for row in conn.execute(text("SELECT user_id, is_chair, until FROM board_memberships"))
    }
    assert set(seats) == {2, 3, 4}, "every board member has a seat, and only they do"
    assert bool(seats[2][0]) is True and seats[2][1] is None
    assert seats[4][1] is not None, "a disabled member's seat has ended"
    seat_start = conn.execute(text("SELECT MAX(since) FROM board_memberships")).scalar()
    assert str(seat_start) <= "2018-02-15", "seats cover the meetings already held"
    assert conn.execute(text("SELECT user_id FROM chair_terms")).scalars().all() == [5]
    rules = conn.execute(text("SELECT quorum, effective_from FROM board_rules")).one()
    assert rules[0] == "1/2" and str(rules[1]) <= "2018-02-15"
    decided_on = conn.execute(text("SELECT decided_on FROM decisions WHERE id = 1")).scalar()
    assert str(decided_on) == "2018-02-15", "a decision is dated by its meeting"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_entries SET amount = 1 WHERE id = 1",
        "DELETE FROM ledger_entries WHERE id = 2",
        "UPDATE minutes_versions SET note = 'changed' WHERE id = 1",
        "UPDATE envelope_changes SET amount = 1",
        "DELETE FROM board_rules",
        # Made append-only by 0009: the Board's record.
        "UPDATE decisions SET outcome = 'reject' WHERE id = 1",
        "DELETE FROM decisions WHERE id = 1",
        "UPDATE audit_records SET comment = 'changed' WHERE id = 1",
        "DELETE FROM audit_records WHERE id = 1",
        "UPDATE votes SET choice = 'reject' WHERE item_id = 1",
        "DELETE FROM votes WHERE id = 2",
        "UPDATE votes SET item_id = 1 WHERE id = 4",
        "UPDATE agenda_items SET status = 'open' WHERE id = 1",
    ],
)
def test_append_only_tables_still_refuse_changes(upgraded, statement: str) -> None:  # type: ignore[no-untyped-def]
    _, _, conn = upgraded
    with pytest.raises(DatabaseError, match="append-only"):
        conn.execute(text(statement))
    conn.rollback()


def test_a_vote_of_an_open_item_still_changes_after_the_upgrade(upgraded) -> None:  # type: ignore[no-untyped-def]
    _, _, conn = upgraded
    conn.execute(text("UPDATE votes SET choice = 'reject' WHERE id = 4"))
    assert conn.execute(text("SELECT choice FROM votes WHERE id = 4")).scalar() == "reject"
    conn.execute(text("DELETE FROM votes WHERE id = 4"))
    assert conn.execute(text("SELECT COUNT(*) FROM votes WHERE item_id = 2")).scalar() == 0
    conn.rollback()


def test_downgrading_0009_removes_its_triggers(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade()
        downgrade(revision="0008")
        with db.engine.begin() as conn:
            _insert(conn)
            # The Board's record is writable again as it was under 0008 …
            conn.execute(text("UPDATE decisions SET conditions = 'x' WHERE id = 1"))
            conn.execute(text("UPDATE votes SET comment = 'x' WHERE item_id = 1"))
            conn.execute(text("UPDATE agenda_items SET status = 'open' WHERE id = 1"))
            conn.execute(text("DELETE FROM audit_records"))
        # … while the ledger, append-only before 0009, stays so.
        with db.engine.connect() as conn, pytest.raises(DatabaseError, match="append-only"):
            conn.execute(text("DELETE FROM ledger_entries"))
        db.engine.dispose()


def test_migrating_inside_a_process_keeps_its_loggers(empty_database: str) -> None:
    """Alembic's logging set-up ran with fileConfig's default, which disabled every logger
    that existed: after `prb setup` or a restore had migrated in-process, the app's and the
    worker's warnings (mail refused, a proxy not trusted) went nowhere."""
    import logging

    app = make_app(empty_database)
    delivery_log = logging.getLogger("prb.services.mail.delivery")
    with app.app_context():
        upgrade()
    assert not app.logger.disabled and not delivery_log.disabled
