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
