"""Importing the portfolio an office already has (issue 11, part 6): the dry run, the import
in one transaction, re-imports, the history, the ledger and the totals. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import (
    AuditRecord,
    ImportBatch,
    LedgerEntry,
    PortfolioTotals,
    Proposal,
    User,
)
from prb.services import finance, portfolio, proposals, totals
from prb.services import portfolio_import as service
from prb.services.errors import Conflict, NotAllowed
from tests import factories
from tests.import_helpers import (
    EXAMPLE_CODES,
    example_bytes,
    example_rows,
    set_up_office,
    to_csv,
    with_changes,
)
from workflows import ProposalState, Role

S = ProposalState
FILENAME = "portfolio-2018.csv"


@pytest.fixture
def office(world):  # type: ignore[no-untyped-def]
    set_up_office(world)
    return world


def count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def project(code: str) -> Proposal:
    return db.session.scalars(select(Proposal).where(Proposal.project_code == code)).unique().one()


def test_the_dry_run_of_the_example_file_finds_no_error_and_writes_nothing(office) -> None:
    result = service.check_projects(office.secretariat, FILENAME, example_bytes())
    assert result.errors == []
    assert [r.project_code for r in result.rows] == EXAMPLE_CODES
    assert result.importable and result.previous is None
    assert count(Proposal) == count(ImportBatch) == count(AuditRecord) == 0
    by_code = {s.programme.code: s for s in result.programmes}
    assert by_code["UNCCT-2017-73"].approved == Decimal("750000.00")
    assert by_code["UNCCT-2017-73"].left_after == Decimal("606000.00")


def test_the_import_creates_the_projects_with_their_real_dates_statuses_and_ledger(
    office,
) -> None:
    batch = service.import_projects(office.secretariat, FILENAME, example_bytes())
    db.session.expire_all()
    assert batch.rows == 7 and batch.kind == "projects" and batch.filename == FILENAME
    assert batch.imported_by_id == office.secretariat.id
    assert count(Proposal) == 7

    a = project("UNCCT-2017-73-a")
    assert a.status == S.ONGOING
    assert a.approved_at == datetime(2018, 1, 16, tzinfo=UTC)
    assert a.decision_reference == "PRB/2018/01"
    assert (a.period_start, a.original_end, a.current_end) == (
        date(2018, 1, 1),
        date(2018, 12, 31),
        date(2019, 4, 30),  # the four-month extension from 1 January 2019
    )
    assert a.duration_text == "12 months (subject to extension)"
    assert a.actual_start == date(2018, 2, 1)
    assert a.import_batch_id == batch.id and a.created_by_id == office.secretariat.id
    assert a.lead_entity.code == "CTED" and a.implementing_entities == []

    d79 = project("UNCCT-2019-02-79-D")
    assert d79.status == S.INITIATED
    assert d79.programme.code == "UNCCT-2019-02-79"
    assert d79.duration_text == "15 months (March/April 2019–May/June 2020)"
    assert (d79.period_start, d79.current_end) == (date(2019, 3, 1), date(2020, 5, 31))
    assert [e.code for e in d79.entities] == ["UNICRI", "UNCCT", "UNODA"]
    assert d79.working_group.short_name == "WMD"

    mali = project("UNCCT-2014-36")
    assert mali.status == S.COMPLETED
    assert mali.approved_at == datetime(2014, 11, 18, tzinfo=UTC)
    assert (mali.scope, mali.scope_detail) == ("National", "Mali")
    assert (mali.period_start, mali.original_end) == (date(2015, 1, 1), date(2018, 12, 31))
    assert mali.duration_months == 48

    # The ledger: one commitment and one disbursement per row that gives them.
    entries = finance.ledger(mali)
    assert [(e.kind, e.amount, e.value_date) for e in entries] == [
        ("commitment", Decimal("600000.00"), date(2015, 1, 20)),
        ("disbursement", Decimal("600000.00"), date(2018, 10, 31)),
    ]
    assert entries[0].recorded_by_id == office.secretariat.id
    assert finance.balances(mali).balance == Decimal("0.00")
    assert count(LedgerEntry) == 13  # seven commitments, six disbursements


def test_running_totals_and_envelopes_match_the_ledger_after_an_import(office) -> None:
    service.import_projects(office.secretariat, FILENAME, example_bytes())
    db.session.expire_all()
    kept = {
        (t.programme_id, t.working_group_id): (
            t.projects,
            t.approved,
            t.committed,
            t.disbursed,
            t.returned,
            t.cancelled_paid,
        )
        for t in db.session.scalars(select(PortfolioTotals))
    }
    per_project = {
        p.id: (p.committed_total, p.disbursed_total)
        for p in db.session.scalars(select(Proposal)).unique()
    }
    totals.recompute()  # the ledger's own account
    db.session.expire_all()
    rebuilt = {
        (t.programme_id, t.working_group_id): (
            t.projects,
            t.approved,
            t.committed,
            t.disbursed,
            t.returned,
            t.cancelled_paid,
        )
        for t in db.session.scalars(select(PortfolioTotals))
    }
    assert kept == rebuilt
    assert per_project == {
        p.id: (p.committed_total, p.disbursed_total)
        for p in db.session.scalars(select(Proposal)).unique()
    }
    db.session.rollback()
    used = {e.programme.code: e.used for e in finance.envelopes(proposals.programmes())}
    assert used["UNCCT-2017-73"] == Decimal("750000.00")
    assert used["UNCCT-2019-02-79"] == Decimal("200000.00")
    assert used["UNCCT-2014-36"] == Decimal("600000.00")


def test_a_cancelled_project_keeps_only_what_it_was_paid_in_the_envelope(office) -> None:
    content = with_changes(3, status="Cancelled")  # UNCCT-2017-73-d, USD 75,000 paid
    service.import_projects(office.secretariat, FILENAME, content)
    env = finance.envelope(office.programme)
    assert env.used == Decimal("600000.00") + Decimal("75000.00")


@pytest.mark.parametrize("year", [2018, 2019, 2017])
def test_imported_projects_show_in_the_portfolio_overview_by_their_dates(office, year) -> None:
    service.import_projects(office.secretariat, FILENAME, example_bytes())
    data = portfolio.overview(office.board_undp, None, year)
    codes = {r.code for r in data.rows}
    expected = {
        # Initiated or running in 2018 (UNCCT-2014-36 ran 2015–2018); -79-D, decided in
        # December 2018 but first committed in January 2019, is listed apart.
        2018: set(EXAMPLE_CODES) - {"UNCCT-2019-02-79-D"},
        # Still running in 2019: all but the Mali project, which ended in December 2018.
        2019: set(EXAMPLE_CODES) - {"UNCCT-2014-36"},
        2017: {"UNCCT-2014-36"},
    }[year]
    assert codes == expected
    statuses = {r.code: r.status for r in data.rows}
    if year == 2018:
        assert statuses["UNCCT-2014-36"] == "Completed"
        assert [(r.code, r.status) for r in data.pending] == [("UNCCT-2019-02-79-D", "Approved")]
        extended = next(r for r in data.rows if r.code == "UNCCT-2017-73-a")
        assert "30 April 2019" not in extended.duration  # not yet extended on 31 December
        later = portfolio.overview(office.board_undp, None, 2018, as_at=date(2019, 6, 30))
        extended = next(r for r in later.rows if r.code == "UNCCT-2017-73-a")
        assert "30 April 2019" in extended.duration


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row_and_the_field(
    office,
) -> None:
    content = with_changes(4, approved_budget="15O,000.00")  # a letter O for a zero
    with pytest.raises(service.ImportRefused) as refused:
        service.import_projects(office.secretariat, FILENAME, content)
    assert [(e.row, e.field) for e in refused.value.errors] == [(4, "approved_budget")]
    assert "15O,000.00" in refused.value.errors[0].message
    assert "Nothing was imported" in refused.value.message
    assert count(Proposal) == count(ImportBatch) == count(AuditRecord) == 0
    assert count(LedgerEntry) == count(PortfolioTotals) == 0
    # The dry run says the same.
    check = service.check_projects(office.secretariat, FILENAME, content)
    assert [(e.row, e.field) for e in check.errors] == [(4, "approved_budget")]
    assert not check.importable


def test_the_same_file_twice_imports_nothing_and_says_when_and_by_whom(office) -> None:
    first = service.import_projects(office.secretariat, FILENAME, example_bytes())
    with pytest.raises(Conflict) as again:
        service.import_projects(office.secretariat, "renamed.csv", example_bytes())
    assert "already imported" in again.value.message
    assert "Nadia Haddad" in again.value.message and FILENAME in again.value.message
    when = first.imported_at
    assert f"{when.day} {when:%B %Y}" in again.value.message
    assert count(Proposal) == 7 and count(ImportBatch) == 1
    check = service.check_projects(office.secretariat, FILENAME, example_bytes())
    assert check.previous is not None and check.previous.id == first.id
    assert not check.importable


def test_another_file_with_codes_prb_already_has_is_refused_row_by_row(office) -> None:
    service.import_projects(office.secretariat, FILENAME, example_bytes())
    content = example_bytes() + b"\n"  # another file (another SHA-256), same projects
    with pytest.raises(service.ImportRefused) as refused:
        service.import_projects(office.secretariat, FILENAME, content)
    assert [(e.row, e.field) for e in refused.value.errors] == [
        (n, "project_code") for n in range(2, 9)
    ]
    assert "already has a project UNCCT-2017-73-a" in refused.value.errors[0].message
    assert count(Proposal) == 7


def test_a_code_in_another_case_is_the_same_project(office) -> None:
    # In PRB already, and twice in one file: refused whatever the case.
    service.import_projects(office.secretariat, FILENAME, example_bytes())
    lower = example_bytes().replace(b"UNCCT-2017-73-a", b"uncct-2017-73-A") + b"\n"
    check = service.check_projects(office.secretariat, FILENAME, lower)
    assert (2, "project_code") in [(e.row, e.field) for e in check.errors]
    assert "already has a project UNCCT-2017-73-a" in check.errors[0].message
    twice = with_changes(4, project_code="uncct-2017-73-A")  # row 2 has UNCCT-2017-73-a
    assert "uncct-2017-73-A is also on row 2" in " ".join(
        e.message for e in service.check_projects(office.secretariat, "b.csv", twice).errors
    )


@pytest.mark.parametrize("roles", [(Role.CHAIR,), (Role.BOARD_MEMBER,), (Role.FINANCE,)])
def test_only_the_secretariat_or_an_administrator_may_import(office, roles) -> None:
    someone = factories.user("someone@prb.example", office.cted, *roles)
    db.session.commit()
    with pytest.raises(NotAllowed):
        service.check_projects(someone, FILENAME, example_bytes())
    with pytest.raises(NotAllowed):
        service.import_projects(someone, FILENAME, example_bytes())
    assert count(Proposal) == 0


def test_an_administrator_imports_and_the_history_says_so(office) -> None:
    admin = factories.user("admin@prb.example", office.unoct, Role.ADMINISTRATOR, name="Ada Admin")
    db.session.commit()
    service.import_projects(admin, FILENAME, example_bytes())
    record = db.session.scalars(
        select(AuditRecord).where(AuditRecord.proposal_id == project("UNCCT-2014-36").id)
    ).one()
    assert (record.event, record.actor_id, record.actor_role) == (
        "imported",
        admin.id,
        "administrator",
    )


def test_each_imported_project_has_an_imported_row_in_its_history(office) -> None:
    batch = service.import_projects(office.secretariat, FILENAME, example_bytes())
    i = project("UNCCT-2017-73-i")
    history = proposals.history(i, office.secretariat)
    assert len(history) == 1
    record = history[0]
    assert record.event == "imported" and record.to_state == S.ONGOING
    assert record.actor_id == office.secretariat.id and record.actor_role == "secretariat"
    assert record.summary == "Imported as Ongoing"
    assert f"Imported from {FILENAME} (row 5, import {batch.id}) by Nadia Haddad" in (
        record.comment
    )
    assert "decided 24 August 2018 (PRB/WP/2018/03)" in record.comment
    assert record.at is not None and record.at.tzinfo is not None
    assert count(AuditRecord) == 7


def test_cells_that_look_like_formulas_are_stored_as_the_text_they_are(office) -> None:
    formulas = {
        "title": '=HYPERLINK("http://evil.example","Click")',
        "objective": "@SUM(1+1)",
        "decision_reference": "+PRB/2018/01",
        "duration_note": "-1+2",
    }
    service.import_projects(office.secretariat, FILENAME, with_changes(2, **formulas))
    a = project("UNCCT-2017-73-a")
    assert {name: getattr(a, name) for name in formulas} == formulas


def test_a_semicolon_file_with_a_byte_order_mark_and_spreadsheet_headers_reads_the_same(
    office,
) -> None:
    rows = example_rows()
    columns = [name.replace("_", " ").title() for name in rows[0]]
    lines = [";".join(columns)]
    for row in rows:
        lines.append(";".join(f'"{v}"' for v in row.values()))
    content = "\ufeff".encode() + "\r\n".join(lines).encode("utf-8")
    result = service.check_projects(office.secretariat, FILENAME, content)
    assert result.errors == []
    assert [r.project_code for r in result.rows] == EXAMPLE_CODES
    assert result.rows[5].implementing_entity_ids  # "UNCCT;UNODA", quoted, still two
    # Excel's empty columns after the last one, in the header and the rows: no columns.
    padded = "\r\n".join(line + ";;" for line in lines) + "\r\n;;;;\r\n"
    result = service.check_projects(office.secretariat, FILENAME, padded.encode("utf-8"))
    assert result.errors == [] and len(result.rows) == len(EXAMPLE_CODES)
    # an empty header cell between two named ones is an error that says which column
    gap = "\r\n".join([lines[0].replace(";", ";;", 1), *lines[1:]]).encode("utf-8")
    problems = service.check_projects(office.secretariat, FILENAME, gap).errors
    assert [e.message for e in problems][:1] == ["Column 2 has no name in the header."]


def test_the_end_of_the_period_alone_gives_the_duration_in_calendar_months(office) -> None:
    rows = example_rows()
    columns = [c for c in rows[0] if c != "duration_months"]
    for row in rows:
        del row["duration_months"]
    rows[1]["period_end"] = "2019-02-28"  # UNCCT-2017-73-d from 1 March 2018
    rows[2]["period_end"] = "2019-03-15"  # part of a month counts as a month
    for row in rows[3:]:
        row["period_end"] = row["period_end"] or "2019-08-31"
    result = service.check_projects(office.secretariat, FILENAME, to_csv(rows, columns=columns))
    assert result.errors == [], result.errors
    assert [r.duration_months for r in result.rows[1:3]] == [12, 12]
    assert result.rows[2].original_end == date(2019, 3, 15)


def test_checking_and_importing_a_large_file_asks_the_database_the_same_whatever_its_length(
    office,
) -> None:
    from tests.web.test_query_counts import counting

    def big(n: int, tag: str) -> bytes:
        template = example_rows()[4]  # UNCCT-2017-73-j
        rows = []
        for i in range(n):
            row = dict(template, project_code=f"BULK-{tag}-{i:05d}", approved_budget="100.00")
            row["committed"], row["disbursed"] = "100.00", "50.00"
            rows.append(row)
        return to_csv(rows)

    statements = {}
    for n, tag in ((10, "s"), (300, "l")):
        content = big(n, tag)
        with counting() as checked:
            assert service.check_projects(office.secretariat, f"{tag}.csv", content).importable
        with counting() as imported:
            service.import_projects(office.secretariat, f"{tag}.csv", content)
        statements[n] = (len(checked), len(imported))
    assert statements[10] == statements[300], statements
    assert count(Proposal) == 310 and count(LedgerEntry) == 620 and count(AuditRecord) == 310
    assert finance.envelope(office.programme).used == Decimal("31000.00")


def test_a_user_imports_under_her_own_name_whatever_the_file_says(office) -> None:
    """`created_by` is the importer; nothing in the file can name another user."""
    service.import_projects(office.secretariat, FILENAME, example_bytes())
    creators = set(db.session.scalars(select(Proposal.created_by_id)))
    assert creators == {office.secretariat.id}
    assert db.session.get(User, office.secretariat.id) is not None


def test_a_code_taken_while_the_file_is_imported_leaves_nothing_half_imported(
    office, monkeypatch
) -> None:
    """The database's unique code is the last word: the import is one transaction."""
    from prb.services.portfolio_import import store

    factories.project(office, code="UNCCT-2014-36")  # the last row's code, already in PRB
    real = store.load_lookups

    def stale(sheet):  # type: ignore[no-untyped-def]
        found = real(sheet)
        found.taken_codes.clear()  # as if read just before another user approved it
        return found

    monkeypatch.setattr("prb.services.portfolio_import.load_lookups", stale)
    with pytest.raises(Conflict) as refused:
        service.import_projects(office.secretariat, FILENAME, example_bytes())
    assert "nothing was imported" in refused.value.message
    db.session.expire_all()
    assert count(Proposal) == 1 and count(ImportBatch) == 0 and count(LedgerEntry) == 0
    assert count(AuditRecord) == 0


def test_two_imports_of_one_file_at_once_import_it_once(office, monkeypatch) -> None:
    """The second request passed the re-import check before the first one committed: the
    unique SHA-256 refuses it, with who imported the file."""
    service.import_projects(office.secretariat, FILENAME, example_bytes())
    real = service.previous_batch
    calls = []

    def not_yet(digest):  # type: ignore[no-untyped-def]
        calls.append(digest)
        return None if len(calls) == 1 else real(digest)

    monkeypatch.setattr("prb.services.portfolio_import.previous_batch", not_yet)
    content = example_bytes()
    monkeypatch.setattr(
        "prb.services.portfolio_import.check_sheet", lambda sheet, lookups: ([], [])
    )
    with pytest.raises(Conflict) as refused:
        service.import_projects(office.secretariat, FILENAME, content)
    assert "already imported" in refused.value.message and "Nadia Haddad" in refused.value.message
    assert count(ImportBatch) == 1 and count(Proposal) == 7


def test_a_different_file_than_the_one_checked_is_refused(office) -> None:
    with pytest.raises(Conflict):
        service.import_projects(
            office.secretariat, FILENAME, example_bytes(), expected_sha256="0" * 64
        )
    assert count(Proposal) == 0


def test_the_command_line_checks_imports_and_refuses_a_second_time(app, office, tmp_path) -> None:
    runner = app.test_cli_runner()
    good = tmp_path / FILENAME
    good.write_bytes(example_bytes())
    by = ["--by", office.secretariat.email]

    dry = runner.invoke(args=["import", "projects", str(good), "--dry-run", *by])
    assert dry.exit_code == 0, dry.output
    assert "7 project(s) checked: no problem. Nothing imported." in dry.output
    assert count(Proposal) == 0

    bad = tmp_path / "bad.csv"
    bad.write_bytes(with_changes(4, approved_budget="lots"))
    refused = runner.invoke(args=["import", "projects", str(bad), *by])
    assert refused.exit_code == 1
    assert "row 4, approved_budget: “lots” is not an amount" in refused.output
    assert count(Proposal) == 0

    chair = runner.invoke(args=["import", "projects", str(good), "--by", office.chair_a.email])
    assert chair.exit_code == 1 and "Only a secretariat or administrator" in chair.output

    done = runner.invoke(args=["import", "projects", str(good), *by])
    assert done.exit_code == 0, done.output
    assert "7 project(s) imported from portfolio-2018.csv" in done.output
    again = runner.invoke(args=["import", "projects", str(good), *by])
    assert again.exit_code == 1 and "already imported" in again.output
    assert count(Proposal) == 7


def test_retired_reference_data_is_accepted_because_the_projects_are_history(office) -> None:
    from prb.models import Entity, FundingProgramme, utcnow

    for model, column, value in (
        (Entity, Entity.code, "UNDP"),
        (FundingProgramme, FundingProgramme.code, "UNCCT-2014-36"),
    ):
        db.session.scalars(select(model).where(column == value)).one().retired_at = utcnow()
    db.session.commit()
    service.import_projects(office.secretariat, FILENAME, example_bytes())
    assert project("UNCCT-2014-36").status == S.COMPLETED
