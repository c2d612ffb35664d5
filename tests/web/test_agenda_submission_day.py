"""A meeting entered after the fact cannot have considered what reached PRB after its day:
a proposal submitted (or an extension requested) since is neither offered for its agenda nor
taken onto it (409, nothing added). Found exploring a 2025 catch-up: proposals submitted in
December 2026 were decided at a meeting of June 2025, and the 2025 annual section counted
them as 2025 work."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AgendaItem, ExtensionRequest, utcnow
from prb.services import board
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
