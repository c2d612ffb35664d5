"""Migration 0010 on a database full of records: a database at schema 0009 holding
proposals, an agenda with a closed and an open item, votes, a decision, audit records and
final minutes is upgraded to the newest schema. Every row is kept, the final PDF byte for
byte; each old item gets snapshots marked reconstructed (the open one: placed only; the
closed one: placed and closed, without a closing record); and the record stays append-only
in the database on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError

from tests.test_migration_upgrades import FINAL_PDF, upgraded_records

BEFORE_SNAPSHOTS = "0009"


@pytest.fixture
def upgraded(empty_database: str):  # type: ignore[no-untyped-def]
    """(rows at 0009, the same columns after the upgrade to head, connection): the records
    were entered under an older schema and lived through 0008 and 0009."""
    yield from upgraded_records(empty_database, from_revision=BEFORE_SNAPSHOTS)


def test_every_row_is_kept_and_the_final_pdf_is_byte_identical(upgraded) -> None:  # type: ignore[no-untyped-def]
    before, after, conn = upgraded
    assert before["agenda_items"] and before["votes"] and before["decisions"]
    assert before["audit_records"] and before["minutes_versions"]
    for table, rows in before.items():
        assert after[table] == rows, f"{table} changed in the upgrade"
    pdf, sha = conn.execute(text("SELECT pdf, sha256 FROM minutes_versions")).one()
    assert bytes(pdf) == FINAL_PDF and hashlib.sha256(bytes(pdf)).hexdigest() == sha


def _snapshots(conn: Connection) -> dict[tuple[int, str], tuple]:
    return {
        (row[0], row[1]): row[2:]
        for row in conn.execute(
            text(
                "SELECT item_id, stage, reconstructed, title, lead_entity, requested_budget, "
                "duration_note, closing_record FROM agenda_item_snapshots"
            )
        )
    }


def test_old_items_get_reconstructed_snapshots(upgraded) -> None:  # type: ignore[no-untyped-def]
    _, _, conn = upgraded
    snaps = _snapshots(conn)
    # Item 1 was decided: placed and closed; item 2 is still open: placed only.
    assert set(snaps) == {(1, "placed"), (1, "closed"), (2, "placed")}
    for reconstructed, title, lead, budget, note, record in snaps.values():
        assert bool(reconstructed) is True
        assert (title, lead, note) == ("Biometrics compendium", "CTED", "subject to extension")
        assert Decimal(str(budget)) == Decimal("150000.00")
        # No closing record: such items' minutes are drawn from the records, as before.
        assert record is None


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE agenda_item_snapshots SET title = 'changed' WHERE item_id = 1",
        "DELETE FROM agenda_item_snapshots WHERE item_id = 2",
        "UPDATE reporting_notes SET duration_note = 'changed'",
        "DELETE FROM reporting_notes",
        "UPDATE decisions SET outcome = 'reject' WHERE id = 1",
        "DELETE FROM decisions WHERE id = 1",
        "UPDATE audit_records SET comment = 'changed' WHERE id = 1",
        "DELETE FROM audit_records WHERE id = 1",
        "UPDATE votes SET choice = 'reject' WHERE item_id = 1",
        "DELETE FROM votes WHERE item_id = 1",
        "UPDATE minutes_versions SET note = 'changed' WHERE id = 1",
        "UPDATE minutes_versions SET corrections = '{}' WHERE id = 1",
        "DELETE FROM minutes_versions WHERE id = 1",
    ],
)
def test_the_record_refuses_update_and_delete(upgraded, statement: str) -> None:  # type: ignore[no-untyped-def]
    _, _, conn = upgraded
    # A reporting note, so that its UPDATE and DELETE have a row to refuse.
    conn.execute(
        text(
            "INSERT INTO reporting_notes (proposal_id, effective_on, duration_note, "
            "period_text, recorded_at) VALUES (1, '2018-12-31', 'subject to extension', '', "
            "'2018-12-31 09:00:00')"
        )
    )
    with pytest.raises(DatabaseError, match="append-only"):
        conn.execute(text(statement))
    conn.rollback()
