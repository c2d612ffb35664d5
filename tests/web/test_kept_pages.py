"""Pages kept while the records are unchanged (`prb.web.kept`): the finance dashboard and the
portfolio overview. What is kept is one viewer's, for one address, on one day; any change to
the records, the next day, another viewer or another query works it out afresh."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from prb.extensions import db
from prb.models import utcnow
from prb.services import finance
from prb.web.kept import Kept, kept
from tests import factories
from tests.board_helpers import closing_in_a_minute, item_under_review, meeting
from tests.conftest import sign_in
from workflows import ProposalState

S = ProposalState
DAYS_LEFT = re.compile(r'<td class="num">(-?\d+)</td>\n\s*<td>')


def view(client, url: str) -> str:  # type: ignore[no-untyped-def]
    answer = client.get(url)
    assert answer.status_code == 200, url
    return answer.get_data(as_text=True)


def ongoing(world):  # type: ignore[no-untyped-def]
    return factories.project(
        world,
        code="UNCCT-PRJ-0042",
        budget=Decimal("100000.00"),
        status=S.ONGOING,
        start=utcnow().date() - timedelta(days=30),
    )


def test_the_finance_dashboard_is_each_viewers_own(app, world) -> None:
    ongoing(world)
    finance_staff, member = app.test_client(), app.test_client()
    sign_in(finance_staff, world.finance)
    sign_in(member, world.board_undp)
    for _ in range(2):  # in turn, nothing written between the views
        assert "UNCCT-PRJ-0042" in view(finance_staff, "/finance/")
        # A board member sees the totals, not the projects' rows.
        shown = view(member, "/finance/")
        assert "UNCCT-PRJ-0042" not in shown and "Totals per programme" in shown


def test_the_finance_dashboard_counts_from_the_day_it_is_viewed(app, client, world, monkeypatch):
    ongoing(world)
    sign_in(client, world.finance)
    today = [int(days) for days in DAYS_LEFT.findall(view(client, "/finance/"))]
    tomorrow = utcnow() + timedelta(days=1)
    for module in ("prb.web.kept", "prb.services.finance_dashboard"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: tomorrow)
    later = [int(days) for days in DAYS_LEFT.findall(view(client, "/finance/"))]
    assert today and later == [days - 1 for days in today]


def test_the_finance_dashboard_shows_a_new_entry_on_the_next_view(app, client, world) -> None:
    project = ongoing(world)
    sign_in(client, world.finance)
    assert "USD 25,000.00" not in view(client, "/finance/")
    finance.record_entry(
        world.finance,
        project.id,
        finance.EntryInput("commitment", Decimal("25000.00"), utcnow().date(), reference="T"),
    )
    assert "USD 25,000.00" in view(client, "/finance/")


def test_the_overview_is_kept_per_query_with_its_title_and_status(app, client, world) -> None:
    ongoing(world)
    sign_in(client, world.board_undp)
    year = utcnow().year
    for _ in range(2):
        this_year = view(client, f"/reports/portfolio?year={year}")
        assert f"<title>Overview of {year} seed projects" in this_year
        assert "UNCCT-PRJ-0042" in this_year
        earlier = view(client, f"/reports/portfolio?year={year - 5}")
        assert f"{year - 5}" in earlier.split("</title>")[0] and "UNCCT-PRJ-0042" not in earlier
        refused = client.get(f"/reports/portfolio?year={year}&as_at=31/02/2018")
        assert refused.status_code == 422
        assert "The as-at date was not used" in refused.get_data(as_text=True)
        # A year that cannot be used is said so too (found exploring: it was ignored).
        for bad, message in (("abc", "Enter a year, for example 2018."), ("1899", "1990")):
            unused = client.get(f"/reports/portfolio?year={bad}")
            assert unused.status_code == 422, bad
            text = unused.get_data(as_text=True)
            assert "The year was not used" in text and message in text, bad
            assert f"The overview below is for {year}." in text
            assert f"year={bad}" not in text  # the download links leave it out


def test_what_working_out_a_page_flashed_is_flashed_on_every_view(app, client, world) -> None:
    made = []

    def render() -> Kept:
        from flask import flash

        made.append(1)
        flash("Some filters were not understood and were ignored.", "warning")
        return Kept("<p>the page</p>")

    app.add_url_rule("/kept-test", "kept_test", lambda: str(kept("test", render).body))
    app.add_url_rule(
        "/kept-test/shown",
        "kept_test_shown",
        lambda: repr(__import__("flask").get_flashed_messages(with_categories=True)),
    )
    sign_in(client, world.finance)
    view(client, "/kept-test/shown")  # "Signed in as …"
    for _ in range(2):
        assert view(client, "/kept-test") == "<p>the page</p>"
        shown = view(client, "/kept-test/shown")
        assert shown == repr([("warning", "Some filters were not understood and were ignored.")])
    assert len(made) == 1  # worked out once, flashed twice


def test_a_proposals_actions_follow_its_call_closing_with_no_change_to_the_records(
    app, client, world, monkeypatch
) -> None:
    draft = factories.proposal(world)
    closing = utcnow() + timedelta(minutes=1)  # within the day, which the key holds
    world.call.closes_at = closing
    db.session.commit()
    sign_in(client, world.chair_a)
    submit = f'action="/proposals/{draft.id}/actions/submit"'
    assert submit in view(client, f"/proposals/{draft.id}")
    assert submit in view(client, f"/proposals/{draft.id}")  # kept, until the call closes
    later = closing + timedelta(seconds=1)
    for module in ("prb.web.kept", "prb.web.proposals", "prb.services.lifecycle"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: later)
    closed = view(client, f"/proposals/{draft.id}")
    assert submit not in closed and "Not possible yet" in closed


def test_a_proposals_page_is_each_viewers_own(app, world) -> None:
    project = ongoing(world)
    chair, secretariat = app.test_client(), app.test_client()
    sign_in(chair, world.chair_a)
    sign_in(secretariat, world.secretariat)
    carry = "Carry over to a later call or programme"
    for _ in range(2):
        assert "How its duration reads in reports" not in view(chair, f"/proposals/{project.id}")
        shown = view(secretariat, f"/proposals/{project.id}")
        assert "How its duration reads in reports" in shown and carry not in shown


def test_the_list_warns_of_a_filter_not_understood_on_every_view(app, client, world) -> None:
    sign_in(client, world.secretariat)
    view(client, "/proposals/")  # "Signed in as …"
    for _ in range(2):
        shown = view(client, "/proposals/?year=twenty")
        assert shown.count("Some filters were not understood and were ignored.") == 1
    assert "Some filters were not understood" not in view(client, "/proposals/")


def test_an_item_leaves_the_awaiting_list_when_its_deadline_passes(
    app, client, world, monkeypatch
) -> None:
    item = closing_in_a_minute(world, "PRB/2018/11")
    sign_in(client, world.board_undp)
    listed = f"#item-{item.id}"
    assert listed in view(client, "/") and listed in view(client, "/")
    later = item.meeting.deadline + timedelta(seconds=1)
    for module in ("prb.web.kept", "prb.services.board.queries"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: later)
    shown = view(client, "/")
    assert listed not in shown and "Nothing is waiting for your vote." in shown


def test_the_dashboard_is_each_viewers_own(app, world) -> None:
    item = item_under_review(world, meeting(world))
    member, chair = app.test_client(), app.test_client()
    sign_in(member, world.board_undp)
    sign_in(chair, world.chair_a)
    for _ in range(2):
        assert f"#item-{item.id}" in view(member, "/")
        shown = view(chair, "/")
        assert f"#item-{item.id}" not in shown and "Welcome, " + world.chair_a.name in shown
    assert app.test_client().get("/").status_code == 302  # signed out: to the sign-in page
