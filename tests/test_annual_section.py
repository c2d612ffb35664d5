"""The annual report's seed-funding section for the demo's 2018 year (`prb demo`, the seed
report's office): the PDF's text and the DOCX give the report's opening figures (nine
approved, USD 1,356,000, one under consideration), Exhibit V's rows as at 31 December 2018,
the Swiss co-funding of UNCCT-2017-73-j, and one paragraph per project: the narrative passed
for it, else a neutral sentence — never a text passed for another project or none at all."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from docx import Document
from flask_migrate import upgrade
from sqlalchemy import select

from prb.demo.portfolio import DEMO_PASSWORD
from prb.extensions import db
from prb.models import FundingProgramme, ProgressReport, Proposal, User
from prb.services import annual_section, progress_reports
from prb.services.annual_section.word import docx_bytes
from tests.conftest import make_app, sign_in
from tests.year_2018_facts import EXHIBIT_V
from workflows import ReportState

A_TEXT = (
    "Under this project, a Compendium of recommended practices for the responsible use and "
    "sharing of biometrics in counter-terrorism was developed in association with the "
    "Biometrics Institute."
)
J_TEXT = "At year's end, the guidelines were undergoing the technical editing and design phase."
NOT_IN_SECTION = "A narrative of the victims proposal, which is no project of 2018."
PENDING_TEXT = "A narrative of UNCCT-2017-73-b, approved but not initiated in 2018."
NEUTRAL = "No progress report on 2018 had been accepted by 31 December 2018."
LISTED = [row[0] for row in EXHIBIT_V]


@pytest.fixture
def app(empty_database):  # type: ignore[no-untyped-def]
    """The demo, loaded by `prb demo` on a database built by the migrations."""
    app = make_app(empty_database)
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        yield app
        db.session.remove()
        db.engine.dispose()


def _plain(content: bytes) -> str:
    """The PDF's text in reading order (a table cell's lines together), spaces collapsed."""
    out = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def _squeeze(text: str) -> str:
    return re.sub(r"[\s\-‐]", "", text)


def _section(narratives: dict[int, str]) -> annual_section.Section:
    secretariat = db.session.scalars(
        select(User).where(User.email == "secretariat@prb.example")
    ).one()
    programme = db.session.scalars(
        select(FundingProgramme).where(FundingProgramme.code == "UNCCT-2017-73")
    ).one()
    return annual_section.section(secretariat, programme.id, 2018, narratives)


def _ids() -> dict[str, int]:
    rows = db.session.execute(select(Proposal.project_code, Proposal.id, Proposal.title)).all()
    found = {code: pid for code, pid, _ in rows if code}
    found["victims"] = next(pid for code, pid, title in rows if not code and "ictims" in title)
    return found


def test_the_2018_section_as_the_report_wrote_it(app) -> None:
    ids = _ids()
    narratives = {
        ids["UNCCT-2017-73-a"]: A_TEXT,
        ids["UNCCT-2017-73-j"]: J_TEXT,
        ids["UNCCT-2017-73-b"]: PENDING_TEXT,
        ids["victims"]: NOT_IN_SECTION,
    }
    with app.test_request_context():
        data = _section(narratives)
        text = _plain(annual_section.pdf(data))
        document = Document(io.BytesIO(docx_bytes(data)))

    # the opening figures
    assert (data.approved, data.under_consideration) == (9, 1)
    for said in (
        "approved seed funding for nine (9) project proposals",
        "USD 1,356,000.00",
        "one (1) proposal is under consideration",
        "Overview of 2018 seed projects",
    ):
        assert said in text, said
    # Exhibit V's rows, in its order: code, objective, duration, status, scope, alignment
    assert [r.code for r in data.rows] == LISTED
    # (compared without whitespace and hyphens: a cell's lines break where its column is
    # narrow, and a line broken at "counter-terrorism" loses the hyphen in the text)
    squeezed = _squeeze(text)
    for row in EXHIBIT_V:
        code, _heading, objective, duration, status, scope, alignment = row
        at = squeezed.index(_squeeze(code))
        for cell in (" ".join(objective.split()[:6]), duration, status, scope, alignment):
            assert _squeeze(cell) in squeezed[at:], (code, cell, squeezed[at : at + 400])
            at = squeezed.index(_squeeze(cell), at)
    # the Swiss co-funding (illustrative amount) of -73-j
    assert "Government of Switzerland" in text and "CHF 100,000.00" in text
    assert "105,263.00" in text

    # one paragraph per project of the overview: its narrative, else the neutral sentence
    projects = text[text.index("The projects") :]
    starts = [projects.index(f"{code}: ") for code in LISTED]
    assert starts == sorted(starts)
    ends = [*starts[1:], None]
    bodies = dict(
        zip(LISTED, (projects[s:e] for s, e in zip(starts, ends, strict=True)), strict=True)
    )
    for code, body in bodies.items():
        expected = {"UNCCT-2017-73-a": A_TEXT, "UNCCT-2017-73-j": J_TEXT}.get(code, NEUTRAL)
        assert expected in body, code
        others = {A_TEXT, J_TEXT, NEUTRAL} - {expected}
        assert not any(o in body for o in others), code
    assert text.count(NEUTRAL) == len(LISTED) - 2
    # no narrative that was not passed for a project of the section
    assert NOT_IN_SECTION not in text and PENDING_TEXT not in text

    # the DOCX: the same figures and the same rows, cell for cell
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert "nine (9) project proposals" in paragraphs and "USD 1,356,000.00" in paragraphs
    assert "one (1) proposal is under consideration" in paragraphs
    overview = document.tables[0]
    cells = [[c.text for c in row.cells] for row in overview.rows[1:]]
    assert [row[0] for row in cells] == LISTED
    for row, (code, _h, objective, duration, status, scope, alignment) in zip(
        cells, EXHIBIT_V, strict=True
    ):
        assert row[2:7] == [objective, duration, status, scope, alignment], code
    assert A_TEXT in paragraphs and J_TEXT in paragraphs
    assert paragraphs.count(NEUTRAL) == len(LISTED) - 2
    assert NOT_IN_SECTION not in paragraphs and PENDING_TEXT not in paragraphs
    assert "Government of Switzerland" in "\n".join(
        c.text for t in document.tables for row in t.rows for c in row.cells
    )


def test_the_section_of_one_programme_alone(app) -> None:
    """Only UNCCT-2017-73's projects: eight approved (UNCCT-2019-02-79-D is the next
    programme's), the same proposal under consideration."""
    with app.test_request_context():
        secretariat = db.session.scalars(
            select(User).where(User.email == "secretariat@prb.example")
        ).one()
        programme = db.session.scalars(
            select(FundingProgramme).where(FundingProgramme.code == "UNCCT-2017-73")
        ).one()
        data = annual_section.section(secretariat, programme.id, 2018, {}, whole_board=False)
    assert (data.approved, data.under_consideration) == (8, 1)
    assert [r.code for r in data.rows] == LISTED[:-1]


def test_a_selection_too_large_to_make_while_waiting_says_what_to_do_instead(app) -> None:
    # A programme's own projects, too many: "choose this programme's projects only" was the
    # advice even then (a dead end); the overview is prepared in the background instead.
    from prb.services.errors import Invalid

    with app.test_request_context():
        secretariat = db.session.scalars(
            select(User).where(User.email == "secretariat@prb.example")
        ).one()
        programme = db.session.scalars(
            select(FundingProgramme).where(FundingProgramme.code == "UNCCT-2017-73")
        ).one()
        for whole_board, advice in ((False, False), (True, True)):
            with pytest.raises(Invalid) as refused:
                annual_section.section(
                    secretariat, programme.id, 2018, {}, whole_board=whole_board, max_projects=3
                )
            message = refused.value.message
            assert "portfolio overview as CSV or PDF" in message
            assert ("choose this programme's projects only" in message) is advice


def test_the_demo_section_prints_the_reports_the_secretariat_accepted(app) -> None:
    """Made as a user downloads it: the narratives are the reports accepted by 31 December
    2018 (the demo's, from the seed report's paragraphs); the report still waiting for the
    secretariat is nowhere, and the project without an accepted report has the neutral
    sentence."""
    programme = db.session.scalars(
        select(FundingProgramme).where(FundingProgramme.code == "UNCCT-2017-73")
    ).one()
    secretariat = db.session.scalars(
        select(User).where(User.email == "secretariat@prb.example")
    ).one()
    client = app.test_client()
    sign_in(client, secretariat, password=DEMO_PASSWORD)
    answer = client.get(
        f"/reports/annual-section.pdf?programme_id={programme.id}&year=2018&scope=board"
    )
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = _plain(answer.data)
    accepted = progress_reports.accepted_narratives(None, None, 2018)
    ids = _ids()
    reported = {code for code in LISTED if ids[code] in accepted}
    assert reported == set(LISTED) - {"UNCCT-2019-02-79-D"}
    projects = text[text.index("The projects") :]
    starts = [projects.index(f"{code}: ") for code in LISTED]
    ends = [*starts[1:], None]
    bodies = {code: projects[s:e] for code, s, e in zip(LISTED, starts, ends, strict=True)}
    for code in reported:
        first_paragraph = accepted[ids[code]].text.split("\n\n")[0]
        assert " ".join(first_paragraph.split()[:12]) in bodies[code], code
        assert NEUTRAL not in bodies[code]
    assert NEUTRAL in bodies["UNCCT-2019-02-79-D"]
    waiting = db.session.scalars(
        select(ProgressReport).where(ProgressReport.status == ReportState.SUBMITTED)
    ).one()
    assert " ".join(waiting.activities.split()[:8]) not in text


def test_the_neutral_sentence_speaks_of_the_year_only() -> None:
    """Found exploring: a project whose only report was accepted in November 2018 read, in
    the 2019 section, "No progress report had been accepted by 31 December 2019"."""
    from datetime import date

    from prb.services.annual_section import no_narrative

    assert no_narrative(date(2019, 12, 31)) == (
        "No progress report on 2019 had been accepted by 31 December 2019."
    )
