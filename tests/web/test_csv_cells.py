"""Every CSV export neutralises a text cell that a spreadsheet would read as a formula (a
leading =, +, -, @, tab or carriage return gets an apostrophe), and leaves the numbers PRB
writes itself (amounts, ids, days) as numbers, so that a negative amount still adds up."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation

import pytest

from prb.extensions import db
from prb.models import EntryKind
from prb.services import finance
from prb.services.spreadsheet import FORMULA_STARTS, safe_cell
from tests import factories
from tests.conftest import sign_in
from tests.csv_helpers import csv_text
from workflows import ProposalState, Role

TITLE = '=HYPERLINK("http://x","y")'
INERT = "'" + TITLE


def rows_of(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    return list(csv.reader(io.StringIO(csv_text(response))))


def is_number(cell: str) -> bool:
    try:
        Decimal(cell)
    except InvalidOperation:
        return False
    return True


def assert_inert(rows: list[list[str]]) -> None:
    """No cell a spreadsheet would run: each starting like a formula is a number PRB wrote."""
    live = [c for row in rows for c in row if c.startswith(FORMULA_STARTS) and not is_number(c)]
    assert live == []


@pytest.fixture
def hostile_project(world):  # type: ignore[no-untyped-def]
    """A chair's project titled like a formula, with ledger text like formulas and a
    reversal (a negative amount in the ledger)."""
    project = factories.project(
        world,
        status=ProposalState.ONGOING,
        budget=Decimal("1000.00"),
        title=TITLE,
        code="UNCCT-2017-73-a",
    )
    entry = finance.record_entry(
        world.finance,
        project.id,
        finance.EntryInput(
            "commitment", Decimal("100.00"), date(2018, 2, 1), reference="@SUM(1)", note="-2+3"
        ),
    )
    finance.record_entry(
        world.finance,
        project.id,
        finance.EntryInput(
            EntryKind.REVERSAL, Decimal("100.00"), date(2018, 2, 2), note="+1", reverses_id=entry.id
        ),
    )
    return project


def test_finance_dashboard_csv(client, world, hostile_project) -> None:
    sign_in(client, world.finance)
    rows = rows_of(client.get("/finance/dashboard.csv"))
    assert_inert(rows)
    line = next(r for r in rows if r[1] == INERT)
    assert line[4] == "1000.00"  # the approved budget stays a number
    # The project ended in 2018: its days left are negative, and stay a number.
    assert line[13].startswith("-") and int(line[13]) < 0


def test_ledger_csv(client, world, hostile_project) -> None:
    sign_in(client, world.finance)
    rows = rows_of(client.get(f"/proposals/{hostile_project.id}/finance/ledger.csv"))
    assert_inert(rows)
    amounts = [r[3] for r in rows[1:]]
    assert amounts == ["100.00", "100.00"]
    cells = {c for r in rows for c in r}
    assert {"'@SUM(1)", "'-2+3", "'+1"} <= cells


def test_portfolio_csv(client, world, hostile_project) -> None:
    sign_in(client, world.secretariat)
    rows = rows_of(client.get("/reports/portfolio.csv", query_string={"year": "2018"}))
    assert_inert(rows)
    assert INERT in {c for r in rows for c in r}


def test_audit_csv_cut_at_semicolons(client, world) -> None:
    """An anonymous visitor's failed sign-in with an address holding a formula after a ";"
    lands in the audit's comment: opened by a spreadsheet that splits on ";", no piece of
    the file starts a formula."""
    admin = factories.administrator(world, "admin@prb.example", Role.SECRETARIAT)
    client.post("/login", data={"email": "x;=HYPERLINK(A1);", "password": "wrong password"})
    sign_in(client, admin)
    text = csv_text(client.get("/admin/audit.csv"))
    assert "HYPERLINK(A1)" in text
    pieces = [p.lstrip(' "') for line in text.splitlines() for p in line.split(";")]
    live = [p for p in pieces if p.startswith(FORMULA_STARTS) and not is_number(p)]
    assert live == []


def test_audit_csv(client, world) -> None:
    admin = factories.administrator(world, "admin@prb.example", Role.SECRETARIAT)
    chair = world.chair_a
    chair.name = TITLE  # the person's name, as the audit's actor column prints it
    db.session.commit()
    factories.proposal(world, title=TITLE)
    sign_in(client, chair)
    client.post("/logout")
    sign_in(client, admin)
    rows = rows_of(client.get("/admin/audit.csv"))
    assert_inert(rows)
    assert INERT in {c for r in rows for c in r}


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (Decimal("-100.00"), "-100.00"),  # an amount PRB writes: a number, not a formula
        (-3, "-3"),
        ("-100.00", "'-100.00"),  # the same characters typed by a person: text, neutralised
        ("=1+2", "'=1+2"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        (None, ""),
        # Where a spreadsheet splitting on ";" (or at a line break) starts a cell of its own
        ("x;=HYPERLINK(A1)", "x;'=HYPERLINK(A1)"),
        ('x; "@SUM(1)', "x; \"'@SUM(1)"),
        ("a,-1\n+2", "a,'-1\n'+2"),
        ("=1;=2", "'=1;'=2"),
        ("Geneva; 12 May", "Geneva; 12 May"),  # no formula start: as typed
    ],
)
def test_one_rule_for_every_cell(value: object, cell: str) -> None:
    assert safe_cell(value) == cell
