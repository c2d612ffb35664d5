"""The meeting page and the minutes' PDF show what the Board considered and the record as
it stood at closing (issue 12 §1, §3)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from prb.extensions import db
from prb.models import AgendaItem, AgendaItemSnapshot, SnapshotStage
from prb.services.calendar import utc_time
from tests import factories
from tests.board_helpers import meeting
from tests.conftest import sign_in
from tests.snapshot_helpers import (
    revised_after_meeting,
    two_meetings,
    written_procedure_closed_by_last_vote,
)
from tests.web.test_minutes import pdf_text
from workflows import ItemState, ProposalState


def draft_text(client, m) -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"/board/meetings/{m.id}/minutes/draft.pdf")
    assert response.status_code == 200
    return pdf_text(response.data)


def test_meeting_page_and_minutes_keep_the_budget_considered_after_a_revision(
    client, world
) -> None:
    m, _ = revised_after_meeting(world)
    sign_in(client, world.secretariat)
    page = client.get(f"/board/meetings/{m.id}").get_data(as_text=True)
    assert "requested USD 150,000.00" in page and "USD 20,000.00" not in page
    assert "Biometrics, revised" not in page
    text = draft_text(client, m)
    assert "USD 150,000.00 for 12 months" in text and "20,000" not in text
    # The proposal page's decision says what was considered; its details say what is now.
    shown = client.get(f"/proposals/{m.items[0].proposal_id}").get_data(as_text=True)
    assert "As considered: Biometrics, requested USD 150,000.00" in shown


def test_an_earlier_meetings_minutes_keep_their_envelope(client, world) -> None:
    first, later = two_meetings(world)
    sign_in(client, world.secretariat)
    text = draft_text(client, first)
    assert "USD 1,356,000.00 USD 150,000.00 USD 1,206,000.00" in text
    assert "USD 1,356,000.00 USD 250,000.00 USD 1,106,000.00" in draft_text(client, later)


def test_written_procedure_minutes_print_the_actual_closing_and_the_recused(client, world) -> None:
    m, item = written_procedure_closed_by_last_vote(world)
    sign_in(client, world.secretariat)
    text = draft_text(client, m)
    assert f"Voting closed {utc_time(item.closed_at)}" in text
    assert utc_time(m.deadline) not in text
    # Who took part is told item by item (a member recused from one item may have skipped
    # another); the meeting's summary says who voted on some item and who on none.
    assert f"Voted on no item: {world.board_cted.name} (CTED; recused from an item)." in text
    voted = text.split("Voted on at least one item:")[1].split(".")[0]
    assert world.board_cted.name not in voted and world.board_undp.name in voted
    assert "Did not vote none" in text  # the item: every eligible member voted


def test_a_disabled_members_vote_is_still_shown_after_closing(client, world) -> None:
    first, _ = two_meetings(world)
    world.board_undp.active = False
    db.session.commit()
    sign_in(client, world.secretariat)
    page = client.get(f"/board/meetings/{first.id}").get_data(as_text=True)
    assert f"{world.board_undp.name} (UNDP)</td><td>Approve" in page
    assert "2 approve, 0 revision, 0 reject, 0 abstain; 2 of 2 eligible voted" in page
    text = draft_text(client, first)
    assert f"{world.board_undp.name} (UNDP): Approve" in text


def test_a_reconstructed_snapshot_is_marked_as_such(client, world) -> None:
    """An item placed before snapshots were kept (migration 0010 rebuilt its copy)."""
    m = meeting(world)
    p = factories.proposal(world, status=ProposalState.UNDER_REVIEW, title="Live title")
    item = AgendaItem(meeting=m, proposal=p, position=1, status=ItemState.OPEN)
    db.session.add(item)
    db.session.flush()
    db.session.add(
        AgendaItemSnapshot(
            item=item,
            stage=SnapshotStage.PLACED,
            taken_at=datetime(2026, 11, 29, 15, 0, tzinfo=UTC),
            reconstructed=True,
            title="Title as rebuilt",
            working_group=world.group_a.name,
            lead_entity="CTED",
            implementing_entities=[],
            requested_budget=Decimal("150000.00"),
            duration_months=12,
        )
    )
    db.session.commit()
    sign_in(client, world.secretariat)
    page = client.get(f"/board/meetings/{m.id}").get_data(as_text=True)
    assert "Title as rebuilt" in page and "Live title" not in page
    assert "reconstructed from the records on 29 November 2026" in page
    text = draft_text(client, m)
    assert "Reconstructed from the records on 29 November 2026" in text
