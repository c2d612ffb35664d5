"""Every PDF PRB makes is PDF/A-3b (archival) and PDF/UA-1 (tagged, readable by a screen
reader), as veraPDF, the PDF Association's validator, judges them: draft minutes, signed
final minutes, a corrigendum, the portfolio overview and the annual report's section, each
made through the pages a user clicks.

The validator is found through PRB_VERAPDF (the path of the `verapdf` script; .ci/run sets
it). Without it the test fails in CI (CI set) and is skipped elsewhere."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from secrets import token_hex

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from prb.services import pdf
from prb.services.signing import create_demo_certificate
from tests import factories
from tests.conftest import sign_in
from tests.verapdf_helpers import failures, validator
from tests.web.test_minutes import decided_meeting
from workflows import ProposalState

FLAVOURS = ("3b", "ua1")


def _pdf(client: FlaskClient, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf", url
    return response.data


def made_by_clicks(client: FlaskClient, app: Flask, world, tmp_path: Path) -> list[Path]:  # type: ignore[no-untyped-def]
    """The PDFs a secretariat user downloads in one session, written to tmp_path."""
    app.config["SIGNING_P12"] = str(create_demo_certificate(tmp_path / "demo.p12"))
    m = decided_meeting(world)
    factories.project(
        world,
        status=ProposalState.ONGOING,
        code="UNCCT-2017-73-k",
        start=date(2018, 1, 1),
        months=12,
        title="Border management",
    )
    sign_in(client, world.secretariat)
    made = {"draft-minutes.pdf": _pdf(client, f"/board/meetings/{m.id}/minutes/draft.pdf")}
    finalised = client.post(f"/board/meetings/{m.id}/minutes", data={"once": token_hex(8)})
    assert finalised.status_code == 303
    made["signed-final-minutes.pdf"] = _pdf(client, f"/board/meetings/{m.id}/minutes/v1.pdf")
    corrected = client.post(
        f"/board/meetings/{m.id}/minutes",
        data={"once": token_hex(8), "place": "Geneva", "title_1": "Biometrics Compendium II"},
    )
    assert corrected.status_code == 303
    made["corrigendum.pdf"] = _pdf(client, f"/board/meetings/{m.id}/minutes/v2.pdf")
    made["portfolio.pdf"] = _pdf(client, "/reports/portfolio.pdf?year=2018")
    made["annual-section.pdf"] = _pdf(
        client,
        f"/reports/annual-section.pdf?programme_id={world.programme.id}&year=2018&scope=board",
    )
    assert b"/ByteRange" in made["signed-final-minutes.pdf"], "the final is not signed"
    paths = []
    for name, content in made.items():
        (path := tmp_path / name).write_bytes(content)
        paths.append(path)
    return paths


# The database plays no part in what is judged here: one run, on SQLite.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_every_pdf_is_pdf_a_3b_and_pdf_ua_1(client, app, world, tmp_path: Path) -> None:
    verapdf = validator()
    files = made_by_clicks(client, app, world, tmp_path)
    failed = {
        f"{name} ({flavour})": rules
        for flavour in FLAVOURS
        for name, rules in failures(verapdf, flavour, files).items()
        if rules
    }
    assert not failed, "\n".join(
        f"{name}:\n  " + "\n  ".join(rules) for name, rules in sorted(failed.items())
    )


# -- What veraPDF does not see --------------------------------------------------------------
# veraPDF accepts tagged content outside the structure tree, and would accept a document whose
# every word were an artifact. These read the structure itself (no validator needed).

FOOTER = """<html lang="en"><head><title>T</title><style>@page { @bottom-right {
content: "Page " counter(page) " of " counter(pages) } }</style></head><body>
<h1>Minutes</h1><p>Text</p><p style="break-before: page">More</p></body></html>"""


def _tree(reader: PdfReader) -> tuple[set[tuple[int, int]], dict[int, list[object]]]:
    """(the structure elements reachable from the root, by (object, generation); each
    page's MCID-to-element array from the parent tree)."""
    root = reader.trailer["/Root"]["/StructTreeRoot"]
    reachable: set[tuple[int, int]] = set()
    todo = list(root["/K"]) if isinstance(root["/K"], list) else [root.raw_get("/K")]
    while todo:
        kid = todo.pop()
        if not isinstance(kid, IndirectObject) or (kid.idnum, kid.generation) in reachable:
            continue
        reachable.add((kid.idnum, kid.generation))
        element = kid.get_object()
        if element.get("/Type") == "/StructElem":
            kids = element.raw_get("/K")
            todo.extend(kids if isinstance(kids, list) else [kids])
    nums = root["/ParentTree"]["/Nums"]
    by_page = {
        int(key): list(value)
        for key, value in zip(nums[::2], nums[1::2], strict=True)
        if isinstance(value, list)
    }
    return reachable, by_page


def test_running_footers_are_artifacts_and_the_text_is_in_the_structure_tree() -> None:
    reader = PdfReader(io.BytesIO(pdf.render(FOOTER)))
    reachable, by_page = _tree(reader)
    assert len(reader.pages) == 2 and set(by_page) == {0, 1}
    for number, page in enumerate(reader.pages):
        entries = by_page[number]
        tagged = [e for e in entries if isinstance(e, IndirectObject)]
        # every tagged item of the page belongs to the tree, and there is some on each page
        assert tagged and all((e.idnum, e.generation) in reachable for e in tagged)
        # the footer, and only it, is an artifact: its MCID is left empty in the parent tree
        assert len(entries) - len(tagged) == 1
        # one marked-content sequence with an MCID for each tagged item: none for the footer
        assert page.get_contents().get_data().count(b"BDC") == len(tagged)


def test_the_catalog_and_xmp_identify_pdf_a_3b_and_pdf_ua_1() -> None:
    reader = PdfReader(io.BytesIO(pdf.render(FOOTER)))
    catalog = reader.trailer["/Root"]
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert catalog["/MarkInfo"]["/Marked"].value is True and catalog["/Lang"] == "en"
    xmp = ET.fromstring(catalog["/Metadata"].get_object().get_data())
    found = {
        (element.tag, element.text)
        for element in xmp.iter()
        if element.tag.startswith("{http://www.aiim.org/")
    }
    assert ("{http://www.aiim.org/pdfua/ns/id/}part", "1") in found
    assert ("{http://www.aiim.org/pdfa/ns/schema#}prefix", "pdfuaid") in found
    description = next(
        d
        for d in xmp.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description")
        if d.get("{http://www.aiim.org/pdfa/ns/id/}part")
    )
    assert description.get("{http://www.aiim.org/pdfa/ns/id/}part") == "3"
    assert description.get("{http://www.aiim.org/pdfa/ns/id/}conformance") == "B"


TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "pdf"


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_pdf_templates_use_only_what_weasyprint_tags_well(template: str) -> None:
    """No <dl> (WeasyPrint 70 tags terms and descriptions as unrelated list items: facts are
    tables with row headers), every header cell says what it heads, the language is set."""
    html = (TEMPLATES / template).read_text()
    assert "<dl" not in html and "<dt" not in html
    headers = re.findall(r"<th\b[^>]*>", html)
    assert headers and all(re.search(r'\bscope="(col|row)"', th) for th in headers), headers
    assert re.search(r'<html lang="[a-z]{2}', html)
