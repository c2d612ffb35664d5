"""A cancellation or completion recorded after the fact keeps the day it took effect: the
overview as at a date, the history and the envelope read that day, the history says when it
was recorded; a day in the future or before what the record already dates is refused (422,
beside the field, what was typed shown again, nothing saved)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord, Proposal, utcnow
from prb.services import board, finance, lifecycle, lifecycle_dates, portfolio
from prb.services.errors import Invalid
from prb.services.portfolio.envelope import envelope_as_at
from tests.conftest import sign_in
from tests.unit.test_board_data import past_meeting
from tests.unit.test_finance import accept_final_report
from tests.unit.test_minutes_envelope_as_at import admin, placed
from workflows import ProposalState as S
from workflows import ProposalTrigger as T

D = Decimal
APPROVED_ON, COMMITTED_ON = date(2025, 2, 10), date(2025, 3, 1)


def approved_and_initiated(world) -> Proposal:  # type: ignore[no-untyped-def]
    """Through the services: approved by a meeting of 10 February 2025 entered today, funds
    committed with value date 1 March 2025, marked initiated today."""
    board.ensure_rules(admin(world), covering=date(2024, 1, 1))
    m = past_meeting(world, APPROVED_ON, "PRB/2025/01")
    item = placed(world, m, "100000.00", "Support to victims of terrorism")
    board.close_item(world.secretariat, item.id, board.Terms(D("100000.00"), 12, COMMITTED_ON))
    p = item.proposal
    finance.record_entry(
        world.finance, p.id, finance.EntryInput("commitment", D("100000.00"), COMMITTED_ON)
    )
    lifecycle.fire(world.finance, p.id, T.INITIATE)
    assert p.status == S.INITIATED
    return p


def status_on(world, p: Proposal, day: date) -> str | None:  # type: ignore[no-untyped-def]
    data = portfolio.overview(world.board_undp, None, day.year, as_at=day)
    return {r.code: r.status for r in data.rows}.get(p.project_code)


def audit_rows() -> int:
    return db.session.scalar(select(func.count(AuditRecord.id))) or 0


def cancel(client, p: Proposal, day: str, comment: str = "Partner withdrew"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/proposals/{p.id}/actions/cancel",
        data={"comment": comment, "expected_status": S.INITIATED, "effective_on": day},
    )


def test_a_cancellation_dated_in_the_past_is_what_the_overview_shows(client, world) -> None:
    p = approved_and_initiated(world)
    sign_in(client, world.secretariat)
    before = audit_rows()
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert audit_rows() == before  # a GET writes nothing
    assert 'name="effective_on"' in page and 'id="effective-cancel"' in page
    # The initiation took the commitment's day; the approval the meeting's.
    assert '1 March 2025</time> <span class="muted">(recorded' in page
    assert '10 February 2025</time> <span class="muted">(recorded' in page

    response = cancel(client, p, "2025-06-30")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert p.status == S.CANCELLED
    row = db.session.scalars(select(AuditRecord).where(AuditRecord.to_state == S.CANCELLED)).one()
    assert row.effective_on == date(2025, 6, 30) and row.at.date() == utcnow().date()

    assert status_on(world, p, date(2025, 7, 31)) == "Cancelled"
    assert status_on(world, p, date(2025, 5, 31)) == "Initiated"
    # The envelope: the whole budget until the cancellation's day, then what was paid.
    assert envelope_as_at(world.programme, date(2025, 6, 29)).used == D("100000.00")
    assert envelope_as_at(world.programme, date(2025, 6, 30)).used == D("0.00")

    html = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    history = html.split('id="history-title"', 1)[1]
    assert '<time datetime="2025-06-30">30 June 2025</time> <span class="muted">(recorded' in (
        history
    )
    assert "Initiated → Cancelled" in history and "Nadia Haddad" in history


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2999-01-01", "Enter a date between"),
        ("2025-02-30", "Enter a real date"),
        ("tomorrow", "Enter a real date"),
        # The latest day the record dates names the first day it may take.
        ("2025-02-01", "cannot be before its initiation on 1 March 2025"),
        ("2025-02-20", "cannot be before its initiation on 1 March 2025"),
    ],
)
def test_a_day_it_cannot_have_taken_effect_is_refused_beside_the_field(
    client, world, typed: str, message: str
) -> None:
    p = approved_and_initiated(world)
    sign_in(client, world.secretariat)
    before, used = audit_rows(), finance.envelope(world.programme).used
    response = cancel(client, p, typed, comment="Typed reason")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field = html.split('id="effective-cancel"', 1)[1]
    assert f'value="{typed}"' in field.split(">", 1)[0]  # what was typed, shown again
    assert 'aria-invalid="true"' in field.split(">", 1)[0]
    assert message in field.split("</p>", 1)[0]  # beside the field
    assert ">Typed reason</textarea>" in html
    db.session.expire_all()
    assert p.status == S.INITIATED and audit_rows() == before
    assert finance.envelope(world.programme).used == used


def test_a_day_in_the_future_is_refused(client, world) -> None:
    p = approved_and_initiated(world)
    sign_in(client, world.secretariat)
    tomorrow = date.fromordinal(utcnow().date().toordinal() + 1).isoformat()
    response = cancel(client, p, tomorrow)
    assert response.status_code == 422
    assert "cannot be in the future" in response.get_data(as_text=True)
    db.session.expire_all()
    assert p.status == S.INITIATED


def test_who_may_not_cancel_is_refused_before_the_date_is_read(client, world) -> None:
    p = approved_and_initiated(world)
    sign_in(client, world.finance)
    # Whatever the date: one in the future, one before the approval, one that cannot be read
    # (the form could not parse it; who may act is still judged first).
    for day in ("2999-12-31", "2025-01-01", "31/12/2025"):
        assert cancel(client, p, day).status_code == 403, day
    secretariat = client.application.test_client()
    sign_in(secretariat, world.secretariat)
    assert cancel(secretariat, p, "31/12/2025").status_code == 422  # hers: the date is judged
    db.session.expire_all()
    assert p.status == S.INITIATED


def test_the_form_carries_a_csrf_token_and_a_post_without_it_is_refused(app, client, world) -> None:
    p = approved_and_initiated(world)
    sign_in(client, world.secretariat)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    form = page.split(f'action="/proposals/{p.id}/actions/cancel"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrf_token"' in form
    assert cancel(client, p, "2025-06-30").status_code == 400
    db.session.expire_all()
    assert p.status == S.INITIATED


def test_not_before_its_approval(world) -> None:
    board.ensure_rules(admin(world), covering=date(2024, 1, 1))
    item = placed(world, past_meeting(world, APPROVED_ON, "PRB/2025/01"), "5000.00", "Small")
    board.close_item(world.secretariat, item.id, board.Terms(D("5000.00"), 6, COMMITTED_ON))
    with pytest.raises(Invalid) as refused:
        lifecycle.fire(
            world.secretariat,
            item.proposal_id,
            T.CANCEL,
            comment="x",
            effective_on=date(2025, 2, 9),
        )
    assert refused.value.fields["effective_on"] == [
        "The effective date cannot be before its approval on 10 February 2025."
    ]
    db.session.rollback()
    lifecycle.fire(
        world.secretariat, item.proposal_id, T.CANCEL, comment="x", effective_on=APPROVED_ON
    )
    assert db.session.get(Proposal, item.proposal_id).status == S.CANCELLED


def test_blank_is_today_and_an_action_without_a_date_takes_none(world) -> None:
    p = approved_and_initiated(world)
    finance.record_entry(
        world.finance, p.id, finance.EntryInput("disbursement", D("1000.00"), COMMITTED_ON, "T")
    )
    finance.record_project_dates(
        world.finance, p.id, finance.ProjectDates(COMMITTED_ON, None, None)
    )
    with pytest.raises(Invalid) as refused:
        lifecycle.fire(world.finance, p.id, T.START, effective_on=date(2025, 4, 1))
    assert "takes effect the day it is recorded" in refused.value.fields["effective_on"][0]
    db.session.rollback()
    lifecycle.fire(world.secretariat, p.id, T.CANCEL, comment="Stopped")
    row = db.session.scalars(select(AuditRecord).where(AuditRecord.to_state == S.CANCELLED)).one()
    assert row.effective_on == utcnow().date()


def test_a_completion_is_not_dated_before_its_final_report(world) -> None:
    p = approved_and_initiated(world)
    for kind, amount, day in (
        ("disbursement", "100000.00", date(2025, 3, 15)),
        ("return", "10000.00", date(2025, 9, 1)),
    ):
        finance.record_entry(world.finance, p.id, finance.EntryInput(kind, D(amount), day, "T"))
    finance.record_project_dates(
        world.finance, p.id, finance.ProjectDates(date(2025, 3, 15), None, None)
    )
    lifecycle.fire(world.finance, p.id, T.START)
    accept_final_report(world, p, "90000.00", "10000.00")
    finance.record_project_dates(
        world.finance,
        p.id,
        finance.ProjectDates(date(2025, 3, 15), date(2025, 9, 15), D("90000.00")),
    )
    with pytest.raises(Invalid) as refused:
        lifecycle.fire(world.finance, p.id, T.COMPLETE, effective_on=date(2025, 9, 10))
    assert refused.value.fields["effective_on"] == [
        "The effective date cannot be before its final report, of 15 September 2025. "
        + lifecycle_dates.FINAL_REPORT
    ]
    db.session.rollback()
    assert db.session.get(Proposal, p.id).status == S.ONGOING
    lifecycle.fire(world.finance, p.id, T.COMPLETE, effective_on=date(2025, 9, 30))
    assert status_on(world, p, date(2025, 9, 29)) == "Ongoing"
    assert status_on(world, p, date(2025, 10, 31)) == "Completed"
