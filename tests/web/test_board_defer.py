"""Deferring an item the Board did not decide (found running a year from an empty database):
an extension whose additional funds the envelope cannot take had votes, so it could be
neither closed (422) nor withdrawn (409), and the meeting's minutes could never be final.
The secretariat defers it with the Board's reason; the votes stay on record, the request
stays under review for a later agenda, and the minutes say why."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord, Decision, ExtensionRequest, Vote, utcnow
from prb.services import board, extensions
from prb.services.errors import NotAllowed
from tests import factories
from tests.board_helpers import meeting
from tests.conftest import sign_in
from workflows import ExtensionState, ItemState, ProposalState

S = ProposalState
D = Decimal


def extension_beyond_the_envelope(world):  # type: ignore[no-untyped-def]
    """A running project using all but USD 0.00 of the envelope, asking USD 0.01 more."""
    project = factories.project(
        world,
        status=S.ONGOING,
        code="UNCCT-2017-73-a",
        start=date(2018, 1, 1),
        months=12,
        budget=world.programme.envelope,
    )
    ext = extensions.request_extension(
        world.chair_a, project.id, extensions.ExtensionInput(1, None, D("0.01"), "Translation")
    )
    extensions.review_extension(world.finance, ext.id, "Fine")
    m = meeting(world)
    item = board.add_extension_to_agenda(world.secretariat, m.id, ext.id)
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "approve")
    return m, item, ext


def pdf_text(content: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
    return " ".join(done.stdout.decode().split())


def test_an_item_the_envelope_cannot_take_is_deferred_not_stuck(client, world) -> None:
    m, item, ext = extension_beyond_the_envelope(world)
    sign_in(client, world.secretariat)
    closed = client.post(f"/board/items/{item.id}/close", data={"conditions": ""})
    assert closed.status_code == 422 and "would exceed the envelope" in closed.text
    withdrawn = client.post(f"/board/items/{item.id}/withdraw", data={"reason": "No money"})
    assert withdrawn.status_code == 409 and "defer it to a later meeting" in withdrawn.text
    page = client.get(f"/board/meetings/{m.id}").text
    assert f'action="/board/items/{item.id}/defer"' in page

    # a reason is required, and nothing changes without one
    refused = client.post(f"/board/items/{item.id}/defer", data={"reason": "  "})
    assert refused.status_code == 422
    db.session.expire_all()
    assert item.status == ItemState.OPEN

    reason = "Envelope exhausted: to be taken up once the administrator raises it"
    deferred = client.post(f"/board/items/{item.id}/defer", data={"reason": reason})
    assert deferred.status_code == 303
    db.session.expire_all()
    assert item.status == ItemState.DEFERRED and item.outcome_note == reason
    assert item.closed_by_id == world.secretariat.id
    assert db.session.get(ExtensionRequest, ext.id).status == ExtensionState.UNDER_REVIEW
    assert db.session.scalar(select(func.count(Decision.id))) == 0
    assert db.session.scalar(select(func.count(Vote.id)).where(Vote.item_id == item.id)) == 2
    assert db.session.scalar(
        select(func.count(AuditRecord.id)).where(AuditRecord.event == "item_deferred")
    )
    again = client.post(f"/board/items/{item.id}/defer", data={"reason": reason})
    assert again.status_code == 409 and "already closed" in again.text

    # the minutes can be made final now, and say why the Board deferred it
    body = pdf_text(client.get(f"/board/meetings/{m.id}/minutes/draft.pdf").data)
    assert "Deferred" in body and "Envelope exhausted" in body
    # its record, as a decided item's: the tally, who was recused and why, the votes
    assert "2 approve, 0 revision, 0 reject, 0 abstain; 2 of 2 eligible voted; 1 recused" in body
    assert f"{world.board_cted.name} (CTED): CTED is the lead entity" in body
    assert f"{world.board_undp.name} (UNDP): Approve" in body
    # and the request may go on a later agenda
    later = meeting(world, number="PRB/2018/04")
    assert board.add_extension_to_agenda(world.secretariat, later.id, ext.id).is_open


def test_only_the_secretariat_defers(client, world) -> None:
    _, item, _ = extension_beyond_the_envelope(world)
    for who in (world.board_chair, world.finance, world.chair_a):
        sign_in(client, who)
        answer = client.post(f"/board/items/{item.id}/defer", data={"reason": "Mine to defer"})
        assert answer.status_code == 403, who.email
        client.post("/logout")
        # the service itself refuses, whatever page calls it
        with pytest.raises(NotAllowed):
            board.defer_item(who, item.id, "Mine to defer")
    db.session.expire_all()
    assert item.status == ItemState.OPEN


def test_no_agenda_form_once_a_written_procedure_is_past_its_deadline(client, world) -> None:
    # Adding an item is refused then (409): the form is not offered (found in the browser).
    procedure = meeting(world, written=True, number="PRB/2018/09")
    sign_in(client, world.secretariat)
    agenda_action = 'id="add-title"'  # the "Add to the agenda" panel
    assert agenda_action in client.get(f"/board/meetings/{procedure.id}").text
    procedure.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert agenda_action not in client.get(f"/board/meetings/{procedure.id}").text


def test_reopening_a_forms_address_leads_back_to_its_page(client, world) -> None:
    # After a refused post the address bar keeps the form's address; reopening it (Enter, a
    # bookmark) answered 405. It now leads back to the page the form is on.
    m, item, _ = extension_beyond_the_envelope(world)
    sign_in(client, world.secretariat)
    assert client.post(f"/board/items/{item.id}/close", data={}).status_code == 422
    again = client.get(f"/board/items/{item.id}/close")
    assert again.status_code == 303 and again.location == f"/board/meetings/{m.id}"
    assert client.get(f"/board/meetings/{m.id}/agenda").location == f"/board/meetings/{m.id}"
    project = item.proposal_id
    for posted, page in [
        (f"/proposals/{project}/extensions", f"/proposals/{project}/finance"),
        (f"/proposals/{project}/finance/entries", f"/proposals/{project}/finance"),
        (f"/proposals/{project}/actions/cancel", f"/proposals/{project}"),
    ]:
        answer = client.get(posted)
        assert (answer.status_code, answer.location) == (303, page), posted
    assert client.get("/board/items/999999/close").status_code == 405  # no such item
    assert client.get("/logout").status_code == 405  # no page to go back to


def test_the_board_list_says_which_meetings_were_cancelled(client, world) -> None:
    kept = meeting(world, number="PRB/2018/10")
    dropped = meeting(world, number="PRB/2018/11")
    board.cancel_meeting(world.secretariat, dropped.id, "The venue closed")
    sign_in(client, world.board_undp)
    page = " ".join(client.get("/board/").text.split())
    assert f'{dropped.number}</a> <span class="status">cancelled</span>' in page
    assert f"{kept.number}</a></td>" in page


def test_no_vote_on_a_proposal_its_chair_withdrew_from_the_agenda(client, world) -> None:
    # The votes were taken, counted for nothing, and the item read as still being decided.
    from prb.services import lifecycle
    from tests.board_helpers import item_under_review

    item = item_under_review(world)
    board.cast_vote(world.board_chair, item.id, "approve")
    lifecycle.fire(world.chair_a, item.proposal_id, "withdraw", comment="No longer needed")
    sign_in(client, world.board_undp)
    refused = client.post(f"/board/items/{item.id}/vote", data={"choice": "approve"})
    assert refused.status_code == 409 and "nothing left to vote on" in refused.text
    assert db.session.scalar(select(func.count(Vote.id)).where(Vote.item_id == item.id)) == 1


def test_an_extension_of_a_project_ended_since_is_not_offered_nor_reviewed(client, world) -> None:
    # Completed (or cancelled) with its request still open: the agenda offered it, finance
    # could review it, and the Board voted on what it could no longer decide.
    from prb.services.errors import Conflict

    project = factories.project(
        world, status=S.ONGOING, code="UNCCT-2017-73-a", start=date(2018, 1, 1), months=12
    )
    ext = extensions.request_extension(
        world.chair_a, project.id, extensions.ExtensionInput(2, None, None, "Translation")
    )
    extensions.review_extension(world.finance, ext.id, "Fine")
    m = meeting(world)
    assert ext.id in [i for i, _ in board.extension_choices(utcnow().date())]
    project.status = S.COMPLETED
    db.session.commit()
    assert ext.id not in [i for i, _ in board.extension_choices(utcnow().date())]
    with pytest.raises(Conflict, match="no longer the Board's to decide"):
        board.add_extension_to_agenda(world.secretariat, m.id, ext.id)
    with pytest.raises(Conflict):
        extensions.review_extension(world.finance, ext.id, "Again")
