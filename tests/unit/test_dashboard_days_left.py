"""Found exploring in a browser: the finance dashboard gave cancelled and completed projects
"Days left -247". An ended project has no days left: the page and its CSV leave the cell
empty (—), while a running project past its end still shows how far past, and is flagged."""

from __future__ import annotations

from datetime import date

from prb.services import finance_dashboard
from tests import factories
from workflows import ProposalState as S


def test_an_ended_project_has_no_days_left(world) -> None:  # type: ignore[no-untyped-def]
    codes = {"UNCCT-2017-73-a": S.CANCELLED, "UNCCT-2017-73-b": S.COMPLETED}
    codes["UNCCT-2017-73-c"] = S.ONGOING
    for code, status in codes.items():
        factories.project(world, status=status, code=code, start=date(2018, 1, 1), months=12)
    listed, _ = finance_dashboard.rows(world.finance, finance_dashboard.Filter())
    days = {r.code: r.days_left for r in listed}
    assert days["UNCCT-2017-73-a"] is None and days["UNCCT-2017-73-b"] is None
    running = next(r for r in listed if r.code == "UNCCT-2017-73-c")
    assert running.days_left is not None and running.days_left < 0
    assert "past end date and not completed" in running.flags
    by_code = {
        r.proposal.project_code: r
        for r in finance_dashboard.all_rows(world.finance, finance_dashboard.Filter())
    }
    assert by_code["UNCCT-2017-73-a"].days_left is None
    assert by_code["UNCCT-2017-73-c"].days_left == running.days_left


def test_a_cancelled_project_still_holding_a_commitment_is_flagged_until_released(world) -> None:  # type: ignore[no-untyped-def]
    """Found exploring: a project cancelled with 100,000 committed and 25,000 disbursed read
    "Committed 100,000.00" beside "Approved 25,000.00" with nothing said; the programme
    counts the 75,000 as committed until finance releases it."""
    from decimal import Decimal

    from prb.models import utcnow
    from prb.services import finance, lifecycle
    from workflows import ProposalTrigger

    project = factories.project(
        world, status=S.ONGOING, code="UNCCT-2017-73-d", start=date(2018, 1, 1), months=12
    )
    today = utcnow().date()
    for kind, amount in (("commitment", "100000.00"), ("disbursement", "25000.00")):
        finance.record_entry(
            world.finance, project.id, finance.EntryInput(kind, Decimal(amount), today)
        )
    lifecycle.fire(
        world.secretariat, project.id, ProposalTrigger.CANCEL, comment="The partner withdrew."
    )
    flag = "USD 75,000.00 committed and not disbursed: release it"

    def flags() -> list[str]:
        listed, _ = finance_dashboard.rows(world.finance, finance_dashboard.Filter())
        [row] = [r for r in listed if r.code == "UNCCT-2017-73-d"]
        [full] = [
            r
            for r in finance_dashboard.all_rows(world.finance, finance_dashboard.Filter())
            if r.proposal.id == project.id
        ]
        assert row.flags == full.flags  # the page and the CSV agree
        return row.flags

    assert flag in flags()
    finance.record_entry(
        world.finance, project.id, finance.EntryInput("release", Decimal("75000.00"), today)
    )
    assert flags() == []
