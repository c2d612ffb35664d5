"""Attachment pages per role, on both databases: uploads (the Done-when refusals of issue
16, each shown with its message and leaving no row and no file), the list with versions and
SHA-256, and downloads served as attachments with the stored type and no caching."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import Attachment
from prb.services.files.checks import MB
from tests import factories
from tests import file_samples as f
from tests.conftest import sign_in
from tests.unit.test_meeting_freeze import decided
from workflows import ProposalState


@pytest.fixture
def files(app: Flask, tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    app.config["FILES_DIRECTORY"] = str(folder)
    return folder


def stored(folder: Path) -> list[Path]:
    return [p for p in folder.glob("*/*")] if folder.exists() else []


def rows() -> int:
    return db.session.scalar(select(func.count(Attachment.id))) or 0


def post(client: FlaskClient, url: str, name: str, data: bytes, **fields: str):  # type: ignore[no-untyped-def]
    return client.post(
        url,
        data={"file": (io.BytesIO(data), name), **fields},
        content_type="multipart/form-data",
    )


@pytest.fixture
def proposal(world):  # type: ignore[no-untyped-def]
    return factories.proposal(world, status=ProposalState.SUBMITTED)


def test_upload_list_and_download(client, world, files, proposal) -> None:
    sign_in(client, world.chair_a)
    url = f"/attachments/proposal/{proposal.id}"
    name = "Lettre de soutien — Genève تقرير.pdf"
    response = post(client, url, name, f.PDF, description="Letter from the Government")
    assert response.status_code == 303
    page = client.get(url).get_data(as_text=True)
    digest = hashlib.sha256(f.PDF).hexdigest()
    assert name in page and digest in page and "PDF" in page and "Amina Diallo" in page
    assert "Letter from the Government" in page
    row = db.session.scalars(select(Attachment)).one()
    download = client.get(f"/attachments/files/{row.id}")
    assert download.status_code == 200 and download.data == f.PDF
    assert download.mimetype == "application/pdf"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download.headers["Cache-Control"]
    # The proposal page links to its files.
    show = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert url in show


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("renamed.docx", f.PDF, "named as a DOCX file but its content is PDF"),
        ("setup.pdf", f.EXE, "is not a PDF file"),
        ("../../etc/passwd.pdf", f.PDF, "another folder"),
        # (Backslashes never reach the view: Werkzeug's multipart parser drops them; the
        # name checks refuse them all the same, tests/unit/test_upload_checks.py.)
        ("/etc/passwd.pdf", f.PDF, "absolute path"),
        ("invoice\u202efdp.pdf", f.PDF, "text-direction"),
        ("rep\u200bort.pdf", f.PDF, "zero-width"),
        ("bomb.docx", f.docx_bomb(30), "zip bomb"),
        ("big.pdf", f.PDF + bytes(MB), "files up to 1 MB"),
    ],
)
def test_refused_uploads_show_why_and_keep_nothing(
    app, client, world, files, proposal, name: str, data: bytes, says: str
) -> None:
    app.config["ATTACHMENT_MAX_MB"] = 1
    sign_in(client, world.chair_a)
    response = post(client, f"/attachments/proposal/{proposal.id}", name, data)
    assert response.status_code == 422
    assert says in response.get_data(as_text=True)
    assert rows() == 0 and stored(files) == []


def test_far_too_large_is_413_with_the_message(app, client, world, files, proposal) -> None:
    app.config["ATTACHMENT_MAX_MB"] = 1
    sign_in(client, world.chair_a)
    response = post(client, f"/attachments/proposal/{proposal.id}", "big.pdf", bytes(3 * MB))
    assert response.status_code == 413
    assert "larger than 1 MB" in response.get_data(as_text=True)
    assert rows() == 0 and stored(files) == []


def test_files_above_the_app_wide_limit_are_accepted_with_csrf_on(
    app, client, world, files, proposal
) -> None:
    """The attachment limit (20 MB) is above the 2 MB every other request is held to, even
    though the CSRF check reads the body before the view runs."""
    sign_in(client, world.chair_a)
    app.config["WTF_CSRF_ENABLED"] = True
    url = f"/attachments/proposal/{proposal.id}"
    page = client.get(url).get_data(as_text=True)
    marker = 'name="csrf_token" type="hidden" value="'
    token = page[page.index(marker) + len(marker) :].split('"', 1)[0]
    big = f.PDF + bytes(app.config["MAX_CONTENT_LENGTH"] + 1)
    assert post(client, url, "big.pdf", big, csrf_token=token).status_code == 303
    assert post(client, url, "again.pdf", f.PDF).status_code == 400  # no token
    # Other forms keep the app-wide limit.
    assert client.post("/proposals/new", data={"x": "y" * (3 * MB)}).status_code == 413
    assert rows() == 1


def test_another_groups_chair_gets_404(client, world, files, proposal) -> None:
    sign_in(client, world.chair_a)
    post(client, f"/attachments/proposal/{proposal.id}", "budget.xlsx", f.XLSX)
    row = db.session.scalars(select(Attachment)).one()
    client.post("/logout")
    sign_in(client, world.chair_b)
    assert client.get(f"/attachments/files/{row.id}").status_code == 404
    assert client.get(f"/attachments/proposal/{proposal.id}").status_code == 404
    assert post(client, f"/attachments/proposal/{proposal.id}", "x.pdf", f.PDF).status_code == 404
    assert rows() == 1 and len(stored(files)) == 1


def test_a_new_version_is_listed_with_the_superseded_one(client, world, files, proposal) -> None:
    sign_in(client, world.chair_a)
    url = f"/attachments/proposal/{proposal.id}"
    post(client, url, "budget.xlsx", f.XLSX)
    first = db.session.scalars(select(Attachment)).one()
    response = post(client, url, "budget-v2.xlsx", f.XLSX + b"\0", supersedes_id=str(first.id))
    assert response.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "Superseded version:" in page
    assert page.index("budget-v2.xlsx") < page.index("budget.xlsx<")
    assert rows() == 2 and len(stored(files)) == 2
    assert client.get(f"/attachments/files/{first.id}").data == f.XLSX


def test_the_same_file_is_kept_once_and_an_old_version_may_come_back(
    client, world, files, proposal
) -> None:
    sign_in(client, world.chair_a)
    url = f"/attachments/proposal/{proposal.id}"
    assert post(client, url, "budget.xlsx", f.XLSX).status_code == 303
    first = db.session.scalars(select(Attachment)).one()
    for name, fields in [
        ("budget (1).xlsx", {}),
        ("budget.xlsx", {"supersedes_id": str(first.id)}),
    ]:
        again = post(client, url, name, f.XLSX, **fields)
        assert again.status_code == 422
        assert "already attached, byte for byte, as “budget.xlsx”" in again.get_data(as_text=True)
        assert rows() == 1 and len(stored(files)) == 1
    # a changed file replaces it; the first one's bytes may then return as the newest version
    assert (
        post(client, url, "budget v2.xlsx", f.XLSX + b"\0", supersedes_id=str(first.id)).status_code
        == 303
    )
    second = db.session.scalars(select(Attachment).where(Attachment.id != first.id)).one()
    back = post(client, url, "budget.xlsx", f.XLSX, supersedes_id=str(second.id))
    assert back.status_code == 303 and rows() == 3


def test_meeting_files_after_final_minutes_are_409(client, world, files) -> None:
    item = decided(world)
    sign_in(client, world.secretariat)
    url = f"/attachments/meeting/{item.meeting_id}"
    page = client.get(url)
    assert page.status_code == 200 and "are final" in page.get_data(as_text=True)
    response = post(client, url, "late.pdf", f.PDF)
    assert response.status_code == 409
    assert "are final" in response.get_data(as_text=True)
    assert rows() == 0 and stored(files) == []
    meeting_page = client.get(f"/board/meetings/{item.meeting_id}").get_data(as_text=True)
    assert url in meeting_page


def test_a_double_submission_keeps_the_file_once(client, world, files, proposal) -> None:
    sign_in(client, world.chair_a)
    url = f"/attachments/proposal/{proposal.id}"
    first = post(client, url, "letter.pdf", f.PDF, once="same-token")
    again = post(client, url, "letter.pdf", f.PDF, once="same-token")
    assert first.status_code == 303
    assert again.status_code == 409 and "already" in again.get_data(as_text=True)
    assert rows() == 1 and len(stored(files)) == 1
