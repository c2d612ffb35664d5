"""The minutes' annex lists the files the Board had: an item's snapshot records its
proposal's (an extension item: the request's) current files when it is placed and when it
closes; a file added afterwards is not in it; minutes without files have no annex."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from prb.extensions import db
from prb.models import AgendaItemSnapshot, OwnerKind, SnapshotStage
from prb.services import attachments, board
from prb.services.files.checks import MB
from prb.services.files.storage import LocalFileStore
from tests import file_samples as f
from tests.conftest import sign_in
from tests.web.test_minutes import decided_meeting, pdf_text


@pytest.fixture
def store(tmp_path: Path) -> LocalFileStore:
    return LocalFileStore(tmp_path / "files")


def attach(actor, kind, owner_id, store, name, data, **kw):  # type: ignore[no-untyped-def]
    return attachments.add_attachment(
        actor, kind, owner_id, filename=name, data=data, store=store, max_size=MB, **kw
    )


def snapshot_files(item_id: int, stage: SnapshotStage) -> list[dict[str, object]] | None:
    return db.session.scalar(
        select(AgendaItemSnapshot.attachments).where(
            AgendaItemSnapshot.item_id == item_id, AgendaItemSnapshot.stage == stage
        )
    )


def test_the_annex_lists_what_the_board_had(client, world, store, monkeypatch) -> None:
    from tests import factories
    from tests.board_helpers import meeting
    from workflows import ProposalState

    m = meeting(world)
    p = factories.proposal(world, status=ProposalState.UNDER_REVIEW, title="With files")
    first = attach(world.chair_a, OwnerKind.PROPOSAL, p.id, store, "budget.xlsx", f.XLSX)
    attach(
        world.chair_a,
        OwnerKind.PROPOSAL,
        p.id,
        store,
        "budget v2.xlsx",
        f.XLSX + b"\0",
        supersedes_id=first.id,
    )
    attach(world.chair_a, OwnerKind.PROPOSAL, p.id, store, "Lettre — Genève.pdf", f.PDF)
    item = board.add_to_agenda(world.secretariat, m.id, p.id)
    placed = snapshot_files(item.id, SnapshotStage.PLACED)
    assert [a["name"] for a in placed or []] == ["budget v2.xlsx", "Lettre — Genève.pdf"]
    assert placed[1] == {  # type: ignore[index]
        "name": "Lettre — Genève.pdf",
        "sha256": hashlib.sha256(f.PDF).hexdigest(),
        "size": len(f.PDF),
    }
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "approve")
    board.close_item(world.secretariat, item.id)
    # A file added after the item closed is not what the Board had.
    attach(world.secretariat, OwnerKind.PROPOSAL, p.id, store, "afterwards.pdf", f.PDF + b"%\n")
    closed = snapshot_files(item.id, SnapshotStage.CLOSED)
    assert [a["name"] for a in closed or []] == ["budget v2.xlsx", "Lettre — Genève.pdf"]
    sign_in(client, world.board_undp)
    body = pdf_text(client.get(f"/board/meetings/{m.id}/minutes/draft.pdf").data)
    annex = body[body.index("Annex: documents before the") :]
    assert "budget v2.xlsx" in annex and "Lettre — Genève.pdf" in annex
    assert "afterwards.pdf" not in body and "budget.xlsx" not in body


def test_an_extension_items_snapshot_keeps_the_requests_files(world, store) -> None:
    from datetime import date

    from prb.services import extensions
    from tests import factories
    from tests.board_helpers import meeting
    from workflows import ProposalState

    running = factories.project(
        world, status=ProposalState.ONGOING, code="UNCCT-2017-73-j", start=date(2018, 1, 1)
    )
    attach(world.chair_a, OwnerKind.PROPOSAL, running.id, store, "project.pdf", f.PDF)
    ext = extensions.request_extension(
        world.chair_a, running.id, extensions.ExtensionInput(4, None, None, "Translation")
    )
    attach(world.chair_a, OwnerKind.EXTENSION, ext.id, store, "workplan.odt", f.ODT)
    extensions.review_extension(world.finance, ext.id, "Fine")
    item = board.add_extension_to_agenda(world.secretariat, meeting(world).id, ext.id)
    placed = snapshot_files(item.id, SnapshotStage.PLACED)
    assert [a["name"] for a in placed or []] == ["workplan.odt"]


def test_minutes_without_files_have_no_annex(client, world) -> None:
    m = decided_meeting(world)
    assert all(snapshot_files(i.id, SnapshotStage.CLOSED) == [] for i in m.items)
    sign_in(client, world.board_undp)
    body = pdf_text(client.get(f"/board/meetings/{m.id}/minutes/draft.pdf").data)
    assert "Annex" not in body


def test_old_snapshots_without_the_key_render_as_before(world, store) -> None:
    """A snapshot taken before files were kept has NULL (migration 0015 adds the column
    empty): it reads as "no list", and the minutes print no annex for it."""
    from prb.services.board.snapshots import COPIED, _from_snapshot

    m = decided_meeting(world)
    item = m.items[0]
    kept = item.snapshots[0]
    old = AgendaItemSnapshot(
        stage=kept.stage,
        closing_record=kept.closing_record,
        reconstructed=kept.reconstructed,
        taken_at=kept.taken_at,
        **{name: getattr(kept, name) for name in COPIED},
    )
    assert old.attachments is None
    assert _from_snapshot(old, item.proposal).attachments is None
