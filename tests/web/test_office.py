"""Administration → Office: the name heading the minutes and every report PDF is the office's
own, changed in the browser by an administrator (it was written into the templates: an
office set up from an empty database printed another office's name on its minutes)."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import select

from prb.extensions import db
from prb.models import AuditRecord, Office
from prb.services.errors import NotAllowed
from prb.services.reference.office import OfficeName, change_office, current_office
from tests import factories
from tests.conftest import sign_in
from tests.web.test_minutes import decided_meeting


def pdf_text(content: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
    return " ".join(done.stdout.decode().split())


def test_an_administrator_names_the_office_and_the_pdfs_carry_it(client, world) -> None:
    admin = factories.administrator(world)
    m = decided_meeting(world)
    sign_in(client, admin)
    page = client.get("/admin/office")
    assert page.status_code == 200 and "United Nations Counter-Terrorism Centre" in page.text
    assert 'href="/admin/office"' in client.get("/admin").text
    saved = client.post(
        "/admin/office",
        data={"name": "  Office  of  the Pacific Compact ", "unit": "Seed Fund <Centre>"},
    )
    assert saved.status_code == 303
    assert current_office() == OfficeName("Office of the Pacific Compact", "Seed Fund <Centre>")
    change = db.session.scalars(
        select(AuditRecord).where(AuditRecord.event == "office_named")
    ).one()
    assert change.actor_id == admin.id and "Counter-Terrorism" in change.before
    client.post("/logout")

    sign_in(client, world.secretariat)
    minutes = pdf_text(client.get(f"/board/meetings/{m.id}/minutes/draft.pdf").data)
    assert "OFFICE OF THE PACIFIC COMPACT" in minutes.upper()
    assert "Seed Fund <Centre>" in minutes  # escaped as text, not markup
    assert "Counter-Terrorism" not in minutes
    overview = client.get("/reports/portfolio.pdf?year=2018")
    assert overview.status_code == 200
    assert "OFFICE OF THE PACIFIC COMPACT" in pdf_text(overview.data).upper()


def test_the_office_needs_a_name_and_only_an_administrator_changes_it(client, world) -> None:
    admin = factories.administrator(world)
    sign_in(client, admin)
    refused = client.post("/admin/office", data={"name": "   ", "unit": "x"})
    assert refused.status_code == 422 and "Give the office" in refused.text
    too_long = client.post("/admin/office", data={"name": "x" * 201, "unit": ""})
    assert too_long.status_code == 422
    db.session.expire_all()
    assert db.session.get(Office, 1).name == "United Nations Office of Counter-Terrorism"
    client.post("/logout")
    for who in (world.secretariat, world.board_chair, world.finance):
        sign_in(client, who)
        assert client.get("/admin/office").status_code == 403
        assert client.post("/admin/office", data={"name": "Mine"}).status_code == 403
        client.post("/logout")
        with pytest.raises(NotAllowed):
            change_office(who, OfficeName("Mine"))
    db.session.expire_all()
    assert current_office().name == "United Nations Office of Counter-Terrorism"


def test_without_an_office_the_minutes_name_none(client, world) -> None:
    # A database made without `prb setup` (no office row): the Board's own heading only.
    m = decided_meeting(world)
    db.session.delete(db.session.get(Office, 1))
    db.session.commit()
    sign_in(client, world.secretariat)
    minutes = pdf_text(client.get(f"/board/meetings/{m.id}/minutes/draft.pdf").data)
    assert "Programme Review Board" in minutes and "Counter-Terrorism" not in minutes
