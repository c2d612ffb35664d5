"""Attachments through the service, on both databases: who may read and write each kind of
record, versions kept side by side, and nothing stored — no row, no file — when an upload is
refused or its commit fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from prb.extensions import db
from prb.models import Attachment, ExtensionRequest, OwnerKind
from prb.services import attachments
from prb.services.errors import Conflict, Invalid, NotAllowed, NotFound
from prb.services.files.checks import MB
from prb.services.files.storage import LocalFileStore
from tests import factories
from tests import file_samples as f
from tests.unit.test_meeting_freeze import decided
from workflows import ExtensionState, ProposalState


@pytest.fixture
def store(tmp_path: Path) -> LocalFileStore:
    return LocalFileStore(tmp_path / "files")


def add(actor, kind, owner_id, store, name="budget.pdf", data=f.PDF, **kw):  # type: ignore[no-untyped-def]
    return attachments.add_attachment(
        actor, kind, owner_id, filename=name, data=data, store=store, max_size=20 * MB, **kw
    )


def nothing_stored(store: LocalFileStore) -> bool:
    rows = db.session.scalar(select(func.count(Attachment.id)))
    return rows == 0 and list(store.keys()) == []


def test_a_chair_attaches_and_reads_back(world, store) -> None:
    p = factories.proposal(world, status=ProposalState.SUBMITTED)
    row = add(world.chair_a, OwnerKind.PROPOSAL, p.id, store, name="Lettre — Genève.pdf")
    assert (row.filename, row.media_type, row.size) == (
        "Lettre — Genève.pdf",
        "application/pdf",
        len(f.PDF),
    )
    assert len(row.sha256) == 64 and row.storage_key in set(store.keys())
    got, data = attachments.fetch_attachment(world.secretariat, row.id, store)
    assert got.id == row.id and data == f.PDF


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("renamed.docx", f.PDF),
        ("setup.pdf", f.EXE),
        ("../../etc/passwd.pdf", f.PDF),
        ("invoice\u202efdp.pdf", f.PDF),
        ("rep\u200bort.pdf", f.PDF),
        ("bomb.docx", f.docx_bomb(30)),
        ("big.pdf", f.PDF + bytes(21 * MB)),
    ],
)
def test_refused_uploads_leave_nothing(world, store, name: str, data: bytes) -> None:
    p = factories.proposal(world)
    with pytest.raises(Invalid) as refused:
        add(world.chair_a, OwnerKind.PROPOSAL, p.id, store, name=name, data=data)
    assert refused.value.fields["file"]
    assert nothing_stored(store)


def test_a_failed_commit_removes_the_stored_file(world, store, monkeypatch) -> None:
    p = factories.proposal(world)

    def fail() -> None:
        raise DatabaseError("COMMIT", {}, Exception("disk full"))

    monkeypatch.setattr(db.session, "commit", fail)
    with pytest.raises(DatabaseError):
        add(world.chair_a, OwnerKind.PROPOSAL, p.id, store)
    monkeypatch.undo()
    assert nothing_stored(store)


def test_another_groups_chair_gets_404(world, store) -> None:
    p = factories.proposal(world, status=ProposalState.SUBMITTED)
    row = add(world.chair_a, OwnerKind.PROPOSAL, p.id, store)
    with pytest.raises(NotFound):
        attachments.fetch_attachment(world.chair_b, row.id, store)
    with pytest.raises(NotFound):
        attachments.attachments_page(world.chair_b, OwnerKind.PROPOSAL, p.id)
    with pytest.raises(NotFound):
        add(world.chair_b, OwnerKind.PROPOSAL, p.id, store, name="other.pdf")
    # The board sees a submitted proposal's files, but may not add to them.
    assert attachments.fetch_attachment(world.board_cted, row.id, store)[1] == f.PDF
    with pytest.raises(NotAllowed):
        add(world.board_cted, OwnerKind.PROPOSAL, p.id, store)
    assert [r.id for r in db.session.scalars(select(Attachment))] == [row.id]


def test_a_terminal_proposal_takes_no_files(world, store) -> None:
    p = factories.proposal(world, status=ProposalState.REJECTED)
    with pytest.raises(Conflict, match="Rejected"):
        add(world.secretariat, OwnerKind.PROPOSAL, p.id, store)
    assert nothing_stored(store)


def test_a_new_version_supersedes_and_both_are_kept(world, store) -> None:
    p = factories.proposal(world, status=ProposalState.UNDER_REVIEW)
    first = add(world.chair_a, OwnerKind.PROPOSAL, p.id, store, name="budget.xlsx", data=f.XLSX)
    second = add(
        world.secretariat,
        OwnerKind.PROPOSAL,
        p.id,
        store,
        name="budget v2.xlsx",
        data=f.XLSX + b"\0",
        supersedes_id=first.id,
    )
    other = add(world.chair_a, OwnerKind.PROPOSAL, p.id, store, name="map.png", data=f.PNG)
    page = attachments.attachments_page(world.chair_a, OwnerKind.PROPOSAL, p.id)
    assert [(v.current.id, [o.id for o in v.older]) for v in page.files] == [
        (second.id, [first.id]),
        (other.id, []),
    ]
    assert attachments.fetch_attachment(world.chair_a, first.id, store)[1] == f.XLSX
    assert len(set(store.keys())) == 3
    # A version is superseded once: a second "new version" of the first is refused.
    with pytest.raises(Conflict, match="newer version"):
        add(world.chair_a, OwnerKind.PROPOSAL, p.id, store, data=f.PDF, supersedes_id=first.id)
    # … and a file of another record cannot be superseded from here.
    q = factories.proposal(world, title="Another")
    with pytest.raises(NotFound):
        add(world.chair_a, OwnerKind.PROPOSAL, q.id, store, supersedes_id=other.id)
    assert len(set(store.keys())) == 3


def test_the_database_refuses_changing_or_deleting_a_version(world, store) -> None:
    p = factories.proposal(world)
    row = add(world.chair_a, OwnerKind.PROPOSAL, p.id, store)
    for statement in (
        f"UPDATE attachments SET filename = 'x.pdf' WHERE id = {row.id}",
        f"DELETE FROM attachments WHERE id = {row.id}",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()


def test_extension_requests_take_files_while_open(world, store) -> None:
    p = factories.project(world, status=ProposalState.ONGOING)
    from datetime import date
    from decimal import Decimal

    ext = ExtensionRequest(
        proposal_id=p.id,
        months=4,
        period_start=date(2019, 1, 1),
        new_end=date(2019, 4, 30),
        additional_funds=Decimal("0"),
        justification="Delays",
        requested_by_id=world.chair_a.id,
    )
    db.session.add(ext)
    db.session.commit()
    add(world.chair_a, OwnerKind.EXTENSION, ext.id, store, name="letter.odt", data=f.ODT)
    with pytest.raises(NotFound):
        attachments.attachments_page(world.chair_b, OwnerKind.EXTENSION, ext.id)
    with pytest.raises(NotAllowed):
        add(world.finance, OwnerKind.EXTENSION, ext.id, store)
    db.session.execute(
        text("UPDATE extension_requests SET status = :s WHERE id = :i"),
        {"s": str(ExtensionState.APPROVED), "i": ext.id},
    )
    db.session.commit()
    with pytest.raises(Conflict, match="Approved"):
        add(world.secretariat, OwnerKind.EXTENSION, ext.id, store)
    assert len(list(store.keys())) == 1


def test_meeting_files_are_the_secretariats_and_stop_at_final_minutes(world, store) -> None:
    from tests.board_helpers import meeting

    m = meeting(world, number="PRB/2018/09")
    add(world.secretariat, OwnerKind.MEETING, m.id, store, name="agenda.pdf")
    with pytest.raises(NotAllowed):
        add(world.board_chair, OwnerKind.MEETING, m.id, store)
    item = decided(world)
    with pytest.raises(Conflict, match="final"):
        add(world.secretariat, OwnerKind.MEETING, item.meeting_id, store)
    assert len(list(store.keys())) == 1


def test_unknown_owner_kind_is_404(world, store) -> None:
    with pytest.raises(NotFound):
        attachments.attachments_page(world.secretariat, "report", 1)
