from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal
from secrets import token_hex

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import Decision, ExtensionRequest, LedgerEntry, utcnow
from prb.services import board, extensions, finance
from prb.services.errors import Conflict, Invalid
from tests import factories
from tests.board_helpers import meeting
from tests.conftest import sign_in
from tests.csv_helpers import csv_of, csv_text
from workflows import ExtensionState, ProposalState

S = ProposalState
D = Decimal


def add(world, p, kind, amount, when=date(2018, 3, 1)):  # type: ignore[no-untyped-def]
    return finance.record_entry(
        world.finance, p.id, finance.EntryInput(kind, D(amount), when, reference="T")
    )


def approve_item(world, item):  # type: ignore[no-untyped-def]
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "approve")
    return board.close_item(world.secretariat, item.id)


def test_a_decision_beyond_the_envelope_is_refused_and_nothing_recorded(client, world) -> None:
    factories.project(world, budget=D("1300000.00"), code="UNCCT-2017-73-a")
    p = factories.proposal(world, status=S.UNDER_REVIEW, requested_budget=D("100000.00"))
    item = board.add_to_agenda(world.secretariat, meeting(world).id, p.id)
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "approve")
    sign_in(client, world.secretariat)
    response = client.post(
        f"/board/items/{item.id}/close",
        data={"budget": "100000.00", "duration_months": "12", "start": "2019-01-01"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "would exceed the envelope of UNCCT-2017-73 (USD 1,356,000.00) by USD 44,000.00" in page
    assert db.session.scalar(select(func.count(Decision.id))) == 0
    db.session.expire_all()
    assert p.status == S.UNDER_REVIEW and p.project_code is None and p.approved_budget is None
    assert item.is_open
    # a lower budget fits
    response = client.post(
        f"/board/items/{item.id}/close",
        data={"budget": "56000.00", "duration_months": "12", "start": "2019-01-01"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert p.status == S.APPROVED and p.approved_budget == D("56000.00")
    assert finance.envelope(world.programme).left == D("0.00")
    assert (p.period_start, p.original_end, p.current_end) == (
        date(2019, 1, 1),
        date(2019, 12, 31),
        date(2019, 12, 31),
    )


def test_extension_request_review_board_approval_and_history(client, world) -> None:
    p = factories.project(
        world,
        status=S.ONGOING,
        budget=D("150000.00"),
        code="UNCCT-2017-73-a",
        start=date(2018, 1, 1),
        months=12,
        actual_start=date(2018, 1, 1),
    )
    add(world, p, "commitment", "150000.00")
    add(world, p, "disbursement", "90000.00")
    sign_in(client, world.chair_a)
    page = client.get(f"/proposals/{p.id}/finance").get_data(as_text=True)
    assert "Request an extension" in page
    assert "Record a ledger entry" not in page  # chairs read only
    response = client.post(
        f"/proposals/{p.id}/extensions",
        data={"months": "4", "justification": "Translate the Compendium into six languages."},
    )
    assert response.status_code == 303
    ext = db.session.scalars(select(ExtensionRequest)).one()
    assert (ext.period_start, ext.new_end, ext.months) == (date(2019, 1, 1), date(2019, 4, 30), 4)
    twice = client.post(
        f"/proposals/{p.id}/extensions", data={"months": "2", "justification": "Again"}
    )
    assert twice.status_code == 409

    # finance reviews; PRB adds balance and burn rate
    client.post("/logout")
    sign_in(client, world.finance)
    response = client.post(f"/extensions/{ext.id}/review", data={"review": "Affordable."})
    assert response.status_code == 303
    db.session.expire_all()
    assert "Balance USD 60,000.00 of USD 150,000.00 approved" in ext.finance_review
    assert "burn rate USD" in ext.finance_review
    # a second review is added under the first, which stays (it replaced it)
    again = client.post(f"/extensions/{ext.id}/review", data={"review": "Still affordable."})
    assert again.status_code == 303
    db.session.expire_all()
    first, _, second = ext.finance_review.partition("Reviewed again on ")
    assert "Affordable." in first and "Still affordable." in second
    assert f"by {world.finance.name}:" in second

    # the Board decides it by written procedure
    wp = meeting(world, written=True, number="PRB/2018/09")
    item = board.add_extension_to_agenda(world.secretariat, wp.id, ext.id)
    assert ext.status == ExtensionState.UNDER_REVIEW
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "approve")  # the last vote closes it
    db.session.expire_all()
    assert ext.status == ExtensionState.APPROVED
    assert p.status == S.EXTENDED
    assert (p.original_end, p.current_end) == (date(2018, 12, 31), date(2019, 4, 30))
    decision = item.decision
    assert (decision.extension_months, decision.original_end, decision.new_end) == (
        4,
        date(2018, 12, 31),
        date(2019, 4, 30),
    )

    # finance sees the new end date; a second extension builds on it
    page = client.get("/finance/").get_data(as_text=True)
    assert "30 April 2019" in page
    second = extensions.request_extension(
        world.chair_a,
        p.id,
        extensions.ExtensionInput(None, date(2019, 6, 30), D("6000.00"), "Printing costs"),
    )
    assert (second.period_start, second.months, second.new_end) == (
        date(2019, 5, 1),
        2,
        date(2019, 6, 30),
    )
    extensions.review_extension(world.finance, second.id, "")
    item2 = board.add_extension_to_agenda(
        world.secretariat, meeting(world, number="PRB/2019/01").id, second.id
    )
    approve_item(world, item2)
    db.session.expire_all()
    assert p.current_end == date(2019, 6, 30)
    assert p.approved_budget == D("156000.00")
    page = client.get(f"/proposals/{p.id}/finance").get_data(as_text=True)
    assert "4 months from 1 January 2019 to 30 April 2019, no-cost" in page
    assert "2 months from 1 May 2019 to 30 June 2019, with additional USD 6,000.00" in page


def test_extension_input_errors(client, world) -> None:
    p = factories.project(world, status=S.ONGOING, start=date(2018, 1, 1), months=12)
    sign_in(client, world.chair_a)
    for data, message in (
        ({"justification": "x"}, "Give either the number of months or the new end date."),
        ({"months": "2", "new_end": "2019-03-31", "justification": "x"}, "Give either"),
        ({"months": "25", "justification": "x"}, "An extension lasts 1 to 24 months."),
        ({"new_end": "2018-06-30", "justification": "x"}, "must be after the current end"),
        ({"months": "2", "additional_funds": "-1", "justification": "x"}, "or 0"),
        ({"months": "2", "justification": ""}, "Explain why the extension is needed."),
    ):
        response = client.post(f"/proposals/{p.id}/extensions", data=data)
        assert response.status_code == 422, message
        assert message in response.get_data(as_text=True), message
    assert db.session.scalar(select(func.count(ExtensionRequest.id))) == 0
    not_running = factories.project(world, status=S.APPROVED)
    response = client.post(
        f"/proposals/{not_running.id}/extensions", data={"months": "2", "justification": "x"}
    )
    assert response.status_code == 409


def test_unreviewed_extension_cannot_go_on_the_agenda(world) -> None:
    p = factories.project(world, status=S.ONGOING)
    ext = extensions.request_extension(
        world.chair_a, p.id, extensions.ExtensionInput(3, None, None, "Because")
    )
    try:
        board.add_extension_to_agenda(world.secretariat, meeting(world).id, ext.id)
    except Conflict as exc:
        assert "Finance has not reviewed" in exc.message
    else:
        raise AssertionError("an unreviewed request went on the agenda")


def test_extension_funds_beyond_the_envelope_are_refused(world) -> None:
    p = factories.project(world, status=S.ONGOING, budget=D("1356000.00"))
    ext = extensions.request_extension(
        world.chair_a, p.id, extensions.ExtensionInput(3, None, D("1.00"), "More")
    )
    extensions.review_extension(world.finance, ext.id, "")
    item = board.add_extension_to_agenda(world.secretariat, meeting(world).id, ext.id)
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "approve")
    try:
        board.close_item(world.secretariat, item.id)
    except Invalid as exc:
        assert "by USD 1.00" in exc.message
    else:
        raise AssertionError("the envelope was exceeded")
    db.session.expire_all()
    assert p.status == S.ONGOING and item.is_open and ext.status == ExtensionState.UNDER_REVIEW


def test_finance_records_entries_on_the_page(client, world) -> None:
    p = factories.project(world, status=S.INITIATED, budget=D("1000.00"))
    sign_in(client, world.finance)
    response = client.post(
        f"/proposals/{p.id}/finance/entries",
        data={
            "once": token_hex(8),
            "kind": "commitment",
            "amount": "1000.00",
            "value_date": "2018-03-01",
            "reference": "OBL-1",
        },
    )
    assert response.status_code == 303
    over = client.post(
        f"/proposals/{p.id}/finance/entries",
        data={
            "once": token_hex(8),
            "kind": "disbursement",
            "amount": "1000.01",
            "value_date": "2018-03-02",
        },
    )
    assert over.status_code == 422
    page = over.get_data(as_text=True)
    assert "would exceed the USD 1,000.00 committed by USD 0.01" in page
    assert 'value="1000.01"' in page  # what was typed is kept
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 1
    assert (
        client.post(
            f"/proposals/{p.id}/finance/entries", data={"once": token_hex(8), "kind": "bogus"}
        ).status_code
        == 422
    )


def test_dashboard_totals_flags_and_csv(client, world) -> None:
    today = utcnow().date()
    a = factories.project(
        world,
        status=S.ONGOING,
        budget=D("100000.00"),
        code="UNCCT-2017-73-a",
        start=today - timedelta(days=300),
        months=11,
    )
    b = factories.project(
        world,
        status=S.ONGOING,
        budget=D("50000.00"),
        code="UNCCT-2017-73-b",
        start=today - timedelta(days=800),
        months=12,
        group=world.group_b,
    )
    c = factories.project(
        world,
        status=S.APPROVED,
        budget=D("25000.00"),
        code="UNCCT-2017-73-c",
        start=today - timedelta(days=200),
        months=24,
    )
    c.approved_at = c.approved_at.replace(year=today.year - 1)
    db.session.commit()
    add(world, a, "commitment", "100000.00", today)
    add(world, a, "disbursement", "60000.00", today)
    add(world, b, "commitment", "50000.00", today)
    add(world, b, "disbursement", "50000.00", today)
    add(world, b, "return", "2500.00", today)
    sign_in(client, world.finance)
    page = client.get("/finance/").get_data(as_text=True)
    assert "ends within 60 days" in page  # a: 11 months from 300 days ago
    assert "past end date and not completed" in page  # b
    assert "nothing disbursed 90 days after approval" in page  # c
    by_programme = finance_totals(world, "programme")
    assert by_programme == [
        (
            "UNCCT-2017-73",
            3,
            D("175000.00"),
            D("150000.00"),
            D("110000.00"),
            D("2500.00"),
            D("67500.00"),
        )
    ]
    by_group = finance_totals(world, "group")
    assert by_group == [
        (
            "Border Management and Law Enforcement",
            2,
            D("125000.00"),
            D("100000.00"),
            D("60000.00"),
            D("0.00"),
            D("65000.00"),
        ),
        (
            "Legal and Criminal Justice Responses",
            1,
            D("50000.00"),
            D("50000.00"),
            D("50000.00"),
            D("2500.00"),
            D("2500.00"),
        ),
    ]
    rows = csv_of(client.get("/finance/dashboard.csv"))
    assert [r["code"] for r in rows] == ["UNCCT-2017-73-a", "UNCCT-2017-73-b", "UNCCT-2017-73-c"]
    row_b = rows[1]
    assert (row_b["approved"], row_b["disbursed"], row_b["returned"], row_b["balance"]) == (
        "50000.00",
        "50000.00",
        "2500.00",
        "2500.00",
    )
    assert row_b["current_end"] == b.current_end.isoformat()
    assert "past end date" in row_b["flags"]
    # Excel users read the status as the page prints it, not the workflow's own name.
    assert [r["status"] for r in rows] == ["Ongoing", "Ongoing", "Approved"]
    ledger = csv_text(client.get(f"/proposals/{b.id}/finance/ledger.csv"))
    lines = list(csv.reader(io.StringIO(ledger)))
    assert lines[0][:5] == ["entry", "project_code", "kind", "amount", "date"]
    assert [line[2:5] for line in lines[1:]] == [
        ["commitment", "50000.00", today.isoformat()],
        ["disbursement", "50000.00", today.isoformat()],
        ["return", "2500.00", today.isoformat()],
    ]


def finance_totals(world, by):  # type: ignore[no-untyped-def]
    from prb.services import finance_dashboard

    return [
        (t.label, t.projects, t.approved, t.committed, t.disbursed, t.returned, t.balance)
        for t in finance_dashboard.totals(world.finance, finance_dashboard.Filter(), by)
    ]


def test_who_sees_what(client, world) -> None:
    p = factories.project(world, status=S.ONGOING, code="UNCCT-2017-73-a")
    sign_in(client, world.board_undp)
    page = client.get("/finance/").get_data(as_text=True)
    assert "Totals per programme" in page and "UNCCT-2017-73-a" not in page
    assert client.get("/finance/dashboard.csv").status_code == 403
    assert client.get(f"/proposals/{p.id}/finance").status_code == 404
    client.post("/logout")
    sign_in(client, world.chair_b)  # another group's chair
    assert client.get(f"/proposals/{p.id}/finance").status_code == 404
    assert client.get("/finance/").status_code == 403
    client.post("/logout")
    sign_in(client, world.chair_a)
    assert client.get(f"/proposals/{p.id}/finance").status_code == 200
    assert (
        client.post(
            f"/proposals/{p.id}/finance/entries",
            data={"once": token_hex(8), "kind": "commitment", "amount": "1"},
        ).status_code
        == 403
    )


def test_a_finance_page_opened_before_another_save_cannot_undo_it(client, world) -> None:
    # Two officers: A opened the page, B saved an actual start, A saved the final report
    # from her older page — B's date went back to what A's page showed, silently.
    p = factories.project(world, status=S.ONGOING, code="UNCCT-2017-73-a", start=date(2018, 1, 1))
    p.actual_start = date(2018, 1, 1)
    db.session.commit()
    sign_in(client, world.finance)
    page = client.get(f"/proposals/{p.id}/finance").text
    seen = re.search(r'name="seen" type="hidden" value="([^"]*)"', page).group(1)
    other = app_client_signed_in(client, world.finance)
    fresh = re.search(
        r'name="seen" type="hidden" value="([^"]*)"', other.get(f"/proposals/{p.id}/finance").text
    ).group(1)
    saved = other.post(
        f"/proposals/{p.id}/finance/dates", data={"actual_start": "2018-02-01", "seen": fresh}
    )
    assert saved.status_code == 303
    stale = client.post(
        f"/proposals/{p.id}/finance/dates",
        data={"actual_start": "2018-01-01", "final_report_on": "2018-12-20", "seen": seen},
    )
    assert stale.status_code == 409 and "changed since you opened the page" in stale.text
    db.session.expire_all()
    assert (p.actual_start, p.final_report_on) == (date(2018, 2, 1), None)
    # the page now shows the dates as they are: saved from it, the change goes through
    again = re.search(r'name="seen" type="hidden" value="([^"]*)"', stale.text).group(1)
    done = client.post(
        f"/proposals/{p.id}/finance/dates",
        data={"actual_start": "2018-02-01", "final_report_on": "2018-12-20", "seen": again},
    )
    assert done.status_code == 303


def app_client_signed_in(client, user):  # type: ignore[no-untyped-def]
    other = client.application.test_client()
    sign_in(other, user)
    return other


def test_a_cancelled_project_counts_for_what_it_was_paid_in_rows_and_totals(client, world) -> None:
    # After a cancellation its row kept the approved budget and a balance no one will be
    # paid, while the totals dropped the budget but kept its payments: a group's balance
    # went negative, and the rows no longer added up to the totals.
    from prb.services import finance_dashboard, lifecycle

    today = utcnow().date()
    p = factories.project(
        world,
        status=S.ONGOING,
        budget=D("150000.00"),
        code="UNCCT-2017-73-b",
        start=today - timedelta(days=100),
        months=12,
        group=world.group_b,
    )
    add(world, p, "commitment", "100000.00", today)
    add(world, p, "disbursement", "30000.00", today)
    add(world, p, "return", "5000.00", today)
    lifecycle.fire(world.secretariat, p.id, "cancel", comment="The partner withdrew")
    rows, _ = finance_dashboard.rows(world.finance, finance_dashboard.Filter())
    (row,) = [r for r in rows if r.id == p.id]
    assert (row.balances.approved, row.balances.balance) == (D("25000.00"), D("0.00"))
    (group,) = [t for t in finance_totals(world, "group") if t[0] == world.group_b.name]
    assert group[2] == D("25000.00") and group[6] == D("0.00")  # approved, balance
    (csv_row,) = [
        r
        for r in finance_dashboard.all_rows(world.finance, finance_dashboard.Filter())
        if r.proposal.id == p.id
    ]
    assert csv_row.balances.balance == D("0.00")
