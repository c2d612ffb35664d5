"""A corrigendum carries the corrected facts (place, chair, an item's title as printed):
its PDF, the draft and the meeting page print them marked as corrected, earlier versions stay
byte for byte, and what the Board decided cannot be "corrected" this way."""

from __future__ import annotations

import io
import json
from secrets import token_hex

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord, MinutesVersion
from prb.services import minutes
from prb.services.errors import Invalid
from prb.services.minutes import corrections
from tests.conftest import sign_in
from tests.web.test_minutes import decided_meeting, pdf_text


def _final(client, world):  # type: ignore[no-untyped-def]
    m = decided_meeting(world)
    minutes.finalise(world.secretariat, m.id)
    sign_in(client, world.secretariat)
    return m


def _count() -> int:
    return db.session.scalar(select(func.count(MinutesVersion.id))) or 0


def test_a_corrigendum_carries_the_corrected_facts_marked_as_corrected(client, world) -> None:
    m = _final(client, world)
    first = client.get(f"/board/meetings/{m.id}/minutes/v1.pdf").data
    page = client.get(f"/board/meetings/{m.id}").get_data(as_text=True)
    assert 'name="place"' in page and 'value="New York"' in page
    assert 'value="Biometrics Compendium"' in page
    response = client.post(
        f"/board/meetings/{m.id}/minutes",
        data={
            "once": token_hex(8),
            "place": "Geneva",
            "chair": world.board_undp.name,
            "title_1": "Biometrics Compendium of Good Practices",
        },
    )
    assert response.status_code == 303
    stored = db.session.scalars(select(MinutesVersion).where(MinutesVersion.version == 2)).one()
    assert stored.corrections == {
        "place": {"was": "New York", "now": "Geneva"},
        "chair": {"was": world.board_chair.name, "now": world.board_undp.name},
        "titles": {
            "1": {"was": "Biometrics Compendium", "now": "Biometrics Compendium of Good Practices"}
        },
    }
    # Without a note, the corrigendum says what it corrects.
    assert "Place corrected from “New York” to “Geneva”." in stored.note
    v2 = client.get(f"/board/meetings/{m.id}/minutes/v2.pdf").data
    embedded = json.loads(PdfReader(io.BytesIO(v2)).attachments["decisions.json"][0])
    assert embedded["corrections"]["place"] == {
        "now": "Geneva",
        "was": "New York",
        "by": "Corrigendum 1",
    }
    assert embedded["corrections"]["titles"]["1"]["was"] == "Biometrics Compendium"
    corrigendum = pdf_text(v2)
    assert "Geneva (corrected in Corrigendum 1; the record first read “New York”)" in corrigendum
    assert (
        f"{world.board_undp.name} (corrected in Corrigendum 1; the record first read "
        f"“{world.board_chair.name}”)" in corrigendum
    )
    assert "Biometrics Compendium of Good Practices (corrected in Corrigendum 1" in corrigendum
    # The decision itself is as it was.
    assert "Approved budget USD 120,000.00" in corrigendum
    # The first version is untouched; the draft and the page print the corrected facts.
    assert client.get(f"/board/meetings/{m.id}/minutes/v1.pdf").data == first
    assert "New York" in pdf_text(first) and "Geneva" not in pdf_text(first)
    draft = pdf_text(client.get(f"/board/meetings/{m.id}/minutes/draft.pdf").data)
    assert "Geneva (corrected in Corrigendum 1" in draft
    page = client.get(f"/board/meetings/{m.id}").get_data(as_text=True)
    assert 'Geneva <span class="note">(corrected in Corrigendum 1' in page
    # the item's title too (only the PDF had it)
    assert (
        'Biometrics Compendium of Good Practices <span class="note">(corrected in Corrigendum 1'
        in page
    )
    audit = db.session.scalars(
        select(AuditRecord).where(AuditRecord.event == "minutes_finalised")
    ).all()
    assert "Corrigendum 1" in audit[-1].comment and "Geneva" in audit[-1].comment


def test_a_second_corrigendum_keeps_what_the_record_first_said(client, world) -> None:
    m = _final(client, world)
    assert (
        client.post(
            f"/board/meetings/{m.id}/minutes", data={"once": token_hex(8), "place": "Geneva"}
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"/board/meetings/{m.id}/minutes", data={"once": token_hex(8), "place": "Vienna"}
        ).status_code
        == 303
    )
    third = pdf_text(client.get(f"/board/meetings/{m.id}/minutes/v3.pdf").data)
    assert "Vienna (corrected in Corrigendum 2; the record first read “New York”)" in third
    second = pdf_text(client.get(f"/board/meetings/{m.id}/minutes/v2.pdf").data)
    assert "Geneva (corrected in Corrigendum 1" in second and "Vienna" not in second


def test_a_corrigendum_that_corrects_nothing_is_refused(client, world) -> None:
    m = _final(client, world)
    response = client.post(
        f"/board/meetings/{m.id}/minutes", data={"once": token_hex(8), "place": "New York"}
    )
    assert response.status_code == 422
    assert "Say what this corrigendum corrects" in response.get_data(as_text=True)
    assert _count() == 1


def test_a_chair_who_did_not_sit_on_the_board_is_refused_and_the_input_kept(client, world) -> None:
    m = _final(client, world)
    response = client.post(
        f"/board/meetings/{m.id}/minutes",
        data={
            "once": token_hex(8),
            "place": "Geneva",
            "chair": world.chair_a.name,
            "note": "Chair",
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose a member who sat on the Board" in body
    assert 'value="Geneva"' in body  # what she typed is still there
    assert _count() == 1


def test_an_empty_title_or_place_is_refused(client, world) -> None:
    m = _final(client, world)
    for data in ({"place": "  "}, {"title_1": ""}):
        response = client.post(
            f"/board/meetings/{m.id}/minutes", data={"once": token_hex(8), **data, "note": "x"}
        )
        assert response.status_code == 422, data
    assert _count() == 1


def test_facts_cannot_be_corrected_in_the_first_version(world) -> None:
    m = decided_meeting(world)
    with pytest.raises(Invalid, match="not final yet"):
        minutes.finalise(
            world.secretariat,
            m.id,
            facts=corrections.Facts(place="Geneva", chair=world.board_chair.name),
        )
    assert _count() == 0


def test_only_the_secretariat_issues_a_corrigendum(client, world) -> None:
    m = _final(client, world)
    for user in (world.board_chair, world.finance, world.chair_a):
        client.post("/logout")
        sign_in(client, user)
        response = client.post(
            f"/board/meetings/{m.id}/minutes", data={"once": token_hex(8), "place": "Geneva"}
        )
        assert response.status_code == 403, (user.email, response.headers.get("Location"))
    assert _count() == 1
