"""One-time form tokens are required (issue 13 §6): a form that creates a record, sent
without its token, is refused and writes nothing, so leaving the field out cannot replay it.
Callers outside a web request (CLI, demo) have no form and pass none."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import LedgerEntry, MinutesVersion, Proposal
from prb.services import finance
from prb.services.errors import Conflict
from prb.services.once import spend
from tests import factories
from tests.conftest import sign_in
from tests.web.test_minutes import decided_meeting
from workflows import ProposalState


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count(model.id))) or 0


def test_a_proposal_sent_without_its_token_is_refused_and_not_replayed(client, world) -> None:
    sign_in(client, world.chair_a)
    data = {
        "programme_id": world.programme.id,
        "working_group_id": world.group_a.id,
        "title": "No token",
        "scope": "Global",
        "save": "x",
    }
    for _ in range(3):
        response = client.post("/proposals/new", data=data)
        assert response.status_code == 409
        page = response.get_data(as_text=True)
        assert "sent without its one-time token, so nothing was done" in page
    assert _count(Proposal) == 0
    # the page shown again carries a fresh token, so submitting it once more works
    assert 'name="once" type="hidden" value="' in page
    token = page.split('name="once" type="hidden" value="')[1].split('"')[0]
    assert token
    assert client.post("/proposals/new", data={**data, "once": token}).status_code == 302
    assert _count(Proposal) == 1


@pytest.mark.parametrize("once", [None, ""])
def test_a_disbursement_sent_without_its_token_is_refused_and_not_replayed(
    client, world, once
) -> None:
    p = factories.project(world, status=ProposalState.ONGOING, budget=Decimal("1000.00"))
    sign_in(client, world.finance)
    data = {"kind": "commitment", "amount": "100.00", "value_date": date(2018, 3, 1).isoformat()}
    if once is not None:
        data["once"] = once
    for _ in range(3):
        response = client.post(f"/proposals/{p.id}/finance/entries", data=data)
        assert response.status_code == 409
        assert "without its one-time token" in response.get_data(as_text=True)
    assert _count(LedgerEntry) == 0


def test_minutes_sent_with_an_empty_body_are_refused(client, world) -> None:
    m = decided_meeting(world)
    sign_in(client, world.secretariat)
    response = client.post(f"/board/meetings/{m.id}/minutes")
    assert response.status_code == 409
    assert "without its one-time token" in response.get_data(as_text=True)
    assert _count(MinutesVersion) == 0


def test_only_a_caller_outside_a_web_request_may_pass_no_token(app, world) -> None:
    p = factories.project(world, status=ProposalState.ONGOING, budget=Decimal("1000.00"))
    entry = finance.EntryInput(
        kind="commitment", amount=Decimal("10.00"), value_date=date(2018, 3, 1)
    )
    finance.record_entry(world.finance, p.id, entry)  # the CLI's and the demo's way
    assert _count(LedgerEntry) == 1
    with app.test_request_context("/", method="POST"):
        with pytest.raises(Conflict, match="one-time token"):
            spend(None, world.finance, "ledger entry")
        with pytest.raises(Conflict, match="one-time token"):
            spend("", world.finance, "ledger entry")


def test_a_post_with_an_empty_body_carries_no_token(app) -> None:
    """Flask-WTF gives a form no data at all for an empty POST: that is no token either,
    not a form being shown (which draws a fresh one)."""
    from prb.web.forms import EntryForm

    with app.test_request_context("/", method="POST"):
        assert EntryForm().once.data == ""
    with app.test_request_context("/", method="GET"):
        assert len(EntryForm().once.data) >= 32
