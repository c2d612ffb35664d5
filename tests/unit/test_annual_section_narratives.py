"""Which accepted report the annual section prints for a project: the latest (by due date)
accepted by 31 December that is about the year — due in it, or accepted in it (a final
report accepted in December and due the next February) — never one accepted later."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from prb.models import ReportKind, replayed_at
from prb.services import annual_section
from prb.services import progress_reports as reports
from tests import factories
from tests.unit.test_progress_reports import submit
from workflows import ProposalState, ReportTrigger

PROGRESS_DUE = date(2018, 7, 1)  # 6 months after the start, 1 January 2018
FINAL_DUE = date(2019, 2, 28)  # 3 months after the end, 30 November 2018


def _on(day: date):  # type: ignore[no-untyped-def]
    return replayed_at(datetime(day.year, day.month, day.day, 12, tzinfo=UTC))


def project(world):  # type: ignore[no-untyped-def]
    """1 January to 30 November 2018, started on its first day."""
    return factories.project(
        world,
        status=ProposalState.ONGOING,
        code="UNCCT-2017-73-a",
        months=11,
        actual_start=date(2018, 1, 1),
    )


def accepted(world, p, kind, due: date, on: date, text: str):  # type: ignore[no-untyped-def]
    with _on(on):
        extra = {"unspent": "0.00"} if kind == ReportKind.FINAL else {}
        report = submit(world, p, kind=kind, due=due, activities=text, **extra)
        reports.decide_report(world.secretariat, report.id, ReportTrigger.ACCEPT)
    return report


@pytest.mark.parametrize(
    ("final_accepted_on", "in_2018"),
    [
        # accepted in December, due in February: the latest word on 2018
        (date(2018, 12, 15), "Final words."),
        # due and accepted in 2019: about 2019 alone, even with no cut-off
        (date(2019, 3, 2), "July."),
    ],
)
def test_a_final_report_due_the_next_year_is_the_years_if_accepted_in_it(
    world, final_accepted_on: date, in_2018: str
) -> None:
    p = project(world)
    accepted(world, p, ReportKind.PROGRESS, PROGRESS_DUE, date(2018, 8, 1), "July.")
    accepted(world, p, ReportKind.FINAL, FINAL_DUE, final_accepted_on, "Final words.")
    found = annual_section.narratives(world.secretariat, world.programme.id, 2018)
    assert found[p.id].startswith(in_2018)
    assert reports.accepted_narratives(None, None, 2018)[p.id].text.startswith(in_2018)
    # In 2019's section: it is due then, and nothing later was accepted.
    found = annual_section.narratives(world.secretariat, world.programme.id, 2019)
    assert found[p.id].startswith("Final words.")


def test_a_report_accepted_after_the_year_is_in_the_year_it_was_accepted(world) -> None:
    p = project(world)
    accepted(world, p, ReportKind.PROGRESS, PROGRESS_DUE, date(2019, 1, 10), "Late July.")
    assert annual_section.narratives(world.secretariat, world.programme.id, 2018) == {}
    found = annual_section.narratives(world.secretariat, world.programme.id, 2019)
    assert found[p.id].startswith("Late July.")
    # accepted_by still cuts: as at 9 January 2019 nothing had been accepted
    cut = date(2019, 1, 9)
    assert reports.accepted_narratives(None, None, 2019, accepted_by=cut) == {}
    assert reports.accepted_narratives(None, None, 2018, accepted_by=cut) == {}
