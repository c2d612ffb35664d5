"""The portfolio overview as at a date: statuses and periods reconstructed from the dated
record (decisions, commitments, start dates, extensions, completions), on both databases."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

from prb.extensions import db
from prb.models import AgendaItem, AuditRecord, Decision, ExtensionRequest, utcnow
from prb.services import finance, portfolio
from tests import factories
from tests.board_helpers import meeting
from tests.conftest import sign_in
from tests.csv_helpers import csv_text
from tests.web.test_minutes import pdf_text
from tests.web.test_query_counts import counting
from workflows import ExtensionState, ItemState, VoteChoice
from workflows import ProposalState as S

EXTENDED, LATE, DONE = "UNCCT-2017-73-a", "UNCCT-2019-02-79-D", "UNCCT-2016-10"


def _decided(world, p, on: date, position: int) -> None:  # type: ignore[no-untyped-def]
    """A Board decision approving `p`, dated `on` (the meeting's date, not the clock)."""
    item = AgendaItem(
        meeting=world._meeting, proposal=p, position=position, status=ItemState.DECIDED
    )
    db.session.add(item)
    db.session.flush()
    db.session.add(
        Decision(
            item=item,
            proposal_id=p.id,
            outcome=VoteChoice.APPROVE,
            votes_for=3,
            votes_against=0,
            votes_revision=0,
            votes_abstain=0,
            eligible=3,
            recused=0,
            decided_on=on,
        )
    )
    db.session.commit()


def _commit(world, p, on: date) -> None:  # type: ignore[no-untyped-def]
    finance.record_entry(
        world.finance, p.id, finance.EntryInput("commitment", Decimal("50000.00"), on)
    )


def build(world):  # type: ignore[no-untyped-def]
    """Three projects whose statuses today are not what they were in 2018. Their
    `approved_at` is today's clock (as PRB stamps it): only the decision dates count."""
    world._meeting = meeting(world, number="PRB/2018/01")
    now = utcnow()
    extended = factories.project(
        world, status=S.ONGOING, code=EXTENDED, start=date(2018, 1, 1), months=12,
        actual_start=date(2018, 2, 1), title="Border Management",
    )  # fmt: skip
    late = factories.project(
        world, status=S.APPROVED, code=LATE, start=date(2019, 3, 1), months=15,
        group=world.group_b, title="Technology and Security",
    )  # fmt: skip
    done = factories.project(
        world, status=S.ONGOING, code=DONE, start=date(2017, 4, 1), months=12,
        actual_start=date(2017, 4, 1), title="Finished early",
    )  # fmt: skip
    _decided(world, extended, date(2018, 1, 16), 1)
    _decided(world, late, date(2018, 12, 11), 2)
    _decided(world, done, date(2017, 3, 1), 3)
    _commit(world, extended, date(2018, 1, 25))
    _commit(world, late, date(2019, 1, 15))
    _commit(world, done, date(2017, 3, 10))
    request = ExtensionRequest(
        proposal_id=extended.id,
        status=ExtensionState.APPROVED,
        months=4,
        period_start=date(2019, 1, 1),
        new_end=date(2019, 4, 30),
        justification="Elections delayed the workshops.",
        requested_by_id=world.chair_a.id,
    )
    db.session.add(request)
    db.session.add(
        AuditRecord(
            at=datetime(2018, 5, 2, 9, 0, tzinfo=UTC),
            actor=world.secretariat,
            actor_role="secretariat",
            event="complete",
            proposal_id=done.id,
            from_state=S.ONGOING,
            to_state=S.COMPLETED,
        )
    )
    for p in (extended, late, done):
        p.approved_at = now
    extended.status, extended.current_end = S.EXTENDED, date(2019, 4, 30)
    late.status = S.INITIATED
    done.status, done.final_report_on = S.COMPLETED, date(2018, 9, 1)
    db.session.commit()
    return extended, late, done


def statuses(data: portfolio.Overview) -> dict[str, str]:
    return {r.code: r.status for r in data.rows}


def test_statuses_and_periods_are_those_of_the_as_at_date(app, world) -> None:
    build(world)
    end_2018 = portfolio.overview(world.board_undp, None, 2018)
    assert end_2018.as_at == date(2018, 12, 31)
    assert end_2018.title == "Overview of 2018 seed projects, as at 31 December 2018"
    assert statuses(end_2018) == {EXTENDED: "Ongoing", DONE: "Completed"}
    row = next(r for r in end_2018.rows if r.code == EXTENDED)
    assert row.duration == "12 months"  # the original period: no extension in force yet
    mid_2019 = portfolio.overview(world.board_undp, None, 2018, as_at=date(2019, 6, 30))
    assert statuses(mid_2019)[EXTENDED] == "Extended"
    row = next(r for r in mid_2019.rows if r.code == EXTENDED)
    assert row.duration.startswith("16 months (1 January 2018–30 April 2019")
    assert DONE not in statuses(portfolio.overview(world.board_undp, None, 2019))


def test_approved_in_2018_and_committed_in_2019_is_listed_apart(app, world) -> None:
    build(world)
    end_2018 = portfolio.overview(world.board_undp, None, 2018)
    assert LATE not in statuses(end_2018)
    assert [(r.code, r.status) for r in end_2018.pending] == [(LATE, "Approved")]
    end_2019 = portfolio.overview(world.board_undp, None, 2019, as_at=date(2019, 12, 31))
    assert statuses(end_2019)[LATE] == "Initiated" and not end_2019.pending
    before_2018 = portfolio.overview(world.board_undp, None, 2018, as_at=date(2018, 12, 10))
    assert not before_2018.pending  # the Board decided on 11 December


def test_a_later_change_leaves_the_2018_overview_as_it_was(app, world) -> None:
    extended, late, _ = build(world)
    before = portfolio.overview(world.board_undp, None, 2018)
    finance.record_entry(
        world.finance,
        extended.id,
        finance.EntryInput("disbursement", Decimal("10000.00"), utcnow().date()),
    )
    _commit(world, late, date(2019, 2, 1))
    after = portfolio.overview(world.board_undp, None, 2018)
    assert statuses(after) == statuses(before)
    assert [r.duration for r in after.rows] == [r.duration for r in before.rows]
    assert [r.code for r in after.pending] == [LATE]


def test_page_csv_and_pdf_agree(client, world) -> None:
    build(world)
    sign_in(client, world.board_undp)
    query = "year=2018&as_at=2019-06-30"
    page = client.get(f"/reports/portfolio?{query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Overview of 2018 seed projects, as at 30 June 2019" in html
    # LATE was first committed in January 2019: never initiated in 2018, no longer pending.
    assert "Approved, not yet initiated" not in html and LATE not in html
    exported = client.get(f"/reports/portfolio.csv?{query}")
    assert 'prb-portfolio-2018-as-at-2019-06-30.csv"' in exported.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(csv_text(exported))))
    assert {r["code"]: r["status"] for r in rows} == {EXTENDED: "Extended", DONE: "Completed"}
    body = pdf_text(client.get(f"/reports/portfolio.pdf?{query}").data)
    assert "as at 30 June 2019" in body
    for r in rows:
        assert f"<td>{r['status']}</td>" in html and r["code"] in html
        assert r["code"] in body and r["status"] in body
    # The end of 2018: the pending project in its own table, everywhere.
    html = client.get("/reports/portfolio?year=2018").get_data(as_text=True)
    pending_table = html.split("Approved, not yet initiated", 1)[1]
    assert LATE in pending_table and EXTENDED not in pending_table
    rows = list(
        csv.DictReader(io.StringIO(csv_text(client.get("/reports/portfolio.csv?year=2018"))))
    )
    assert [(r["code"], r["status"]) for r in rows][-1] == (LATE, "Approved")
    body = pdf_text(client.get("/reports/portfolio.pdf?year=2018").data)
    assert "Approved, not yet initiated" in body and body.index(LATE) > body.index("not yet")


def test_the_as_at_date_is_validated(client, world) -> None:
    build(world)
    sign_in(client, world.board_undp)
    for query, message in (
        ("as_at=2018-02-30", "Enter a real date"),
        ("as_at=yesterday", "Enter a real date"),
        ("year=2018&as_at=2017-12-31", "The as-at date is before 2018"),
        ("year=2018&as_at=2099-01-01", "The as-at date cannot be in the future"),
        ("year=2018&as_at=2999-01-01", "Enter a date between 1990 and 2100"),
    ):
        page = client.get(f"/reports/portfolio?{query}")
        assert page.status_code == 422, query
        assert message in page.get_data(as_text=True), query
        for export in ("csv", "pdf"):
            refused = client.get(f"/reports/portfolio.{export}?{query}")
            assert refused.status_code == 422, (export, query)
    html = client.get("/reports/portfolio?year=2018&as_at=2017-12-31").get_data(as_text=True)
    assert "as at 31 December 2018" in html  # the default date, said so


def test_a_fixed_number_of_queries_whatever_the_number_of_projects(app, world) -> None:
    build(world)

    def statements() -> int:
        db.session.expire_all()
        with counting() as seen:
            portfolio.overview(world.board_undp, None, 2018)
        return len(seen)

    few = statements()
    for i in range(12):
        p = factories.project(world, status=S.ONGOING, code=f"UNCCT-2018-X{i}")
        _commit(world, p, date(2018, 3, 1))
    assert statements() == few
