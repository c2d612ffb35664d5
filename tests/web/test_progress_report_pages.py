"""The reports' pages: the schedule on the project's page, the chair's form, the
secretariat's accept / send back, the chair's resubmission; per-record access and codes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import ProgressReport
from tests import factories
from tests.conftest import sign_in
from workflows import ProposalState, ReportState, ReportTrigger

S = ProposalState
FORM = {
    "activities": "Two <b>regional</b> workshops held.",
    "results": "Output 4.2: guidelines drafted.",
    "challenges": "Visa delays.",
    "next_steps": "Publish.",
    "spent_to_date": "12500.00",
}


def running(world, **extra):  # type: ignore[no-untyped-def]
    fields = {
        "status": S.ONGOING,
        "actual_start": date(2018, 1, 1),
        "code": "UNCCT-2017-73-a",
        **extra,
    }
    return factories.project(world, **fields)


def test_the_chair_submits_from_the_project_page_and_the_secretariat_decides(client, world) -> None:
    p = running(world)
    sign_in(client, world.chair_a)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "Progress and final reports" in page
    assert "Progress report 1" in page and "1 July 2018" in page and "Overdue" in page
    url = f"/proposals/{p.id}/reports/progress/2018-07-01"
    assert url in page
    form = client.get(url)
    assert form.status_code == 200 and "Unspent balance" not in form.get_data(as_text=True)
    bad = client.post(url, data={**FORM, "activities": "", "once": "t1"})
    assert bad.status_code == 422 and "Describe this part" in bad.get_data(as_text=True)
    assert not db.session.scalar(select(func.count(ProgressReport.id)))
    response = client.post(url, data={**FORM, "once": "t2"})
    assert response.status_code == 303
    report = db.session.scalars(select(ProgressReport)).one()
    assert report.spent_to_date == Decimal("12500.00") and report.status == ReportState.SUBMITTED
    shown = client.get(f"/progress-reports/{report.id}").get_data(as_text=True)
    assert "&lt;b&gt;regional&lt;/b&gt;" in shown and "<b>regional" not in shown
    assert "Accept" not in shown  # a chair does not accept
    assert client.post(f"/progress-reports/{report.id}/accept").status_code == 403
    assert client.post(url, data={**FORM, "once": "t3"}).status_code == 409

    client.post("/logout")
    sign_in(client, world.secretariat)
    waiting = client.get("/").get_data(as_text=True)
    assert "Reports to accept or send back" in waiting
    assert f'href="/progress-reports/{report.id}"' in waiting
    assert "Accept" in client.get(f"/progress-reports/{report.id}").get_data(as_text=True)
    no_reason = client.post(f"/progress-reports/{report.id}/return", data={"reason": " "})
    assert no_reason.status_code == 422
    sent_back = client.post(
        f"/progress-reports/{report.id}/return",
        data={"reason": "Give the results by output.", "expected_status": "submitted"},
    )
    assert sent_back.status_code == 303
    db.session.refresh(report)
    assert report.status == ReportState.RETURNED

    client.post("/logout")
    sign_in(client, world.chair_a)
    again = client.get(f"/progress-reports/{report.id}/resubmit")
    assert again.status_code == 200 and "Give the results by output." in again.get_data(
        as_text=True
    )
    done = client.post(
        f"/progress-reports/{report.id}/resubmit",
        data={**FORM, "spent_to_date": "13000", "expected_status": "returned"},
    )
    assert done.status_code == 303
    db.session.refresh(report)
    assert report.status == ReportState.SUBMITTED and report.spent_to_date == Decimal("13000.00")

    client.post("/logout")
    sign_in(client, world.secretariat)
    accepted = client.post(
        f"/progress-reports/{report.id}/accept", data={"expected_status": "submitted"}
    )
    assert accepted.status_code == 303
    # The page seen before the accept is stale now: a second click is a 409, not a 500.
    stale = client.post(
        f"/progress-reports/{report.id}/accept", data={"expected_status": "submitted"}
    )
    assert stale.status_code == 409
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "Accepted" in page


def test_more_spent_than_the_approved_budget_is_refused(client, world) -> None:
    # Found running a year: USD 300,000 "spent" of a USD 250,000.99 budget was taken.
    p = running(world, budget=Decimal("250000.99"))
    sign_in(client, world.chair_a)
    url = f"/proposals/{p.id}/reports/progress/2018-07-01"
    refused = client.post(url, data={**FORM, "spent_to_date": "300000.00", "once": "t1"})
    assert refused.status_code == 422
    assert "more than the project&#39;s approved budget (USD 250,000.99)" in refused.text
    assert not db.session.scalar(select(func.count(ProgressReport.id)))
    whole = client.post(url, data={**FORM, "spent_to_date": "250000.99", "once": "t2"})
    assert whole.status_code == 303  # all of it, to the cent, is possible


def test_a_chair_of_another_group_gets_404(client, world) -> None:
    p = running(world)
    sign_in(client, world.chair_a)
    client.post(f"/proposals/{p.id}/reports/progress/2018-07-01", data={**FORM, "once": "t"})
    report = db.session.scalars(select(ProgressReport)).one()
    client.post("/logout")
    sign_in(client, world.chair_b)
    assert client.get(f"/progress-reports/{report.id}").status_code == 404
    assert client.get(f"/proposals/{p.id}/reports/progress/2018-07-01").status_code == 404
    assert client.get(f"/progress-reports/{report.id}/resubmit").status_code == 404
    client.post("/logout")
    # Two roles: she sees the project (board member) but does not chair its group.
    sign_in(client, world.chair_b_board)
    assert client.get(f"/progress-reports/{report.id}").status_code == 200
    assert client.get(f"/proposals/{p.id}/reports/progress/2018-07-02").status_code == 403
    assert client.get(f"/progress-reports/{report.id}/resubmit").status_code in (302, 403)


def test_slots_that_are_not_due_are_404(client, world) -> None:
    p = running(world)
    sign_in(client, world.chair_a)
    for url in (
        f"/proposals/{p.id}/reports/progress/2018-07-02",
        f"/proposals/{p.id}/reports/progress/not-a-date",
        f"/proposals/{p.id}/reports/interim/2018-07-01",
    ):
        assert client.get(url).status_code == 404, url
    final = client.get(f"/proposals/{p.id}/reports/final/2019-03-31")
    assert final.status_code == 200 and "Unspent balance" in final.get_data(as_text=True)


def test_dashboards_flag_overdue_reports_with_a_count_and_links(client, world) -> None:
    a = running(world)
    running(world, code="UNCCT-2017-73-b", group=world.group_b)
    expectations = {
        world.chair_a: ["UNCCT-2017-73-a"],
        world.chair_b: ["UNCCT-2017-73-b"],
        world.chair_b_board: ["UNCCT-2017-73-b"],  # her own groups', not the portfolio's
        world.secretariat: ["UNCCT-2017-73-a", "UNCCT-2017-73-b"],
        world.finance: ["UNCCT-2017-73-a", "UNCCT-2017-73-b"],
        world.board_undp: [],
    }
    for user, codes in expectations.items():
        sign_in(client, user)
        page = client.get("/").get_data(as_text=True)
        if codes:
            # Both projects owe progress report 1 (1 July 2018) and the final report
            # (31 March 2019): each overdue today.
            assert f"Overdue reports: {2 * len(codes)}" in page, user.email
            for code in ("UNCCT-2017-73-a", "UNCCT-2017-73-b"):
                assert (code in page) == (code in codes), (user.email, code)
        else:
            assert "Overdue reports" not in page
        client.post("/logout")
    assert f'href="/proposals/{a.id}#reports"' in _page_of(client, world.chair_a)


def test_the_kept_overdue_lists_are_per_viewer_and_follow_the_records(app, world) -> None:
    """The dashboards' overdue lists are kept between requests: never one person's list for
    another who sees other projects, and never after a report is accepted."""
    from prb.services import progress_reports
    from tests.unit.test_progress_reports import submit

    a = running(world)
    running(world, code="UNCCT-2017-73-b", group=world.group_b)
    clients = {
        user: app.test_client() for user in (world.secretariat, world.chair_a, world.chair_b)
    }
    for user, client in clients.items():
        sign_in(client, user)  # (a sign-in is recorded: all sign-ins before the pages)

    def count(user) -> str:  # type: ignore[no-untyped-def]
        page = clients[user].get("/").get_data(as_text=True)
        return page.split("Overdue reports: ")[1].split("<")[0]

    assert [count(u) for u in clients] == ["4", "2", "2"]
    assert "UNCCT-2017-73-b" not in clients[world.chair_a].get("/").get_data(as_text=True)
    report = submit(world, a)
    progress_reports.decide_report(world.secretariat, report.id, ReportTrigger.ACCEPT)
    assert [count(u) for u in clients] == ["3", "1", "2"]


def test_a_long_overdue_list_shows_the_oldest_twenty_and_the_count(client, world) -> None:
    for letter in "abcdefghijk":  # eleven projects, two reports overdue each
        running(world, code=f"UNCCT-2017-73-{letter}")
    page = _page_of(client, world.secretariat)
    panel = page.split('id="overdue-reports"')[1].split("</section>")[0]
    assert "Overdue reports: 22" in panel and panel.count("<tr><td>") == 20
    assert "The 20 longest overdue are listed" in panel


def _page_of(client, user) -> str:  # type: ignore[no-untyped-def]
    sign_in(client, user)
    return client.get("/").get_data(as_text=True)


def test_the_programme_sets_the_schedule(client, world) -> None:
    admin = factories.administrator(world)
    sign_in(client, admin)
    url = f"/admin/programmes/{world.programme.id}/edit"
    form = client.get(url)
    assert form.status_code == 200, url
    page = form.get_data(as_text=True)
    assert "Progress report every (months)" in page and 'value="6"' in page
    data = {
        "code": world.programme.code,
        "title": world.programme.title,
        "start_year": "2017",
        "end_year": "2018",
        "code_style": "lower",
        "code_first_letter": "a",
        "open_for_proposals": "y",
        "progress_report_months": "0",
        "final_report_months": "13",
    }
    refused = client.post(url, data=data)
    assert refused.status_code == 422
    assert "A progress report is due every 1 to 24 months." in refused.get_data(as_text=True)
    assert "The final report is due 0 to 12 months." in refused.get_data(as_text=True)
    saved = client.post(
        url, data={**data, "progress_report_months": "3", "final_report_months": "1"}
    )
    assert saved.status_code in (302, 303)
    db.session.refresh(world.programme)
    assert (world.programme.progress_report_months, world.programme.final_report_months) == (3, 1)
    client.post("/logout")
    p = running(world)
    sign_in(client, world.chair_a)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    # Quarterly from 1 January 2018, the final one month after 31 December 2018.
    assert "Progress report 3" in page and "31 January 2019" in page
