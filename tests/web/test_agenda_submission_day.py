"""A meeting entered after the fact cannot have considered what reached PRB after its day:
a proposal submitted (or an extension requested) since is neither offered for its agenda nor
taken onto it (409, nothing added). Found exploring a 2025 catch-up: proposals submitted in
December 2026 were decided at a meeting of June 2025, and the 2025 annual section counted
them as 2025 work."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from prb.extensions import db
from prb.models import AgendaItem, ExtensionRequest, utcnow
from prb.services import board
from prb.services.board.agenda import arrived_after
from prb.services.errors import Conflict
from tests import factories
from tests.conftest import sign_in
from workflows import ExtensionState, ProposalState

S = ProposalState


def _past_meeting(world, held_on: date):  # type: ignore[no-untyped-def]
    return board.schedule_meeting(
        world.secretariat,
        board.MeetingInput("PRB/2026/01", "meeting", held_on, "New York", recorded_after=True),
    )


def _items() -> int:
    return int(db.session.scalar(select(func.count(AgendaItem.id))) or 0)


def test_a_proposal_submitted_after_the_meetings_day_is_refused(client, world) -> None:
    today = utcnow().date()
    held_on = today - timedelta(days=30)
    m = _past_meeting(world, held_on)
    before = factories.proposal(
        world,
        status=S.UNDER_REVIEW,
        title="Submitted before the meeting",
        submitted_at=datetime.combine(held_on, datetime.min.time(), tzinfo=UTC)
        + timedelta(hours=23, minutes=59),
    )
    since = factories.proposal(
        world, status=S.UNDER_REVIEW, title="Submitted since", submitted_at=utcnow()
    )
    sign_in(client, world.secretariat)
    page = client.get(f"/board/meetings/{m.id}").get_data(as_text=True)
    choices = page.split('name="proposal_id"')[1].split("</select>")[0]
    assert "Submitted before the meeting" in choices and "Submitted since" not in choices

    refused = client.post(f"/board/meetings/{m.id}/agenda", data={"proposal_id": since.id})
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert f"after PRB/2026/01 of {held_on.day} {held_on:%B %Y}" in text
    assert "comes in by Import" in text
    assert _items() == 0

    taken = client.post(f"/board/meetings/{m.id}/agenda", data={"proposal_id": before.id})
    assert taken.status_code == 303 and _items() == 1


def test_an_extension_requested_after_the_meetings_day_is_refused(world) -> None:
    held_on = utcnow().date() - timedelta(days=10)
    m = _past_meeting(world, held_on)
    project = factories.project(
        world, status=S.ONGOING, code="UNCCT-2018-01", start=date(2018, 1, 1), months=12
    )
    request = ExtensionRequest(
        proposal_id=project.id,
        status=ExtensionState.REQUESTED,
        months=3,
        period_start=date(2019, 1, 1),
        new_end=date(2019, 3, 31),
        justification="Elections delayed the workshops.",
        requested_by_id=world.chair_a.id,
        finance_review="Funds suffice.",
        additional_funds=Decimal("0.00"),
    )
    db.session.add(request)
    db.session.commit()
    assert request.id not in [i for i, _ in board.extension_choices(held_on)]
    assert request.id in [i for i, _ in board.extension_choices(utcnow().date())]
    with pytest.raises(Conflict, match=r"This extension was requested on .* cannot have"):
        board.add_extension_to_agenda(world.secretariat, m.id, request.id)
    assert _items() == 0
    assert db.session.get(ExtensionRequest, request.id).status == ExtensionState.REQUESTED


def test_a_meeting_is_not_corrected_to_a_day_before_its_items_arrived(client, world) -> None:
    held_on = utcnow().date() - timedelta(days=5)
    m = _past_meeting(world, held_on)
    submitted = utcnow() - timedelta(days=10)
    proposal = factories.proposal(world, status=S.UNDER_REVIEW, submitted_at=submitted)
    board.add_to_agenda(world.secretariat, m.id, proposal.id)
    sign_in(client, world.secretariat)
    form = {
        "correct-number": m.number,
        "correct-held_on": (submitted.date() - timedelta(days=1)).isoformat(),
        "correct-place": m.place,
        "correct-chair_id": str(m.chair_id),
    }
    refused = client.post(f"/board/meetings/{m.id}/correct", data=form)
    assert refused.status_code == 422
    assert (
        f"Item 1 was submitted on {submitted.day} {submitted:%B %Y}: the meeting cannot have "
        "considered it before." in refused.get_data(as_text=True)
    )
    db.session.expire_all()
    assert m.held_on == held_on
    form["correct-held_on"] = submitted.date().isoformat()  # the day it came: possible
    assert client.post(f"/board/meetings/{m.id}/correct", data=form).status_code == 303


def _reviewed_extension(  # type: ignore[no-untyped-def]
    world, code: str, requested_at: datetime
) -> ExtensionRequest:
    project = factories.project(
        world, status=S.ONGOING, code=code, start=date(2018, 1, 1), months=12
    )
    request = ExtensionRequest(
        proposal_id=project.id,
        status=ExtensionState.REQUESTED,
        months=3,
        period_start=date(2019, 1, 1),
        new_end=date(2019, 3, 31),
        justification="Elections delayed the workshops.",
        requested_by_id=world.chair_a.id,
        requested_at=requested_at,
        finance_review="Funds suffice.",
        additional_funds=Decimal("0.00"),
    )
    db.session.add(request)
    db.session.commit()
    return request


def test_the_first_item_in_agenda_order_that_arrived_later_is_named(world) -> None:
    today = utcnow().date()
    m = _past_meeting(world, today - timedelta(days=5))
    noon = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    early = factories.proposal(world, status=S.UNDER_REVIEW, submitted_at=noon - timedelta(days=20))
    board.add_to_agenda(world.secretariat, m.id, early.id)
    request = _reviewed_extension(world, "UNCCT-2018-02", noon - timedelta(days=8))
    board.add_extension_to_agenda(world.secretariat, m.id, request.id)
    latest = factories.proposal(world, status=S.UNDER_REVIEW, submitted_at=noon - timedelta(days=7))
    board.add_to_agenda(world.secretariat, m.id, latest.id)

    def named(days_before: int) -> str | None:
        return arrived_after(m, today - timedelta(days=days_before))

    requested, submitted = today - timedelta(days=8), today - timedelta(days=7)
    # Items 2 and 3 came after: item 2 is named, though item 3 came last.
    assert named(9) == (
        f"Item 2 was requested on {requested.day} {requested:%B %Y}: the meeting cannot have "
        "considered it before."
    )
    assert named(8) == (  # the day a request came is no later than it
        f"Item 3 was submitted on {submitted.day} {submitted:%B %Y}: the meeting cannot have "
        "considered it before."
    )
    assert named(7) is None
    assert (named(21) or "").startswith("Item 1 was submitted on")


def test_a_dates_check_costs_the_same_statements_however_long_the_agenda(
    app, client, world
) -> None:
    today = utcnow().date()
    submitted = utcnow() - timedelta(days=10)
    forms = []
    for n in (1, 4):
        m = board.schedule_meeting(
            world.secretariat,
            board.MeetingInput(
                f"PRB/2026/1{n}",
                "meeting",
                today - timedelta(days=5),
                "Vienna",
                recorded_after=True,
            ),
        )
        for _ in range(n):
            p = factories.proposal(world, status=S.UNDER_REVIEW, submitted_at=submitted)
            board.add_to_agenda(world.secretariat, m.id, p.id)
        form = {
            "correct-number": m.number,
            "correct-held_on": (submitted.date() - timedelta(days=1)).isoformat(),
            "correct-place": m.place,
            "correct-chair_id": str(m.chair_id),
        }
        forms.append((m.id, form))
    db.session.commit()
    sign_in(client, world.secretariat)
    db.session.expunge_all()  # as a request's own session starts: none of the test's objects
    app.extensions.get("prb.stamped", {}).clear()

    def statements(meeting_id: int, form: dict[str, str]) -> int:
        seen: list[str] = []

        def note(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
            # SQLite's BEGIN is sent as a statement (psycopg's is not): not a query.
            if not statement.startswith("BEGIN"):
                seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", note)
        try:
            refused = client.post(f"/board/meetings/{meeting_id}/correct", data=form)
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        assert refused.status_code == 422
        assert "Item 1 was submitted on" in refused.get_data(as_text=True)
        return len(seen)

    one, four = (statements(meeting_id, form) for meeting_id, form in forms)
    assert four == one
