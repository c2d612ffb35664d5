"""A progress report's supporting files: sent with the report's form or added on its page,
kept as attachments of the report (read as the project is read), refused with the report's
text kept when a file is refused, and closed once the secretariat accepts the report."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import Attachment, OwnerKind, ProgressReport
from tests import file_samples as f
from tests.conftest import sign_in
from tests.web.test_progress_report_pages import FORM, running
from workflows import ReportState

URL = "/proposals/{id}/reports/progress/2018-07-01"


@pytest.fixture
def files(app: Flask, tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    app.config["FILES_DIRECTORY"] = str(folder)
    return folder


def stored(folder: Path) -> list[Path]:
    return list(folder.glob("*/*")) if folder.exists() else []


def count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count(model.id))) or 0


def submit(client, proposal_id: int, name: str, data: bytes, once: str):  # type: ignore[no-untyped-def]
    return client.post(
        URL.format(id=proposal_id),
        data={**FORM, "once": once, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_a_report_is_submitted_with_its_file_and_the_file_is_the_projects_to_read(
    client, world, files
) -> None:
    project = running(world)
    sign_in(client, world.chair_a)
    form = client.get(URL.format(id=project.id)).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and 'type="file"' in form
    response = submit(client, project.id, "Rapport d’étape — juin.pdf", f.PDF, "t1")
    assert response.status_code == 303
    report = db.session.scalars(select(ProgressReport)).one()
    attachment = db.session.scalars(select(Attachment)).one()
    assert (attachment.owner_kind, attachment.owner_id) == (OwnerKind.REPORT, report.id)
    assert attachment.filename == "Rapport d’étape — juin.pdf" and len(stored(files)) == 1
    page = client.get(f"/progress-reports/{report.id}").get_data(as_text=True)
    assert "Rapport d’étape — juin.pdf" in page and attachment.sha256 in page
    download = client.get(f"/attachments/files/{attachment.id}")
    assert download.status_code == 200 and download.data == f.PDF

    client.post("/logout")
    sign_in(client, world.chair_b)  # another working group's chair
    assert client.get(f"/attachments/files/{attachment.id}").status_code == 404
    assert client.get(f"/attachments/report/{report.id}").status_code == 404


def test_a_refused_file_saves_no_report_and_keeps_what_was_typed(client, world, files) -> None:
    project = running(world)
    sign_in(client, world.chair_a)
    response = submit(client, project.id, "report.pdf", f.EXE, "t1")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Two &lt;b&gt;regional&lt;/b&gt; workshops held." in page  # the text is kept
    assert "not a PDF" in page or "PDF" in page
    assert count(ProgressReport) == 0 and count(Attachment) == 0 and stored(files) == []


def test_a_report_without_a_file_needs_none(client, world, files) -> None:
    project = running(world)
    sign_in(client, world.chair_a)
    response = client.post(URL.format(id=project.id), data={**FORM, "once": "t1"})
    assert response.status_code == 303
    assert count(ProgressReport) == 1 and count(Attachment) == 0


def test_once_accepted_no_file_is_added_to_the_report(client, world, files) -> None:
    project = running(world)
    sign_in(client, world.chair_a)
    assert submit(client, project.id, "report.pdf", f.PDF, "t1").status_code == 303
    report = db.session.scalars(select(ProgressReport)).one()
    client.post("/logout")
    sign_in(client, world.secretariat)
    accepted = client.post(
        f"/progress-reports/{report.id}/accept", data={"expected_status": "submitted"}
    )
    assert accepted.status_code == 303
    db.session.refresh(report)
    assert report.status == ReportState.ACCEPTED
    client.post("/logout")
    sign_in(client, world.chair_a)
    late = client.post(
        f"/attachments/report/{report.id}",
        data={"file": (io.BytesIO(f.PNG), "photo.png")},
        content_type="multipart/form-data",
    )
    assert late.status_code == 409 and "accepted" in late.get_data(as_text=True)
    assert count(Attachment) == 1 and len(stored(files)) == 1
