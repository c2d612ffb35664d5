"""An office catching up on a past year accepts its reports on the days they were accepted
("Accepted on" beside the Accept button): the report's page and the project's history show
that day with when PRB recorded it; the annual section of that year prints the report; a
completion can then be dated in that year. A day refused is said beside the field (422),
what was typed shown again, nothing saved; the form carries its CSRF token."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord, ProgressReport, Proposal, ReportKind, utcnow
from prb.services import annual_section, finance, lifecycle, lifecycle_dates
from prb.services import progress_reports as reports
from prb.services.errors import Invalid
from tests.conftest import sign_in
from tests.test_annual_section import _plain
from tests.web.test_transition_effective_date import approved_and_initiated, status_on
from workflows import ProposalState as S
from workflows import ProposalTrigger as T
from workflows import ReportState as RS
from workflows import ReportTrigger as RT

D = Decimal
STARTED_ON = date(2025, 3, 15)  # progress report 1 due 15 September 2025
PROGRESS_DUE = date(2025, 9, 15)


def started(world) -> Proposal:  # type: ignore[no-untyped-def]
    """Approved on 10 February 2025, committed 1 March, paid and started 15 March 2025;
    USD 10,000 returned on 1 September 2025 — all entered today."""
    p = approved_and_initiated(world)
    for kind, amount, day in (
        ("disbursement", "100000.00", STARTED_ON),
        ("return", "10000.00", date(2025, 9, 1)),
    ):
        finance.record_entry(world.finance, p.id, finance.EntryInput(kind, D(amount), day, "T"))
    finance.record_project_dates(world.finance, p.id, finance.ProjectDates(STARTED_ON, None, None))
    lifecycle.fire(world.finance, p.id, T.START)
    return p


def submitted(world, p: Proposal, kind: str = ReportKind.PROGRESS) -> ProgressReport:  # type: ignore[no-untyped-def]
    slot = next(s for s in reports.slots_of(p) if s.kind == kind)
    final = kind == ReportKind.FINAL
    return reports.submit_report(
        world.chair_a,
        p.id,
        kind,
        slot.due_on,
        reports.ReportInput(
            "Final words on 2025." if final else "Workshops held in 2025.",
            "All outputs.",
            "",
            "",
            D("90000.00"),
            D("10000.00") if final else None,
        ),
    )


def audit_rows() -> int:
    return db.session.scalar(select(func.count(AuditRecord.id))) or 0


def accept(client, report: ProgressReport, day: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/progress-reports/{report.id}/accept",
        data={"expected_status": RS.SUBMITTED, "accepted_on": day},
    )


def test_a_report_accepted_on_a_past_day_shows_it_with_when_it_was_recorded(client, world) -> None:
    p = started(world)
    report = submitted(world, p)
    sign_in(client, world.secretariat)
    before = audit_rows()
    page = client.get(f"/progress-reports/{report.id}").get_data(as_text=True)
    assert audit_rows() == before  # a GET writes nothing
    form = page.split(f'action="/progress-reports/{report.id}/accept"', 1)[1].split("</form>")[0]
    assert 'name="accepted_on"' in form and "Accepted on" in form
    sent_back = page.split(f'action="/progress-reports/{report.id}/return"', 1)[1]
    assert 'name="accepted_on"' not in sent_back.split("</form>")[0]  # sending back: no day

    response = accept(client, report, "2025-09-30")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    found = db.session.get(ProgressReport, report.id)
    assert found.status == RS.ACCEPTED and found.accepted_on == date(2025, 9, 30)
    assert found.decided_at is not None and found.decided_at.date() == utcnow().date()

    shown = client.get(f"/progress-reports/{report.id}").get_data(as_text=True)
    assert (
        'accepted on <time datetime="2025-09-30">30 September 2025</time> '
        '<span class="muted">(recorded <time' in shown
    )
    history = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    history = history.split('id="history-title"', 1)[1]
    assert '<time datetime="2025-09-30">30 September 2025</time> <span class="muted">(recorded' in (
        history
    )


def test_blank_is_today_and_the_page_says_accepted_at_the_time_recorded(client, world) -> None:
    p = started(world)
    report = submitted(world, p)
    sign_in(client, world.secretariat)
    assert accept(client, report, "").status_code == 303
    db.session.expire_all()
    found = db.session.get(ProgressReport, report.id)
    assert found.accepted_on == utcnow().date()
    shown = client.get(f"/progress-reports/{report.id}").get_data(as_text=True)
    assert " · accepted <time" in shown and "(recorded" not in shown


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2999-01-01", "Enter a date between"),
        ("2025-02-30", "Enter a real date"),
        ("yesterday", "Enter a real date"),
        ("2025-03-14", "cannot have been accepted before the project&#39;s start on 15 March 2025"),
        ("2025-01-31", "before the project&#39;s start on 15 March 2025"),
    ],
)
def test_a_day_it_cannot_have_been_accepted_is_refused_beside_the_field(
    client, world, typed: str, message: str
) -> None:
    p = started(world)
    report = submitted(world, p)
    sign_in(client, world.secretariat)
    before = audit_rows()
    response = accept(client, report, typed)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field = html.split('id="accepted-on"', 1)[1]
    assert f'value="{typed}"' in field.split(">", 1)[0]  # what was typed, shown again
    assert 'aria-invalid="true"' in field.split(">", 1)[0]
    assert message in field.split("</p>", 1)[0]  # beside the field
    db.session.expire_all()
    found = db.session.get(ProgressReport, report.id)
    assert found.status == RS.SUBMITTED and found.accepted_on is None
    assert audit_rows() == before


def test_a_day_in_the_future_is_refused(client, world) -> None:
    p = started(world)
    report = submitted(world, p)
    sign_in(client, world.secretariat)
    tomorrow = (utcnow().date() + timedelta(days=1)).isoformat()
    response = accept(client, report, tomorrow)
    assert response.status_code == 422
    assert "cannot be in the future" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ProgressReport, report.id).status == RS.SUBMITTED


def test_a_reason_to_send_back_refused_is_shown_again(client, world) -> None:
    p = started(world)
    report = submitted(world, p)
    sign_in(client, world.secretariat)
    response = client.post(
        f"/progress-reports/{report.id}/return",
        data={"expected_status": RS.SUBMITTED, "reason": "x" * 4001},
    )
    assert response.status_code == 422
    form = response.get_data(as_text=True).split('id="reason-return"', 1)[1]
    assert 'aria-invalid="true"' in form.split(">", 1)[0]
    assert ">" + "x" * 4001 + "</textarea>" in form


def test_who_may_not_accept_is_refused(client, world) -> None:
    p = started(world)
    report = submitted(world, p)
    sign_in(client, world.chair_a)
    assert accept(client, report, "2025-09-30").status_code == 403
    assert accept(client, report, "2000-01-01").status_code == 403
    db.session.expire_all()
    assert db.session.get(ProgressReport, report.id).status == RS.SUBMITTED


def test_the_form_carries_a_csrf_token_and_a_post_without_it_is_refused(app, client, world) -> None:
    p = started(world)
    report = submitted(world, p)
    sign_in(client, world.secretariat)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(f"/progress-reports/{report.id}").get_data(as_text=True)
    form = page.split(f'action="/progress-reports/{report.id}/accept"', 1)[1].split("</form>")[0]
    assert 'name="csrf_token"' in form
    assert accept(client, report, "2025-09-30").status_code == 400
    db.session.expire_all()
    assert db.session.get(ProgressReport, report.id).status == RS.SUBMITTED


def test_a_past_year_caught_up_its_annual_section_prints_the_report_and_the_completion(
    client, world
) -> None:
    """The user's case: 2025 entered in December 2026 — the progress report accepted on
    30 September 2025 and the final report on 20 November 2025, the project completed on
    1 December 2025. The 2025 section prints the final report (accepted in 2025, due in
    2026), not 'No progress report on 2025 had been accepted by 31 December 2025'."""
    p = started(world)
    progress = submitted(world, p)
    reports.decide_report(world.secretariat, progress.id, RT.ACCEPT, accepted_on=date(2025, 9, 30))
    final = submitted(world, p, ReportKind.FINAL)
    assert final.due_on.year == 2026  # due three months after its end, February 2026
    sign_in(client, world.secretariat)
    assert accept(client, final, "2025-11-20").status_code == 303
    db.session.expire_all()
    p = db.session.get(Proposal, p.id)
    assert p.final_report_on == date(2025, 11, 20)

    # Completing on a 2025 day, after the final report's: no longer refused.
    lifecycle.fire(world.finance, p.id, T.COMPLETE, effective_on=date(2025, 12, 1))
    assert status_on(world, p, date(2025, 12, 31)) == "Completed"

    narratives = annual_section.narratives(world.secretariat, world.programme.id, 2025)
    assert narratives[p.id].startswith("Final words on 2025.")
    # As at 31 October 2025, the progress report was the latest accepted.
    as_at = reports.accepted_narratives(None, None, 2025, accepted_by=date(2025, 10, 31))
    assert as_at[p.id].text.startswith("Workshops held in 2025.")
    # The section as a user downloads it.
    answer = client.get(
        f"/reports/annual-section.pdf?programme_id={world.programme.id}&year=2025&scope=board"
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)[:2000]
    text = _plain(answer.data)
    assert "Final words on 2025." in text
    assert "No progress report on 2025 had been accepted by 31 December 2025" not in text


def test_a_completion_before_a_final_report_accepted_today_says_where_its_day_comes_from(
    world,
) -> None:
    p = started(world)
    final = submitted(world, p, ReportKind.FINAL)
    reports.decide_report(world.secretariat, final.id, RT.ACCEPT)  # blank: today
    with pytest.raises(Invalid) as refused:
        lifecycle.fire(world.finance, p.id, T.COMPLETE, effective_on=date(2025, 12, 1))
    (message,) = refused.value.fields["effective_on"]
    assert "cannot be before its final report, of " in message
    assert lifecycle_dates.FINAL_REPORT in message
    assert "“Accepted on”" in message and "“Final report received”" in message
    db.session.rollback()
    assert db.session.get(Proposal, p.id).status == S.ONGOING
