"""Pages kept while the records are unchanged (`prb.web.kept`): the finance dashboard and the
portfolio overview. What is kept is one viewer's, for one address, on one day; any change to
the records, the next day, another viewer or another query works it out afresh."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from prb.models import utcnow
from prb.services import finance
from prb.web.kept import Kept, kept
from tests import factories
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
