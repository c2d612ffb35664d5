"""Reading the audit trail: who may, what the filters select, votes kept from all but the
secretariat, before/after shown readably, CSV cells that cannot run as formulas."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from prb.extensions import db
from prb.models import AuditRecord
from prb.services import audit, audit_trail, board
from prb.services.errors import NotAllowed
from prb.services.reference import entities
from prb.services.spreadsheet import safe_cell
from tests.board_helpers import item_under_review
from tests.reference_helpers import administrator
from workflows import Role

F = audit_trail.AuditFilter


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def seed(world) -> None:  # type: ignore[no-untyped-def]
    db.session.add_all(
        [
            AuditRecord(event="signed_in", actor=world.finance, at=at(date(2019, 1, 31), 23)),
            AuditRecord(event="signed_in", actor=world.chair_a, at=at(date(2019, 2, 1), 0)),
            AuditRecord(event="signed_out", actor=world.chair_a, at=at(date(2019, 2, 2))),
        ]
    )
    db.session.commit()


def events(page) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(line.record.event, line.record.actor.email) for line in page.items]


def test_newest_first_and_each_filter_selects(world) -> None:
    admin = administrator(world)
    seed(world)
    everything = audit_trail.list_records(admin, F(), 1, 50)
    assert events(everything) == [
        ("signed_out", "chair.a@prb.example"),
        ("signed_in", "chair.a@prb.example"),
        ("signed_in", "finance@prb.example"),
    ]
    assert len(audit_trail.list_records(admin, F(event="signed_in"), 1, 50).items) == 2
    assert events(audit_trail.list_records(admin, F(actor_id=world.finance.id), 1, 50)) == [
        ("signed_in", "finance@prb.example")
    ]
    # Dates are UTC days, both ends included: 23:00 on 31 January is not 1 February.
    feb = audit_trail.list_records(admin, F(since=date(2019, 2, 1), until=date(2019, 2, 1)), 1, 50)
    assert events(feb) == [("signed_in", "chair.a@prb.example")]
    assert len(audit_trail.list_records(admin, F(until=date(2019, 1, 31)), 1, 50).items) == 1
    entities.create_entity(admin, entities.EntityInput("WCO", "World Customs Organization"))
    changed = audit_trail.list_records(admin, F(subject="entity"), 1, 50)
    assert [line.record.event for line in changed.items] == ["entity_created"]


def test_pages_hold_page_size_records(world) -> None:
    admin = administrator(world)
    seed(world)
    first = audit_trail.list_records(admin, F(), 1, 2)
    second = audit_trail.list_records(admin, F(), 2, 2)
    beyond = audit_trail.list_records(admin, F(), 99, 2)
    assert (first.total, first.pages, len(first.items), len(second.items)) == (3, 2, 2, 1)
    assert beyond.page == 2  # a page past the end shows the last one
    assert {line.record.id for line in first.items}.isdisjoint(
        line.record.id for line in second.items
    )


def test_only_administrators_and_the_secretariat_read_it(world) -> None:
    for person in (world.board_undp, world.finance, world.chair_a):
        with pytest.raises(NotAllowed):
            audit_trail.list_records(person, F(), 1, 10)
        with pytest.raises(NotAllowed):
            audit_trail.csv_rows(person, F())  # refused before any row is produced
    assert audit_trail.list_records(world.secretariat, F(), 1, 10).total == 0


def test_votes_are_shown_to_the_secretariat_only(world) -> None:
    item = item_under_review(world)
    board.cast_vote(world.board_undp, item.id, "approve")
    board.cast_vote(world.board_undp, item.id, "reject", change=True)
    board.declare_conflict(world.board_chair, item.id, "My spouse works on it")
    admin = administrator(world)
    both = administrator(world, Role.SECRETARIAT, email="admin.sec@prb.example")
    shown = {line.record.event for line in audit_trail.list_records(admin, F(), 1, 50).items}
    assert not shown & {"vote_cast", "vote_changed", "conflict_declared"}
    assert audit_trail.list_records(admin, F(event="vote_cast"), 1, 50).total == 0
    assert "vote_cast" not in audit_trail.filter_choices(admin).events
    events = [r[audit_trail.CSV_COLUMNS.index("event")] for r in audit_trail.csv_rows(admin, F())]
    assert events and not [e for e in events if e.startswith("vote")]
    for person in (world.secretariat, both):
        shown = {line.record.event for line in audit_trail.list_records(person, F(), 1, 50).items}
        assert {"vote_cast", "vote_changed", "conflict_declared"} <= shown
        assert "vote_cast" in audit_trail.filter_choices(person).events


def test_changes_read_field_by_field(world) -> None:
    admin = administrator(world)
    entities.update_entity(admin, world.cted.id, entities.EntityInput("CTED", "Renamed"))
    audit.record_change(
        "roles_changed",
        actor=admin,
        role="administrator",
        subject="user",
        subject_id=world.finance.id,
        before={"roles": ["finance"], "active": True},
        after={"roles": ["finance", "board_member"], "active": True},
    )
    db.session.commit()
    roles, edit = audit_trail.list_records(admin, F(), 1, 10).items
    assert [(c.field, c.before, c.after) for c in edit.changes] == [
        ("Name", "CTED (test entity)", "Renamed")
    ]
    assert [(c.field, c.before, c.after) for c in roles.changes] == [
        ("Roles", "finance", "finance, board_member")
    ]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("UNCCT-2017-73", "UNCCT-2017-73"),
        (None, ""),
        (12, "12"),
        # A number stays a number (the ledger's CSV adds up): only text becomes text.
        (Decimal("-150000.00"), "-150000.00"),
        (-3, "-3"),
        ("-3", "'-3"),
    ],
)
def test_cells_that_would_be_formulas_are_neutralised(value, cell: str) -> None:
    assert safe_cell(value) == cell


def test_the_csv_holds_the_filtered_records_with_safe_cells(world) -> None:
    admin = administrator(world)
    entities.create_entity(admin, entities.EntityInput("WCO", "=cmd|' /C calc'!A0"))
    db.session.add(AuditRecord(event="signed_in", actor=world.finance, comment="@evil"))
    db.session.commit()
    rows = list(audit_trail.csv_rows(admin, F(event="entity_created")))
    assert len(rows) == 1
    row = dict(zip(audit_trail.CSV_COLUMNS, rows[0], strict=True))
    assert row["actor"] == admin.name and row["event"] == "entity_created"
    assert row["subject"] == "entity"
    assert "Name: — → =cmd" in row["changes"]
    assert row["after"].startswith('{"code": "WCO"')
    everything = list(audit_trail.csv_rows(admin, F()))
    by_name = [dict(zip(audit_trail.CSV_COLUMNS, r, strict=True)) for r in everything]
    assert [r["comment"] for r in by_name if r["event"] == "signed_in"] == ["'@evil"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in everything for cell in r)
