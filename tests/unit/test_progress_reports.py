"""Progress and final reports through the services: who may submit, accept, send back and
resubmit; overdue flags; the completion rule; a lost race; the accepted narratives."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord, ProgressReport, ReportKind, User
from prb.services import finance, lifecycle
from prb.services import progress_reports as reports
from prb.services.errors import Conflict, Invalid, NotAllowed, NotFound
from tests import factories
from tests.conftest import at_once
from workflows import ProposalState, ProposalTrigger, ReportState, ReportTrigger

S, T, RS, RT = ProposalState, ProposalTrigger, ReportState, ReportTrigger
P, F = ReportKind.PROGRESS, ReportKind.FINAL
D = Decimal
FIRST_DUE = date(2018, 7, 1)  # 6 months after the actual start, 1 January 2018
FINAL_DUE = date(2019, 3, 31)  # 3 months after the end, 31 December 2018


def running(world, **extra):  # type: ignore[no-untyped-def]
    """Group A's project, 1 January to 31 December 2018, started on its first day."""
    fields = {
        "status": S.ONGOING,
        "actual_start": date(2018, 1, 1),
        "code": "UNCCT-2017-73-a",
        **extra,
    }
    return factories.project(world, **fields)


def narrative(spent: str = "1000.00", unspent: str | None = None, **parts: str):  # type: ignore[no-untyped-def]
    return reports.ReportInput(
        activities=parts.get("activities", "Two regional workshops held."),
        results=parts.get("results", "Output 4.2: guidelines drafted."),
        challenges=parts.get("challenges", "Visa delays."),
        next_steps=parts.get("next_steps", "Publish the compendium."),
        spent_to_date=D(spent),
        unspent_balance=None if unspent is None else D(unspent),
    )


def submit(world, p, kind=P, due=FIRST_DUE, who=None, **kw):  # type: ignore[no-untyped-def]
    return reports.submit_report(who or world.chair_a, p.id, kind, due, narrative(**kw))


# -- submitting ----------------------------------------------------------------------------


def test_a_chair_submits_for_a_due_slot_and_the_secretariat_accepts(world) -> None:
    p = running(world)
    report = submit(world, p)
    assert (report.status, report.kind, report.due_on) == (RS.SUBMITTED, P, FIRST_DUE)
    assert report.spent_to_date == D("1000.00") and report.unspent_balance is None
    reports.decide_report(world.secretariat, report.id, RT.ACCEPT)
    assert report.status == RS.ACCEPTED and report.decided_by_id == world.secretariat.id
    events = db.session.scalars(
        select(AuditRecord.event).where(AuditRecord.proposal_id == p.id).order_by(AuditRecord.id)
    ).all()
    assert events == ["report_submitted", "report_accepted"]


@pytest.mark.parametrize(
    "who", ["chair_b", "secretariat", "finance", "board_cted", "chair_b_board", "chair_b_finance"]
)
def test_only_a_chair_of_the_projects_group_submits(world, who: str) -> None:
    p = running(world)
    actor = getattr(world, who)
    # Those who see the portfolio are refused for who they are (403); a chair of another
    # group alone does not even see the project (404).
    expected = NotFound if who == "chair_b" else NotAllowed
    with pytest.raises(expected):
        submit(world, p, who=actor)
    assert not db.session.scalar(select(func.count(ProgressReport.id)))


def test_a_report_is_submitted_only_for_a_slot_of_the_schedule(world) -> None:
    p = running(world)
    with pytest.raises(NotFound, match=r"No progress report .* due on 2 July 2018"):
        submit(world, p, due=date(2018, 7, 2))
    with pytest.raises(NotFound, match="No final report"):
        submit(world, p, kind=F, due=FIRST_DUE, unspent="0.00")
    with pytest.raises(NotFound):
        submit(world, p, kind="interim")


def test_a_slot_takes_one_report(world) -> None:
    p = running(world)
    submit(world, p)
    with pytest.raises(Conflict, match="submitted already"):
        submit(world, p)


def test_reports_are_submitted_only_while_the_project_runs(world) -> None:
    p = running(world, status=S.INITIATED)
    with pytest.raises(Conflict, match="while a project runs"):
        submit(world, p)


def test_bad_input_saves_nothing_and_names_each_field(world) -> None:
    p = running(world)
    with pytest.raises(Invalid) as refused:
        reports.submit_report(
            world.chair_a,
            p.id,
            F,
            FINAL_DUE,
            reports.ReportInput("", " ", "", "", D("-1.00"), None),
        )
    assert set(refused.value.fields) == {
        "activities",
        "results",
        "spent_to_date",
        "unspent_balance",
    }
    with pytest.raises(Invalid) as refused:
        submit(world, p, spent="10.001")
    assert set(refused.value.fields) == {"spent_to_date"}
    assert not db.session.scalar(select(func.count(ProgressReport.id)))


# -- accepting, sending back, resubmitting -----------------------------------------------


@pytest.mark.parametrize("who", ["chair_a", "finance", "board_cted", "chair_b_finance"])
@pytest.mark.parametrize("trigger", [RT.ACCEPT, RT.RETURN])
def test_only_the_secretariat_accepts_or_sends_back(world, who: str, trigger: str) -> None:
    report = submit(world, running(world))
    with pytest.raises(NotAllowed, match="Only a secretariat"):
        reports.decide_report(getattr(world, who), report.id, trigger, "Too short.")
    assert report.status == RS.SUBMITTED


def test_a_chair_of_another_group_gets_404_for_the_report(world) -> None:
    report = submit(world, running(world))
    with pytest.raises(NotFound):
        reports.decide_report(world.chair_b, report.id, RT.ACCEPT)
    with pytest.raises(NotFound):
        reports.resubmit_report(world.chair_b, report.id, narrative())


def test_sending_back_needs_a_reason_and_the_chair_resubmits(world) -> None:
    report = submit(world, running(world))
    with pytest.raises(Invalid, match="say why"):
        reports.decide_report(world.secretariat, report.id, RT.RETURN, "  ")
    reports.decide_report(world.secretariat, report.id, RT.RETURN, "Give the figures by output.")
    assert report.status == RS.RETURNED and report.return_reason == "Give the figures by output."
    # Someone who sees the project but chairs another group: refused for who she is.
    with pytest.raises(NotAllowed):
        reports.resubmit_report(world.chair_b_board, report.id, narrative())
    reports.resubmit_report(world.chair_a, report.id, narrative(spent="1500.00"))
    assert report.status == RS.SUBMITTED and report.spent_to_date == D("1500.00")
    reports.decide_report(world.secretariat, report.id, RT.ACCEPT)
    assert report.status == RS.ACCEPTED


def test_the_wording_sent_back_stays_on_record_after_the_resubmission(world) -> None:
    report = submit(world, running(world), activities="First wording of the activities.")
    reports.decide_report(world.secretariat, report.id, RT.RETURN, "Say more.")
    reports.resubmit_report(
        world.chair_a, report.id, narrative(spent="1500.00", activities="Second wording.")
    )
    assert report.activities == "Second wording."
    comments = db.session.scalars(
        select(AuditRecord.comment).where(AuditRecord.event == "report_resubmitted")
    ).all()
    assert len(comments) == 1
    assert "As sent back: Activities: First wording of the activities." in comments[0]
    assert "spent to date USD 1,000.00" in comments[0]


def test_an_accepted_report_is_final(world) -> None:
    report = submit(world, running(world))
    reports.decide_report(world.secretariat, report.id, RT.ACCEPT)
    with pytest.raises(Conflict, match="while the report is Accepted"):
        reports.decide_report(world.secretariat, report.id, RT.RETURN, "Late thoughts.")
    with pytest.raises(Conflict):
        reports.resubmit_report(world.chair_a, report.id, narrative())
    with pytest.raises(Conflict, match="changed while you were looking"):
        reports.decide_report(world.secretariat, report.id, RT.ACCEPT, expected_status=RS.SUBMITTED)


def test_two_accepts_at_once_one_wins(app, world) -> None:
    report = submit(world, running(world))
    report_id, secretariat_id = report.id, world.secretariat.id
    db.session.commit()

    def accept() -> str:
        reports.decide_report(db.session.get(User, secretariat_id), report_id, RT.ACCEPT)
        return "ok"

    results = at_once(app, [accept, accept, accept])
    assert sorted(r[:8] for r in results) == ["conflict", "conflict", "ok"], results
    assert (
        db.session.scalar(
            select(func.count(AuditRecord.id)).where(AuditRecord.event == "report_accepted")
        )
        == 1
    )


def test_two_submissions_for_one_slot_at_once_create_one_report(app, world) -> None:
    p = running(world)
    project_id, chair_ids = p.id, [world.chair_b.id, world.chair_b_board.id]
    p.working_group_id = world.group_b.id
    db.session.commit()

    def submit_as(uid: int):  # type: ignore[no-untyped-def]
        def job() -> str:
            reports.submit_report(db.session.get(User, uid), project_id, P, FIRST_DUE, narrative())
            return "ok"

        return job

    results = at_once(app, [submit_as(uid) for uid in chair_ids])
    assert sorted(r[:8] for r in results) == ["conflict", "ok"], results
    assert db.session.scalar(select(func.count(ProgressReport.id))) == 1


# -- schedule and overdue -----------------------------------------------------------------


def test_the_schedule_shows_each_due_report_with_its_state_and_overdue_flag(world) -> None:
    p = running(world)
    lines = reports.schedule(p, date(2018, 7, 2))
    assert [(line.slot.kind, line.slot.due_on, line.report, line.overdue) for line in lines] == [
        (P, FIRST_DUE, None, True),
        (F, FINAL_DUE, None, False),
    ]
    report = submit(world, p)
    (first, _) = reports.schedule(p, date(2018, 7, 2))
    assert first.report is report and first.overdue, "submitted is not yet accepted"
    reports.decide_report(world.secretariat, report.id, RT.RETURN, "Figures missing.")
    assert reports.schedule(p, date(2018, 7, 2))[0].overdue
    reports.resubmit_report(world.chair_a, report.id, narrative())
    reports.decide_report(world.secretariat, report.id, RT.ACCEPT)
    assert not reports.schedule(p, date(2018, 7, 2))[0].overdue
    # Due today is not overdue yet.
    assert not reports.schedule(p, FINAL_DUE)[-1].overdue
    assert reports.schedule(p, date(2019, 4, 1))[-1].overdue


def test_an_extension_moves_the_final_report_in_the_schedule(world) -> None:
    p = running(world)
    p.current_end = date(2019, 4, 30)  # four months' extension from 1 January 2019
    p.status = S.EXTENDED
    db.session.commit()
    lines = reports.schedule(p, date(2019, 5, 1))
    assert [(line.slot.kind, line.slot.due_on, line.overdue) for line in lines] == [
        (P, FIRST_DUE, True),
        (P, date(2019, 1, 1), True),
        (F, date(2019, 7, 31), False),
    ]


def test_overdue_lists_per_role(world) -> None:
    a = running(world)
    b = running(world, code="UNCCT-2017-73-b", group=world.group_b)
    running(world, code="UNCCT-2017-73-c", status=S.COMPLETED)  # owes nothing any more
    today = date(2018, 7, 2)
    mine = reports.overdue(world.chair_a, today, own_groups_only=True)
    assert [(o.display_code, o.label, o.state_label) for o in mine] == [
        ("UNCCT-2017-73-a", "Progress report 1", "Not submitted")
    ]
    assert [o.proposal_id for o in reports.overdue(world.secretariat, today)] == [a.id, b.id]
    assert [o.proposal_id for o in reports.overdue(world.finance, today)] == [a.id, b.id]
    # A chair who is also a board member: her dashboard's own list is her group's only.
    assert [
        o.proposal_id for o in reports.overdue(world.chair_b_board, today, own_groups_only=True)
    ] == [b.id]
    submit(world, a)
    assert reports.overdue(world.chair_a, today, own_groups_only=True)[0].state_label == (
        "Submitted"
    )
    assert reports.overdue(world.secretariat, date(2018, 6, 30)) == []


# -- the completion rule -------------------------------------------------------------------


def _settle(world, p) -> None:  # type: ignore[no-untyped-def]
    def entry(kind: str, amount: str) -> None:
        finance.record_entry(
            world.finance, p.id, finance.EntryInput(kind, D(amount), date(2018, 3, 1))
        )

    entry("commitment", "60000.00")
    entry("disbursement", "50000.00")
    return entry  # type: ignore[return-value]


def test_complete_needs_an_accepted_final_report_and_settled_funds(world) -> None:
    p = running(world)
    entry = _settle(world, p)

    def complete() -> None:
        lifecycle.fire(world.finance, p.id, T.COMPLETE)

    with pytest.raises(Conflict, match="No final report has been submitted"):
        complete()
    final = submit(world, p, kind=F, due=FINAL_DUE, spent="45000.00", unspent="5000.00")
    with pytest.raises(Conflict, match="not been accepted by the secretariat yet"):
        complete()
    reports.decide_report(world.secretariat, final.id, RT.RETURN, "Add the figures by output.")
    with pytest.raises(Conflict, match="sent back to the chair"):
        complete()
    reports.resubmit_report(world.chair_a, final.id, narrative(spent="45000.00", unspent="5000.00"))
    reports.decide_report(world.secretariat, final.id, RT.ACCEPT)
    # Accepting the final report records its day and its spent figure on the project.
    assert p.final_report_on is not None and p.spent_reported == D("45000.00")
    with pytest.raises(Conflict, match=re.escape("USD 10,000.00 is committed but not disbursed")):
        complete()
    entry("release", "10000.00")
    with pytest.raises(Conflict, match=re.escape("does not equal the USD 45,000.00 reported")):
        complete()
    entry("return", "5000.00")
    complete()
    assert p.status == S.COMPLETED


def test_a_final_report_date_typed_by_finance_no_longer_completes(world) -> None:
    p = running(world, final_report_on=date(2019, 2, 1), spent_reported=D("0.00"))
    with pytest.raises(Conflict, match="No final report has been submitted"):
        lifecycle.fire(world.finance, p.id, T.COMPLETE)
    assert p.status == S.ONGOING
    assert any("No final report" in why for _, why in lifecycle.blocked_actions(world.finance, p))


# -- accepted narratives for the annual report --------------------------------------------


def test_accepted_narratives_hold_only_accepted_reports_of_the_year(world) -> None:
    a = running(world)
    b = running(world, code="UNCCT-2017-73-b", group=world.group_b)
    c = running(world, code="UNCCT-2017-73-c")
    first = submit(world, a, activities="Accepted words.")
    reports.decide_report(world.secretariat, first.id, RT.ACCEPT)
    submit(world, b, who=world.chair_b, activities="Submitted words.")
    returned = submit(world, c, activities="Returned words.")
    reports.decide_report(world.secretariat, returned.id, RT.RETURN, "Not yet.")
    found = reports.accepted_narratives(None, world.programme.id, 2018)
    assert set(found) == {a.id}
    n = found[a.id]
    assert (n.kind, n.due_on, n.proposal_id) == (P, FIRST_DUE, a.id)
    assert n.text.startswith("Accepted words.\n\nOutput 4.2: guidelines drafted.")
    assert n.parts[1] == ("Results against the outputs", "Output 4.2: guidelines drafted.")
    assert reports.accepted_narratives(db.session, world.programme.id, 2019) == {}
    assert reports.accepted_narratives(None, world.programme.id + 1, 2018) == {}
    texts = " ".join(n.text for n in found.values())
    assert "Submitted words" not in texts and "Returned words" not in texts


def test_the_latest_accepted_report_of_the_year_wins(world) -> None:
    p = running(world, start=date(2017, 7, 1), actual_start=date(2017, 7, 1), months=24)
    first = submit(world, p, due=date(2018, 1, 1), activities="January.")
    second = submit(world, p, due=date(2018, 7, 1), activities="July.")
    for r in (first, second):
        reports.decide_report(world.secretariat, r.id, RT.ACCEPT)
    third = submit(world, p, due=date(2019, 1, 1), activities="Next year.")
    reports.decide_report(world.secretariat, third.id, RT.ACCEPT)
    found = reports.accepted_narratives(None, world.programme.id, 2018)
    assert found[p.id].text.startswith("July.")


def test_narratives_as_at_a_day_hold_only_what_was_accepted_by_then(world) -> None:
    """The annual section is as at 31 December: a report accepted later is not in it."""
    from datetime import timedelta

    p = running(world)
    report = submit(world, p, activities="Accepted late.")
    reports.decide_report(world.secretariat, report.id, RT.ACCEPT)
    db.session.refresh(report)
    assert report.decided_at is not None
    accepted_on = report.accepted_on
    assert accepted_on == report.decided_at.date()  # blank: the day it was recorded
    before = reports.accepted_narratives(
        None, None, 2018, accepted_by=accepted_on - timedelta(days=1)
    )
    on_the_day = reports.accepted_narratives(None, None, 2018, accepted_by=accepted_on)
    assert before == {} and set(on_the_day) == {p.id}
    # None: every programme's projects
    assert set(reports.accepted_narratives(None, None, 2018)) == {p.id}


# -- notices -------------------------------------------------------------------------------


def test_the_worker_tells_the_chairs_once_per_overdue_report(world) -> None:
    from datetime import UTC, datetime

    from prb.models import Notification
    from prb.services.notifications import Event, scheduled

    p = running(world)

    def notices() -> list[tuple[str, str]]:
        rows = db.session.scalars(
            select(Notification).where(Notification.event == str(Event.REPORT_OVERDUE))
        )
        return sorted((db.session.get(User, n.user_id).email, n.subject) for n in rows)

    scheduled.notify_due(datetime(2018, 7, 1, 12, tzinfo=UTC))
    assert notices() == []  # due today: not overdue yet
    scheduled.notify_due(datetime(2018, 7, 2, 12, tzinfo=UTC))
    ((who, subject),) = notices()
    assert who == "chair.a@prb.example"  # the group's chairs: chair_b_board chairs group B
    assert "progress report 1 overdue since 1 July 2018" in subject
    scheduled.notify_due(datetime(2018, 7, 3, 12, tzinfo=UTC))
    assert len(notices()) == 1  # once
    report = submit(world, p)
    reports.decide_report(world.secretariat, report.id, RT.ACCEPT)
    scheduled.notify_due(datetime(2019, 4, 1, 12, tzinfo=UTC))
    assert [s for _, s in notices() if "final report" in s]  # the final report, now late
    assert len(notices()) == 2


def test_no_overdue_notice_for_a_report_submitted_and_awaiting_the_secretariat(world) -> None:
    # The chair who submitted on time was told "overdue … Submit it from the project's
    # page" while the report waited for the secretariat; sent back, it is hers again.
    from datetime import UTC, datetime

    from prb.models import Notification
    from prb.services.notifications import Event, scheduled

    p = running(world)
    report = submit(world, p)  # submitted, not yet accepted, when it falls due

    def overdue_notices() -> int:
        return len(
            db.session.scalars(
                select(Notification).where(Notification.event == str(Event.REPORT_OVERDUE))
            ).all()
        )

    scheduled.notify_due(datetime(2018, 7, 2, 12, tzinfo=UTC))
    assert overdue_notices() == 0
    reports.decide_report(world.secretariat, report.id, RT.RETURN, "Add the figures")
    scheduled.notify_due(datetime(2018, 7, 3, 12, tzinfo=UTC))
    assert overdue_notices() == 1
