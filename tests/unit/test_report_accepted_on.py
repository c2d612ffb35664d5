"""A report accepted after the fact keeps the day it was accepted ("Accepted on") beside the
moment PRB recorded the decision: refused (nothing saved) in the future or before the period
the report is about began — the previous progress report's due date, else the project's
start — never bounded by its submission (entered after the fact, it is submitted today) nor
its due date (a report may come early); a report is sent back the day that is recorded; who
may not decide hears so before anything about the day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord, ProgressReport, utcnow
from prb.services import progress_reports as reports
from prb.services.errors import Invalid, NotAllowed
from tests.unit.test_progress_reports import FINAL_DUE, FIRST_DUE, F, running, submit
from workflows import ReportState as RS
from workflows import ReportTrigger as RT


def audit_rows() -> int:
    return db.session.scalar(select(func.count(AuditRecord.id))) or 0


def two_year_project(world):  # type: ignore[no-untyped-def]
    """1 July 2017 to 30 June 2019, started on its first day: progress reports due on
    1 January 2018, 1 July 2018 and 1 January 2019."""
    return running(world, start=date(2017, 7, 1), actual_start=date(2017, 7, 1), months=24)


def test_a_report_accepted_on_a_past_day_keeps_it_beside_when_it_was_recorded(world) -> None:
    p = running(world)
    report = submit(world, p)
    reports.decide_report(world.secretariat, report.id, RT.ACCEPT, accepted_on=date(2018, 7, 20))
    db.session.refresh(report)
    assert report.status == RS.ACCEPTED and report.accepted_on == date(2018, 7, 20)
    assert report.decided_at is not None and report.decided_at.date() == utcnow().date()
    row = db.session.scalars(
        select(AuditRecord).where(AuditRecord.event == "report_accepted")
    ).one()
    assert row.effective_on == date(2018, 7, 20) and row.at.date() == utcnow().date()
    found = reports.accepted_narratives(None, None, 2018, accepted_by=date(2018, 12, 31))
    assert found[p.id].accepted_on == date(2018, 7, 20)


def test_blank_is_today(world) -> None:
    p = running(world)
    report = submit(world, p)
    reports.decide_report(world.secretariat, report.id, RT.ACCEPT)
    db.session.refresh(report)
    assert report.accepted_on == utcnow().date() == report.decided_at.date()


def test_an_accepted_final_report_dates_the_projects_final_report(world) -> None:
    p = running(world)
    final = submit(world, p, kind=F, due=FINAL_DUE, spent="90000.00", unspent="10000.00")
    # Before its due date: a project finishing early reports early.
    reports.decide_report(world.secretariat, final.id, RT.ACCEPT, accepted_on=date(2018, 12, 20))
    db.session.refresh(p)
    assert p.final_report_on == date(2018, 12, 20)
    assert str(p.spent_reported) == "90000.00"


@pytest.mark.parametrize(
    ("report_due", "day", "message"),
    [
        # the first progress report: not before the project's start
        (
            date(2018, 1, 1),
            date(2017, 6, 30),
            "cannot have been accepted before the project's start on 1 July 2017",
        ),
        # a later one: not before the period it reports on began
        (
            date(2018, 7, 1),
            date(2017, 12, 31),
            "before the period it reports on, which began when the previous progress report "
            "fell due on 1 January 2018",
        ),
        (
            date(2019, 1, 1),
            date(2018, 6, 30),
            "fell due on 1 July 2018",
        ),
    ],
)
def test_not_before_the_period_the_report_is_about_began(
    world, report_due: date, day: date, message: str
) -> None:
    p = two_year_project(world)
    report = submit(world, p, due=report_due)
    before = audit_rows()
    with pytest.raises(Invalid) as refused:
        reports.decide_report(world.secretariat, report.id, RT.ACCEPT, accepted_on=day)
    assert message in refused.value.fields["accepted_on"][0]
    db.session.rollback()
    db.session.expire_all()
    found = db.session.get(ProgressReport, report.id)
    assert found.status == RS.SUBMITTED and found.accepted_on is None
    assert found.decided_at is None and audit_rows() == before
    # The first day allowed is allowed — before the report's own due date too.
    reports.decide_report(
        world.secretariat, report.id, RT.ACCEPT, accepted_on=day + timedelta(days=1)
    )
    assert db.session.get(ProgressReport, report.id).accepted_on == day + timedelta(days=1)


def test_the_final_report_not_before_the_projects_start(world) -> None:
    p = running(world)
    final = submit(world, p, kind=F, due=FINAL_DUE, unspent="0.00")
    with pytest.raises(Invalid) as refused:
        reports.decide_report(
            world.secretariat, final.id, RT.ACCEPT, accepted_on=date(2017, 12, 31)
        )
    assert refused.value.fields["accepted_on"] == [
        "A report cannot have been accepted before the project's start on 1 January 2018."
    ]
    db.session.rollback()
    assert db.session.get(type(p), p.id).final_report_on is None


def test_not_in_the_future(world) -> None:
    p = running(world)
    report = submit(world, p)
    tomorrow = utcnow().date() + timedelta(days=1)
    with pytest.raises(Invalid) as refused:
        reports.decide_report(world.secretariat, report.id, RT.ACCEPT, accepted_on=tomorrow)
    assert "cannot be in the future" in refused.value.fields["accepted_on"][0]
    db.session.rollback()
    assert db.session.get(ProgressReport, report.id).status == RS.SUBMITTED
    # Today, given, is today.
    reports.decide_report(world.secretariat, report.id, RT.ACCEPT, accepted_on=utcnow().date())


def test_the_submission_is_no_bound(world) -> None:
    """A report entered after the fact is submitted today: it was accepted long before."""
    p = running(world)
    report = submit(world, p)
    assert report.submitted_at.date() == utcnow().date()
    reports.decide_report(world.secretariat, report.id, RT.ACCEPT, accepted_on=FIRST_DUE)
    assert db.session.get(ProgressReport, report.id).accepted_on == FIRST_DUE


def test_sending_back_takes_no_day(world) -> None:
    p = running(world)
    report = submit(world, p)
    with pytest.raises(Invalid) as refused:
        reports.decide_report(
            world.secretariat, report.id, RT.RETURN, "Figures.", accepted_on=date(2018, 7, 20)
        )
    assert "sent back the day it is recorded" in refused.value.fields["accepted_on"][0]
    db.session.rollback()
    reports.decide_report(world.secretariat, report.id, RT.RETURN, "Figures.")
    found = db.session.get(ProgressReport, report.id)
    assert found.status == RS.RETURNED and found.accepted_on is None


def test_who_may_not_decide_is_refused_before_the_day_is_read(world) -> None:
    p = running(world)
    report = submit(world, p)
    for day in (date(2999, 1, 1), date(2000, 1, 1), date(2018, 7, 20)):
        with pytest.raises(NotAllowed):
            reports.decide_report(world.chair_a, report.id, RT.ACCEPT, accepted_on=day)
        db.session.rollback()
    assert db.session.get(ProgressReport, report.id).status == RS.SUBMITTED
