"""Reporting notes: the secretariat sets how a project's duration reads in reports from a date
on, and the overview as at a date reads the note in force then (page, CSV and PDF)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord, ReportingNote, utcnow
from prb.services import finance, portfolio
from prb.services import reporting_notes as notes
from prb.services.errors import Conflict, Invalid, NotAllowed
from tests import factories
from tests.conftest import sign_in
from tests.csv_helpers import csv_text
from tests.web.test_minutes import pdf_text
from workflows import ProposalState as S

CODE = "UNCCT-2017-73-a"


def _project(world):  # type: ignore[no-untyped-def]
    """Approved 1 January 2018 (factories), committed 25 January: in the 2018 overview."""
    p = factories.project(world, status=S.ONGOING, code=CODE, start=date(2018, 1, 1), months=12)
    finance.record_entry(
        world.finance, p.id, finance.EntryInput("commitment", Decimal("1000.00"), date(2018, 1, 25))
    )
    return p


def _duration(world, as_at: date) -> str:  # type: ignore[no-untyped-def]
    data = portfolio.overview(world.board_undp, None, 2018, as_at=as_at)
    return next(r.duration for r in data.rows if r.code == CODE)


def _count() -> int:
    return db.session.scalar(select(func.count(ReportingNote.id))) or 0


@pytest.mark.parametrize(
    ("note", "period", "reads"),
    [
        ("", "", "12 months"),
        ("subject to extension", "", "12 months (subject to extension)"),
        ("", "March/April 2019–May/June 2020", "12 months (March/April 2019–May/June 2020)"),
        (
            "subject to extension",
            "March 2019–February 2020",
            "12 months (March 2019–February 2020; subject to extension)",
        ),
    ],
)
def test_how_a_duration_reads(note: str, period: str, reads: str) -> None:
    assert notes.duration_text(12, note, period) == reads


def test_the_overview_reads_the_note_in_force_on_its_as_at_date(app, world) -> None:
    p = _project(world)
    assert _duration(world, date(2018, 12, 31)) == "12 months"  # none: as submitted
    notes.set_note(
        world.secretariat, p.id, notes.NoteInput(date(2018, 6, 1), "subject to extension")
    )
    notes.set_note(
        world.secretariat,
        p.id,
        notes.NoteInput(date(2019, 1, 10), "subject to extension", "January 2018–April 2019"),
    )
    assert _duration(world, date(2018, 5, 31)) == "12 months"
    assert _duration(world, date(2018, 6, 1)) == "12 months (subject to extension)"
    assert _duration(world, date(2018, 12, 31)) == "12 months (subject to extension)"
    assert _duration(world, date(2019, 1, 10)) == (
        "12 months (January 2018–April 2019; subject to extension)"
    )
    # a note entered later for an earlier date applies from that date, not before
    notes.set_note(world.secretariat, p.id, notes.NoteInput(date(2018, 3, 1), "", "2018"))
    assert _duration(world, date(2018, 4, 1)) == "12 months (2018)"
    assert _duration(world, date(2018, 12, 31)) == "12 months (subject to extension)"


def test_the_overview_prints_the_months_the_board_approved_not_those_asked_for(world) -> None:
    """The chair asked for 18 months; the Board approved 12 (1 January to 31 December
    2018). The overview prints what was approved, and an extension reads from it."""
    p = _project(world)
    p.duration_months = 18
    db.session.commit()
    assert _duration(world, date(2018, 12, 31)) == "12 months"
    notes.set_note(
        world.secretariat, p.id, notes.NoteInput(date(2018, 6, 1), "subject to extension", "")
    )
    assert _duration(world, date(2018, 12, 31)) == "12 months (subject to extension)"


def test_page_csv_and_pdf_print_the_note(app, client, world) -> None:
    p = _project(world)
    notes.set_note(
        world.secretariat, p.id, notes.NoteInput(date(2018, 6, 1), "subject to extension")
    )
    sign_in(client, world.board_undp)
    expected = "12 months (subject to extension)"
    assert expected in client.get("/reports/portfolio?year=2018").text
    rows = list(
        csv.DictReader(io.StringIO(csv_text(client.get("/reports/portfolio.csv?year=2018"))))
    )
    assert [r["duration"] for r in rows if r["code"] == CODE] == [expected]
    # the PDF's narrow column wraps the text across the row's lines
    body = pdf_text(client.get("/reports/portfolio.pdf?year=2018").data)
    assert "12 months (subject" in body and "extension)" in body
    early = client.get("/reports/portfolio.csv?year=2018&as_at=2018-05-31").text
    assert "subject to extension" not in early


def test_only_the_secretariat_sets_notes_and_only_for_approved_projects(app, world) -> None:
    p = _project(world)
    for who in (world.board_undp, world.finance, world.chair_a):
        with pytest.raises(NotAllowed):
            notes.set_note(who, p.id, notes.NoteInput(date(2018, 6, 1), "subject to extension"))
    under_review = factories.proposal(world, status=S.UNDER_REVIEW)
    with pytest.raises(Conflict, match="projects the Board has approved"):
        notes.set_note(world.secretariat, under_review.id, notes.NoteInput(date(2018, 6, 1), "x"))
    assert _count() == 0


@pytest.mark.parametrize(
    ("effective_on", "note", "period", "field"),
    [
        (None, "subject to extension", "", "effective_on"),
        (date(2017, 12, 31), "subject to extension", "", "effective_on"),  # before approval
        ("tomorrow", "subject to extension", "", "effective_on"),
        (date(2018, 6, 1), "x" * 121, "", "duration_note"),
        (date(2018, 6, 1), "", "x" * 121, "period_text"),
    ],
)
def test_bad_input_saves_nothing(app, world, effective_on, note, period, field) -> None:  # type: ignore[no-untyped-def]
    p = _project(world)
    if effective_on == "tomorrow":
        effective_on = utcnow().date() + timedelta(days=1)
    with pytest.raises(Invalid) as refused:
        notes.set_note(world.secretariat, p.id, notes.NoteInput(effective_on, note, period))
    assert set(refused.value.fields) == {field}
    assert _count() == 0


def test_setting_a_note_is_audited_with_before_and_after(app, world) -> None:
    p = _project(world)
    notes.set_note(
        world.secretariat, p.id, notes.NoteInput(date(2018, 6, 1), "subject to extension")
    )
    notes.set_note(world.secretariat, p.id, notes.NoteInput(date(2018, 9, 1), "", "2018–2019"))
    records = db.session.scalars(
        select(AuditRecord)
        .where(AuditRecord.event == "reporting_note_set")
        .order_by(AuditRecord.id)
    ).all()
    assert [r.proposal_id for r in records] == [p.id, p.id]
    assert records[0].before is None
    assert json.loads(records[1].before)["duration_note"] == "subject to extension"
    assert json.loads(records[1].after) == {
        "effective_on": "2018-09-01",
        "duration_note": "",
        "period_text": "2018–2019",
    }
    assert records[1].actor_id == world.secretariat.id


def test_the_secretariats_page_sets_a_note_and_lists_them(app, client, world) -> None:
    p = _project(world)
    sign_in(client, world.secretariat)
    url = f"/proposals/{p.id}/reporting-notes"
    assert "reporting-notes" in client.get(f"/proposals/{p.id}").text
    response = client.post(
        url, data={"effective_on": "2018-06-01", "duration_note": "subject to extension"}
    )
    assert response.status_code == 303 and response.location.endswith(url)
    page = client.get(url).text
    assert "12 months (subject to extension)" in page and "in force" in page
    refused = client.post(
        url, data={"effective_on": "2017-06-01", "duration_note": "subject to extension"}
    )
    assert refused.status_code == 422
    assert "approved on 1 January 2018" in refused.text
    bad_date = client.post(url, data={"effective_on": "2018-02-30", "period_text": "x"})
    assert bad_date.status_code == 422 and "Enter a real date" in bad_date.text
    too_long = client.post(url, data={"effective_on": "2018-06-01", "period_text": "x" * 121})
    assert too_long.status_code == 422
    assert _count() == 1


def test_the_page_refuses_other_roles_and_proposals_not_approved(app, client, world) -> None:
    p = _project(world)
    sign_in(client, world.board_undp)
    url = f"/proposals/{p.id}/reporting-notes"
    assert (
        client.post(url, data={"effective_on": "2018-06-01", "duration_note": "x"}).status_code
        == 403
    )
    assert "reporting-notes" not in client.get(f"/proposals/{p.id}").text
    client.post("/logout")
    sign_in(client, world.secretariat)
    under_review = factories.proposal(world, status=S.UNDER_REVIEW)
    response = client.post(
        f"/proposals/{under_review.id}/reporting-notes",
        data={"effective_on": "2018-06-01", "duration_note": "x"},
    )
    assert response.status_code == 409 and "projects the Board has approved" in response.text
    assert _count() == 0
