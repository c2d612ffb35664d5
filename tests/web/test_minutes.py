"""Minutes as PDF: content, draft watermark, finalisation, immutability, corrigenda, PDF/A
metadata, the embedded JSON, and the digital signature."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path
from secrets import token_hex

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from prb.extensions import db
from prb.models import MinutesVersion
from prb.services import board, extensions, minutes, pdf
from prb.services.signing import create_demo_certificate
from tests import factories
from tests.board_helpers import meeting
from tests.conftest import sign_in
from tests.csv_helpers import csv_text
from workflows import ProposalState

S = ProposalState


def pdf_text(content: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


def decided_meeting(world, extension_months: int = 4):  # type: ignore[no-untyped-def]
    """PRB/2018/03: one approval with a lower budget, one extension, one deferral."""
    m = meeting(world)
    p = factories.proposal(
        world,
        status=S.UNDER_REVIEW,
        title="Biometrics Compendium",
        requested_budget=Decimal("150000.00"),
    )
    item = board.add_to_agenda(world.secretariat, m.id, p.id)
    running = factories.project(
        world,
        status=S.ONGOING,
        code="UNCCT-2017-73-j",
        start=date(2018, 1, 1),
        months=12,
        title="Military evidence",
    )
    ext = extensions.request_extension(
        world.chair_a,
        running.id,
        extensions.ExtensionInput(extension_months, None, None, "Translation"),
    )
    extensions.review_extension(world.finance, ext.id, "Fine")
    ext_item = board.add_extension_to_agenda(world.secretariat, m.id, ext.id)
    deferred = board.add_to_agenda(
        world.secretariat,
        m.id,
        factories.proposal(world, status=S.UNDER_REVIEW, title="Deferred one").id,
    )
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "approve")
        board.cast_vote(member, ext_item.id, "approve")
    board.close_item(
        world.secretariat,
        item.id,
        board.Terms(Decimal("120000.00"), 12, date(2019, 1, 1), "Report by June"),
    )
    board.close_item(world.secretariat, ext_item.id)
    board.close_item(world.secretariat, deferred.id)
    return m


def test_draft_minutes_contain_the_record(client, world) -> None:
    m = decided_meeting(world)
    sign_in(client, world.board_undp)
    response = client.get(f"/board/meetings/{m.id}/minutes/draft.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    body = pdf_text(response.data)
    for expected in (
        "UNITED NATIONS OFFICE OF COUNTER-TERRORISM",
        "Minutes of the meeting PRB/2018/03",
        f"{m.held_on.day} {m.held_on:%B %Y}",
        f"Rules of procedure of {m.held_on.day} {m.held_on:%B %Y}: quorum more than 1/2 of "
        "eligible members",
        "New York",
        "Jean-François Lefèvre",
        "Item 1. UNCCT-2017-73-a — Biometrics Compendium",
        "Requested budget USD 150,000.00",
        "Decision Approved",
        "2 for, 0 against, 0 for revision, 0 abstaining, 1 recused",
        "Board Cted (CTED is the lead entity)",
        "Approved budget USD 120,000.00",
        "12 months, 1 January 2019 to 31 December 2019",
        "Report by June",
        "Extension of UNCCT-2017-73-j",
        "Original end 31 December 2018",
        "Months granted 4",
        "New end date 30 April 2019",
        "No-cost extension",
        "Deferred: No quorum: 0 of 2 eligible members voted",
        "Total USD 120,000.00",
        "Page 1 of",
        "PRB/2018/03 · DRAFT",
        "Chair of the Programme Review Board",
        "Secretary of the Programme Review Board",
    ):
        assert expected in body, expected
    assert "DRAFT" in body


def test_one_month_reads_one_month(client, world) -> None:
    m = decided_meeting(world, extension_months=1)
    sign_in(client, world.board_undp)
    page = " ".join(client.get(f"/board/meetings/{m.id}").text.split())
    assert "Extension requested:</strong> 1 month, 1 January 2019 to 31 January 2019" in page
    assert "Extension of 1 month: end moved from 31 December 2018" in page
    body = pdf_text(client.get(f"/board/meetings/{m.id}/minutes/draft.pdf").data)
    assert "1 month, from 1 January 2019 to 31 January 2019" in body
    assert "1 months" not in page and "1 months" not in body


def test_finalised_minutes_are_stored_byte_for_byte_and_immutable(client, world) -> None:
    m = decided_meeting(world)
    sign_in(client, world.secretariat)
    response = client.post(
        f"/board/meetings/{m.id}/minutes",
        data={
            "once": token_hex(8),
        },
    )
    assert response.status_code == 303
    record = db.session.scalars(select(MinutesVersion)).one()
    first = client.get(f"/board/meetings/{m.id}/minutes/v1.pdf")
    second = client.get(f"/board/meetings/{m.id}/minutes/v1.pdf")
    assert first.data == second.data
    assert (
        hashlib.sha256(first.data).hexdigest() == record.sha256 == first.headers["X-Content-SHA256"]
    )
    body = pdf_text(first.data)
    assert "DRAFT" not in body and "Final, finalised" in body and "Nadia Haddad" in body
    page = client.get(f"/board/meetings/{m.id}").get_data(as_text=True)
    assert record.sha256 in page
    # the database refuses any change to a finalised record
    for statement in (
        f"UPDATE minutes_versions SET sha256 = 'x' WHERE id = {record.id}",
        f"DELETE FROM minutes_versions WHERE id = {record.id}",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    # a corrigendum is a new version that keeps the first downloadable
    assert (
        client.post(
            f"/board/meetings/{m.id}/minutes",
            data={
                "once": token_hex(8),
            },
        ).status_code
        == 422
    )
    response = client.post(
        f"/board/meetings/{m.id}/minutes",
        data={"once": token_hex(8), "note": "Corrects the spelling of a name"},
    )
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(MinutesVersion.id))) == 2
    assert client.get(f"/board/meetings/{m.id}/minutes/v1.pdf").data == first.data
    corrigendum = pdf_text(client.get(f"/board/meetings/{m.id}/minutes/v2.pdf").data)
    assert "Corrigendum 1" in corrigendum and "Corrects the spelling of a name" in corrigendum
    assert client.get(f"/board/meetings/{m.id}/minutes/v9.pdf").status_code == 404


def test_minutes_cannot_be_finalised_with_open_items(client, world) -> None:
    m = meeting(world)
    board.add_to_agenda(
        world.secretariat, m.id, factories.proposal(world, status=S.UNDER_REVIEW).id
    )
    sign_in(client, world.secretariat)
    response = client.post(
        f"/board/meetings/{m.id}/minutes",
        data={
            "once": token_hex(8),
        },
    )
    assert response.status_code == 409
    assert db.session.scalar(select(func.count(MinutesVersion.id))) == 0


def test_only_the_secretariat_finalises(client, world) -> None:
    m = decided_meeting(world)
    for person in (world.board_chair, world.finance):
        sign_in(client, person)
        assert (
            client.post(
                f"/board/meetings/{m.id}/minutes",
                data={
                    "once": token_hex(8),
                },
            ).status_code
            == 403
        )
        client.post("/logout")
    sign_in(client, world.chair_a)
    assert client.get(f"/board/meetings/{m.id}/minutes/draft.pdf").status_code == 403


def test_pdfa_metadata_and_embedded_decisions(world) -> None:
    m = decided_meeting(world)
    record = minutes.finalise(world.secretariat, m.id)
    reader = PdfReader(io.BytesIO(minutes.stored(world.secretariat, m.id, 1).pdf))
    info = reader.metadata
    assert info.title.startswith("Minutes of the Programme Review Board meeting PRB/2018/03")
    assert "secretariat" in info.author
    assert "Decisions" in info.subject
    assert info.creation_date is not None
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    # PDF/A-3b, whether the XMP writes the properties as elements or attributes
    assert re.search(r'pdfaid:part(>|=")3', xmp)
    assert re.search(r'pdfaid:conformance(>|=")B', xmp)
    attachments = reader.attachments
    assert list(attachments) == ["decisions.json"]
    record_json = json.loads(attachments["decisions.json"][0])
    assert record_json["meeting"]["number"] == "PRB/2018/03"
    first = record_json["items"][0]["decision"]
    assert first["outcome"] == "approve" and first["approved_budget"] == "120000.00"
    assert first["tally"] == {
        "for": 2,
        "against": 0,
        "revision": 0,
        "abstain": 0,
        "recused": 1,
        "eligible": 2,
    }
    ext = record_json["items"][1]["decision"]
    assert (ext["new_end"], ext["extension_months"]) == ("2019-04-30", 4)
    assert record.signed is False


def test_signed_minutes_verify_and_one_changed_byte_breaks_the_signature(
    world, app, tmp_path: Path
) -> None:
    app.config["SIGNING_P12"] = str(create_demo_certificate(tmp_path / "demo.p12"))
    m = decided_meeting(world)
    record = minutes.finalise(world.secretariat, m.id)
    assert record.signed
    content = minutes.stored(world.secretariat, m.id, 1).pdf
    good = tmp_path / "good.pdf"
    good.write_bytes(content)
    report = subprocess.run(["pdfsig", str(good)], capture_output=True, text=True).stdout
    assert "Signature is Valid." in report and "Total document signed" in report
    # The demo certificate is an ordinary signing certificate from a demo CA: the only
    # complaint NSS may have is that nobody trusts that CA ("Unknown issue with Certificate
    # or corrupted data" when the signer is itself a CA).
    (certificate,) = re.findall(r"Certificate Validation: (.*)", report)
    assert certificate == "Certificate issuer isn't Trusted."
    # flip one byte inside the signed content
    tampered = bytearray(content)
    position = (
        content.index(b"Biometrics Compendium")
        if b"Biometrics Compendium" in content
        else len(content) // 3
    )
    tampered[position] ^= 0x01
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(bytes(tampered))
    report = subprocess.run(["pdfsig", str(bad)], capture_output=True, text=True).stdout
    assert "Signature is Valid." not in report


def test_minutes_without_decided_items_say_so(client, world) -> None:
    m = meeting(world)
    sign_in(client, world.secretariat)
    body = pdf_text(client.get(f"/board/meetings/{m.id}/minutes/draft.pdf").data)
    assert "The agenda of this meeting was empty." in body
    assert "No budget was approved." in body


def test_unicode_names_render(client, world) -> None:
    world.board_undp.name = "عبد الله الحسن"
    world.board_cted.name = "Élodie Garçon"
    db.session.commit()
    m = decided_meeting(world)
    sign_in(client, world.secretariat)
    body = pdf_text(client.get(f"/board/meetings/{m.id}/minutes/draft.pdf").data)
    assert "Élodie Garçon" in body
    assert "Jean-François Lefèvre" in body
    # pdftotext gives Arabic in visual order; compare the letters, not their order
    assert set("عبداللهالحسن") <= set(body)


def test_the_same_html_gives_the_same_bytes() -> None:
    html = "<html><head><title>T</title></head><body><p>Même texte — نص</p></body></html>"
    assert pdf.render(html) == pdf.render(html)


def test_portfolio_overview_page_csv_and_pdf(client, world) -> None:
    factories.project(
        world,
        status=S.ONGOING,
        code="UNCCT-2017-73-a",
        start=date(2018, 1, 1),
        months=12,
        duration_note="subject to extension",
        title="Border Management and Law Enforcement Relating to Counter-Terrorism",
        objective="Raise awareness of biometrics",
    )
    factories.project(
        world,
        status=S.INITIATED,
        code="UNCCT-2019-02-79-D",
        start=date(2019, 3, 1),
        months=15,
        group=world.group_b,
        title="Technology and Security",
    )
    sign_in(client, world.board_undp)
    page = client.get("/reports/portfolio?year=2018").get_data(as_text=True)
    assert "Overview of 2018 seed projects" in page
    assert "UNCCT-2017-73-a" in page and "12 months (subject to extension)" in page
    assert "UNCCT-2019-02-79-D" not in page  # neither approved nor running in 2018
    exported = csv_text(client.get("/reports/portfolio.csv?year=2018"))
    assert exported.splitlines()[0] == (
        "code,working_group,title,objective,duration,status,scope,results_alignment,co_funding_usd"
    )
    assert "UNCCT-2017-73-a,Border Management and Law Enforcement" in exported
    assert 'Ongoing,Global,"Outcome 4, Output 4.2",0.00' in exported
    body = pdf_text(client.get("/reports/portfolio.pdf?year=2019").data)
    assert "Overview of 2019 seed projects" in body and "UNCCT-2019-02-79-D" in body
    assert "Initiated" in body


def test_the_meeting_page_says_when_the_final_minutes_will_not_be_signed(
    client, world, app, tmp_path: Path
) -> None:
    """Found exploring: finalising without a signing certificate stored unsigned minutes
    with nothing said before ("Signed: No" only afterwards)."""
    m = decided_meeting(world)
    sign_in(client, world.secretariat)
    warning = "No signing certificate is configured"
    assert warning in client.get(f"/board/meetings/{m.id}").get_data(as_text=True)
    app.config["SIGNING_P12"] = str(create_demo_certificate(tmp_path / "demo.p12"))
    assert warning not in client.get(f"/board/meetings/{m.id}").get_data(as_text=True)
