"""The ledger's rules, the envelope cap, and the finance guards of the lifecycle."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from itertools import chain

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from prb.extensions import db
from prb.models import AuditRecord, LedgerEntry, utcnow
from prb.services import finance, lifecycle
from prb.services.errors import Conflict, Invalid, NotAllowed
from tests import factories
from workflows import ProposalState, ProposalTrigger

S, T = ProposalState, ProposalTrigger
D = Decimal


def entry(world, p, kind, amount, **extra):  # type: ignore[no-untyped-def]
    return finance.record_entry(
        world.finance,
        p.id,
        finance.EntryInput(
            kind=kind,
            amount=None if amount is None else D(amount),
            value_date=extra.pop("value_date", date(2018, 3, 1)),
            **extra,
        ),
    )


def count_entries() -> int:
    return db.session.scalar(select(func.count(LedgerEntry.id))) or 0


def test_balances_follow_the_entries(world) -> None:
    p = factories.project(world, status=S.ONGOING, budget=D("100000.00"))
    entry(world, p, "commitment", "80000.00")
    entry(world, p, "disbursement", "50000.00")
    entry(world, p, "return", "1234.56")
    entry(world, p, "release", "10000.00")
    b = finance.balances(p)
    assert (b.approved, b.committed, b.disbursed, b.returned) == (
        D("100000.00"),
        D("70000.00"),
        D("50000.00"),
        D("1234.56"),
    )
    assert b.balance == D("51234.56")
    assert b.percent_disbursed == D("48.8")
    records = db.session.scalars(
        select(AuditRecord.event).where(AuditRecord.proposal_id == p.id)
    ).all()
    assert records == [
        "ledger_commitment",
        "ledger_disbursement",
        "ledger_return",
        "ledger_release",
    ]


@pytest.mark.parametrize(
    ("setup", "kind", "amount", "message"),
    [
        (
            [],
            "commitment",
            "100000.01",
            "would exceed the approved budget of USD 100,000.00 by USD 0.01",
        ),
        (
            [("commitment", "1000.00")],
            "disbursement",
            "1000.01",
            "would exceed the USD 1,000.00 committed by USD 0.01",
        ),
        (
            [("commitment", "1000.00"), ("disbursement", "500.00")],
            "return",
            "500.01",
            "would exceed the USD 500.00 disbursed",
        ),
        (
            [("commitment", "1000.00"), ("disbursement", "600.00")],
            "release",
            "400.01",
            "would exceed the USD 599.99 committed",
        ),
        ([], "disbursement", "0", "Give a positive amount"),
        ([], "disbursement", "-5", "Give a positive amount"),
        ([], "commitment", "10.001", "two decimals at most"),
        ([], "commitment", None, "Give a positive amount"),
        ([], "commitment", "99999999999", "not a plausible amount"),
    ],
)
def test_each_refused_ledger_case(world, setup, kind, amount, message) -> None:  # type: ignore[no-untyped-def]
    p = factories.project(world, status=S.ONGOING, budget=D("100000.00"))
    for k, a in setup:
        entry(world, p, k, a)
    before = count_entries()
    with pytest.raises(Invalid) as refused:
        entry(world, p, kind, amount)
    text_ = refused.value.message + " ".join(chain.from_iterable(refused.value.fields.values()))
    assert message in text_
    assert count_entries() == before


def test_dates_reference_and_project_state_are_checked(world) -> None:
    p = factories.project(world, status=S.APPROVED)
    with pytest.raises(Invalid, match="entry was not recorded"):
        entry(world, p, "commitment", "10.00", value_date=utcnow().date() + timedelta(days=1))
    with pytest.raises(Conflict, match="cannot be recorded while the project is Approved"):
        entry(world, p, "disbursement", "10.00")
    draft = factories.proposal(world, status=S.SUBMITTED)
    with pytest.raises(Conflict, match="has no ledger until the Board approves it"):
        entry(world, draft, "commitment", "10.00")
    assert count_entries() == 0


def test_an_entry_cannot_be_dated_before_the_boards_approval(world) -> None:
    """Approved 1 January 2018 (factories): an entry of 31 December 2017 would make the
    overview as at that day show the project initiated before the Board approved it."""
    p = factories.project(world, status=S.APPROVED, start=date(2018, 1, 1))
    with pytest.raises(Invalid) as refused:
        entry(world, p, "commitment", "10.00", value_date=date(2017, 12, 31))
    assert refused.value.fields["value_date"] == [
        "The Board approved this project on 1 January 2018: an entry cannot be dated before that."
    ]
    assert count_entries() == 0
    entry(world, p, "commitment", "10.00", value_date=date(2018, 1, 1))  # the day itself
    assert count_entries() == 1


def test_only_finance_records_entries(world) -> None:
    p = factories.project(world)
    for person in (world.secretariat, world.chair_a, world.board_chair):
        with pytest.raises(NotAllowed):
            finance.record_entry(
                person, p.id, finance.EntryInput("commitment", D("1.00"), date(2018, 3, 1))
            )


def test_reversal_undoes_an_entry_once_and_respects_the_rules(world) -> None:
    p = factories.project(world, status=S.ONGOING, budget=D("1000.00"))
    commitment = entry(world, p, "commitment", "1000.00")
    mistaken = entry(world, p, "disbursement", "700.00")
    reversal = entry(world, p, "reversal", None, reverses_id=mistaken.id, note="Wrong project")
    assert reversal.amount == D("700.00")
    assert finance.balances(p).disbursed == D("0.00")
    with pytest.raises(Conflict, match="already been reversed"):
        entry(world, p, "reversal", None, reverses_id=mistaken.id)
    with pytest.raises(Conflict, match="cannot itself be reversed"):
        entry(world, p, "reversal", None, reverses_id=reversal.id)
    entry(world, p, "disbursement", "600.00")
    # reversing the commitment would leave disbursements above commitments
    with pytest.raises(Invalid, match=re.escape("would exceed the USD 0.00 committed")):
        entry(world, p, "reversal", None, reverses_id=commitment.id)
    other = factories.project(world, status=S.ONGOING)
    with pytest.raises(Exception, match="no such entry"):
        entry(world, other, "reversal", None, reverses_id=commitment.id)


def test_a_reversal_with_another_amount_typed_is_refused_not_replaced(world) -> None:
    p = factories.project(world, status=S.ONGOING, budget=D("1000.00"))
    entry(world, p, "commitment", "1000.00")
    small = entry(world, p, "disbursement", "0.01")
    before = count_entries()
    with pytest.raises(Invalid) as refused:
        entry(world, p, "reversal", "700.00", reverses_id=small.id)
    assert "undoes the whole entry" in refused.value.fields["amount"][0]
    assert "USD 0.01" in refused.value.fields["amount"][0]
    assert count_entries() == before and finance.balances(p).disbursed == D("0.01")
    # dated before the entry it reverses: refused (the ledger, sorted by date, undid it first)
    with pytest.raises(Invalid) as early:
        entry(
            world,
            p,
            "reversal",
            None,
            reverses_id=small.id,
            value_date=small.value_date - timedelta(days=1),
        )
    assert "on or after the entry it reverses" in early.value.fields["value_date"][0]
    # the entry's own amount, typed, is what it means
    assert entry(world, p, "reversal", "0.01", reverses_id=small.id).amount == D("0.01")


def test_the_database_refuses_to_edit_or_delete_ledger_entries(world) -> None:
    p = factories.project(world, status=S.ONGOING)
    e = entry(world, p, "commitment", "100.00")
    for statement in (
        f"UPDATE ledger_entries SET amount = 1 WHERE id = {e.id}",
        f"DELETE FROM ledger_entries WHERE id = {e.id}",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.get(LedgerEntry, e.id).amount == D("100.00")


def test_envelope_left_and_used(world) -> None:
    factories.project(world, budget=D("1000000.00"), code="UNCCT-2017-73-a")
    cancelled = factories.project(
        world, status=S.ONGOING, budget=D("200000.00"), code="UNCCT-2017-73-b"
    )
    entry(world, cancelled, "commitment", "200000.00")
    entry(world, cancelled, "disbursement", "50000.00")
    entry(world, cancelled, "return", "5000.00")
    lifecycle.fire(world.secretariat, cancelled.id, T.CANCEL, comment="Entity withdrew")
    env = finance.envelope(world.programme)
    assert env.used == D("1045000.00")  # live budgets + what the cancelled project kept
    assert env.left == D("311000.00")


def test_initiate_needs_a_commitment(world) -> None:
    p = factories.project(world, status=S.APPROVED)
    with pytest.raises(Conflict, match="No commitment"):
        lifecycle.fire(world.finance, p.id, T.INITIATE)
    entry(world, p, "commitment", "50000.00")
    lifecycle.fire(world.finance, p.id, T.INITIATE)
    assert p.status == S.INITIATED


def test_start_needs_a_disbursement_and_the_actual_start(world) -> None:
    p = factories.project(world, status=S.INITIATED)
    entry(world, p, "commitment", "50000.00")
    with pytest.raises(Conflict, match="No disbursement"):
        lifecycle.fire(world.finance, p.id, T.START)
    entry(world, p, "disbursement", "20000.00")
    with pytest.raises(Conflict, match="actual start date"):
        lifecycle.fire(world.finance, p.id, T.START)
    finance.record_project_dates(
        world.finance, p.id, finance.ProjectDates(date(2018, 2, 1), None, None)
    )
    lifecycle.fire(world.finance, p.id, T.START)
    assert p.status == S.ONGOING


def accept_final_report(world, p, spent: str, unspent: str) -> None:  # type: ignore[no-untyped-def]
    """The chair submits the project's final report, stating `spent`, and the secretariat
    accepts it (its day becomes the project's final report day)."""
    from prb.models import ReportKind
    from prb.services import progress_reports as reports
    from workflows import ReportTrigger

    final = next(s for s in reports.slots_of(p) if s.kind == ReportKind.FINAL)
    report = reports.submit_report(
        world.chair_a,
        p.id,
        ReportKind.FINAL,
        final.due_on,
        reports.ReportInput("Done.", "All outputs.", "", "", D(spent), D(unspent)),
    )
    reports.decide_report(world.secretariat, report.id, ReportTrigger.ACCEPT)


def test_complete_needs_an_accepted_final_report_and_a_settled_balance(world) -> None:
    """The final report comes through prb.services.progress_reports (its own tests cover
    each message); accepting it records the amount spent that the balance is settled to."""
    today = utcnow().date()
    p = factories.project(
        world,
        status=S.ONGOING,
        start=today - timedelta(days=30),
        months=12,
        actual_start=today - timedelta(days=30),
    )
    entry(world, p, "commitment", "60000.00", value_date=today)
    entry(world, p, "disbursement", "50000.00", value_date=today)
    with pytest.raises(Conflict, match="No final report has been submitted"):
        lifecycle.fire(world.finance, p.id, T.COMPLETE)
    accept_final_report(world, p, "45000.00", "5000.00")
    with pytest.raises(Conflict) as both:
        lifecycle.fire(world.finance, p.id, T.COMPLETE)
    # every missing condition at once, not the next only once the first is settled
    assert "USD 10,000.00 is committed but not disbursed" in both.value.message
    assert "does not equal the USD 45,000.00 reported spent" in both.value.message
    entry(world, p, "release", "10000.00", value_date=today)
    with pytest.raises(
        Conflict, match=re.escape("does not equal the USD 45,000.00 reported spent")
    ):
        lifecycle.fire(world.finance, p.id, T.COMPLETE)
    entry(world, p, "return", "5000.00", value_date=today)
    lifecycle.fire(world.finance, p.id, T.COMPLETE)
    assert p.status == S.COMPLETED


def test_the_end_date_alone_no_longer_completes_a_project(world) -> None:
    p = factories.project(
        world,
        status=S.ONGOING,
        start=date(2018, 1, 1),
        months=12,
        actual_start=date(2018, 1, 1),
        spent_reported=D("0.00"),
    )
    with pytest.raises(Conflict, match="No final report has been submitted"):
        lifecycle.fire(world.finance, p.id, T.COMPLETE)
    assert p.status == S.ONGOING


def test_running_totals_agree_with_the_ledger(world) -> None:
    """The totals kept with each entry equal what the ledger itself adds up to."""
    from prb.models import PortfolioTotals
    from prb.services import totals as running

    a = factories.project(world, status=S.ONGOING, budget=D("1000.00"), code="UNCCT-2017-73-a")
    b = factories.project(
        world, status=S.ONGOING, budget=D("500.00"), code="UNCCT-2017-73-b", group=world.group_b
    )
    entry(world, a, "commitment", "900.00")
    wrong = entry(world, a, "disbursement", "300.00")
    entry(world, a, "reversal", None, reverses_id=wrong.id)
    entry(world, a, "disbursement", "250.00")
    entry(world, a, "release", "100.00")
    entry(world, b, "commitment", "500.00")
    entry(world, b, "disbursement", "500.00")
    entry(world, b, "return", "20.00")
    lifecycle.fire(world.secretariat, b.id, T.CANCEL, comment="Stopped")
    t = finance.totals_subquery()
    ledger = {
        row.proposal_id: (row.committed, row.disbursed, row.returned)
        for row in db.session.execute(select(t))
    }
    for p in (a, b):
        db.session.refresh(p)
        assert (p.committed_total, p.disbursed_total, p.returned_total) == tuple(
            finance.money(v) for v in ledger[p.id]
        )
    kept = sorted(
        (
            r.programme_id,
            r.working_group_id,
            r.projects,
            r.approved,
            r.committed,
            r.disbursed,
            r.returned,
            r.cancelled_paid,
        )
        for r in db.session.scalars(select(PortfolioTotals))
    )
    running.recompute()
    db.session.flush()
    rebuilt = sorted(
        (
            r.programme_id,
            r.working_group_id,
            r.projects,
            r.approved,
            r.committed,
            r.disbursed,
            r.returned,
            r.cancelled_paid,
        )
        for r in db.session.scalars(select(PortfolioTotals))
    )
    assert kept == rebuilt
    assert finance.envelope(world.programme).used == D("1480.00")  # 1000 live + 480 paid
