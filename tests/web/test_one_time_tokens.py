"""One-time form tokens are required (issue 13 §6): a form that creates a record, sent
without its token, is refused and writes nothing, so leaving the field out cannot replay it.
Callers outside a web request (CLI, demo) have no form and pass none."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from secrets import token_hex

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import (
    BoardRules,
    Entity,
    EnvelopeChange,
    FundingProgramme,
    LedgerEntry,
    Meeting,
    MinutesVersion,
    Proposal,
    ReportingNote,
    ResultsOutput,
    User,
    WorkingGroup,
)
from prb.services import finance
from prb.services.errors import Conflict
from prb.services.once import spend
from tests import factories
from tests.conftest import sign_in
from tests.reference_helpers import administrator
from tests.web.test_admin import user_form
from tests.web.test_minutes import decided_meeting
from tests.web.test_reference import programme_form
from workflows import ProposalState


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count(model.id))) or 0


def test_a_proposal_sent_without_its_token_is_refused_and_not_replayed(client, world) -> None:
    client.auto_once = False
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
    client.auto_once = False
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


# -- every form that creates a record carries a token ---------------------------------------
# Each case: who posts, where, a valid form, and the record it creates. Sent twice with the
# same token it creates one record (the second is a 409); sent without a token, none.


def _admin(world):  # type: ignore[no-untyped-def]
    return administrator(world)


def _note_case(world):  # type: ignore[no-untyped-def]
    p = factories.project(world, status=ProposalState.ONGOING, start=date(2018, 1, 1), months=12)
    url = f"/proposals/{p.id}/reporting-notes"
    return world.secretariat, url, {"effective_on": "2018-06-01", "duration_note": "extended"}


CASES = {
    "entity": (
        lambda w: (_admin(w), "/admin/entities/new", {"code": "WCO", "name": "World Customs"}),
        Entity,
    ),
    "working group": (
        lambda w: (_admin(w), "/admin/groups/new", {"name": "Borders", "short_name": "BRD"}),
        WorkingGroup,
    ),
    "programme": (
        lambda w: (_admin(w), "/admin/programmes/new", programme_form()),
        FundingProgramme,
    ),
    "results output": (
        lambda w: (_admin(w), f"/admin/programmes/{w.programme.id}/outputs", {"label": "O 9.1"}),
        ResultsOutput,
    ),
    "envelope change": (
        lambda w: (
            _admin(w),
            f"/admin/programmes/{w.programme.id}/envelope",
            {"effective_on": "2018-06-01", "amount": "9000000.00", "reason": "Top-up"},
        ),
        EnvelopeChange,
    ),
    "rules version": (
        lambda w: (
            _admin(w),
            "/board/rules",
            {"effective_from": "2019-01-01", "quorum": "2/3", "written_procedure_days": "10"},
        ),
        BoardRules,
    ),
    "user": (lambda w: (_admin(w), "/admin/users/new", user_form(w)), User),
    "meeting": (
        lambda w: (
            w.secretariat,
            "/board/meetings/new",
            {
                "number": "PRB/2018/07",
                "kind": "meeting",
                "held_on": "2018-02-15",
                "recorded_after": "y",
                "place": "NY",
            },
        ),
        Meeting,
    ),
    "reporting note": (_note_case, ReportingNote),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_form_sent_twice_creates_one_record_and_one_without_token_none(
    client, world, case
) -> None:
    setup, model = CASES[case]
    user, url, data = setup(world)
    before = _count(model)
    sign_in(client, user)
    client.auto_once = False
    missing = client.post(url, data=data)
    assert missing.status_code == 409, case
    assert "without its one-time token" in missing.get_data(as_text=True)
    assert _count(model) == before, case
    once = token_hex(8)
    first = client.post(url, data={**data, "once": once})
    assert first.status_code in (200, 302, 303), (case, first.status_code)
    assert _count(model) == before + 1, case
    again = client.post(url, data={**data, "once": once})
    page = again.get_data(as_text=True)
    # A replay is a conflict, even where the service checks the fields (a meeting's
    # number, which the first submission took) before its transaction.
    assert again.status_code == 409, case
    assert "already submitted" in page, case
    assert f'value="{once}"' not in page, case  # shown again with a fresh token
    assert _count(model) == before + 1, case
