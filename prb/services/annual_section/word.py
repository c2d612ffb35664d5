"""The annual report section as a Word document (DOCX, python-docx) the office edits into
its report: the same figures, table and paragraphs as the PDF, in plain styles (Heading 1–2,
Normal, a table in "Table Grid") so the office's own template restyles them."""

from __future__ import annotations

import io
import re

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.shared import Mm, Pt

from prb.services.annual_section import Section
from prb.services.portfolio.rows import OverviewRow, long_date

OVERVIEW_COLUMNS = (
    "Project code",
    "Working group / title",
    "Objective",
    "Duration",
    "Status",
    "Scope",
    "Results alignment",
    "Co-funding (USD)",
)

# XML 1.0 forbids these characters; python-docx would refuse the whole document for one
# typed into a title. (Text itself needs no escaping: python-docx writes it as XML text.)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: object) -> str:
    return _NOT_XML.sub("", str(value))


def _usd(amount: object) -> str:
    return f"{amount:,.2f}" if amount else "—"


def docx_bytes(data: Section) -> bytes:
    document = Document()
    core = document.core_properties
    core.title = _text(data.heading)
    core.author = "Programme Review Board secretariat"
    core.subject = f"Annual report {data.year}: seed-funding section"
    # The same section gives the same properties: no "now" of the machine that built it.
    core.created = core.modified = data.generated_at.replace(tzinfo=None, microsecond=0)
    core.last_modified_by = "PRB"
    page = document.sections[0]
    page.orientation = WD_ORIENT.LANDSCAPE
    page.page_width, page.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(page, side, Mm(15))

    document.add_heading(_text(data.title), level=1)
    document.add_paragraph(_text(data.opening))
    facts = [
        (f"Approved in {data.year}", str(data.approved)),
        ("Total budget (envelope)", f"USD {data.envelope:,.2f}"),
        ("Under consideration", f"{data.under_consideration} at {long_date(data.as_at)}"),
        ("Co-funding", f"USD {data.co_funding_total:,.2f} from other funders"),
    ]
    for label, value in facts:
        line = document.add_paragraph()
        line.add_run(label + ": ").bold = True
        line.add_run(value)

    document.add_heading(_text(data.overview_title), level=2)
    document.add_paragraph(f"Statuses and periods as they stood on {long_date(data.as_at)}.")
    _overview(document, data.rows)
    if data.pending:
        document.add_heading("Approved, not yet initiated", level=3)
        _overview(document, data.pending)

    if data.cofunded:
        document.add_heading("Co-funding", level=2)
        cofunding = document.add_table(rows=1, cols=5)
        cofunding.style = "Table Grid"
        for cell, name in zip(
            cofunding.rows[0].cells,
            ("Project code", "Funder", "Date", "Amount", "USD"),
            strict=True,
        ):
            cell.text = name
        for code, c in data.cofunded:
            values = (
                code,
                c.funder,
                long_date(c.contributed_on),
                f"{c.currency} {c.amount:,.2f}",
                f"{c.usd_amount:,.2f}",
            )
            for cell, value in zip(cofunding.add_row().cells, values, strict=True):
                cell.text = _text(value)
        total = cofunding.add_row().cells
        total[0].text = "Total"
        total[4].text = f"{data.co_funding_total:,.2f}"

    document.add_heading("The projects", level=2)
    for paragraph in data.paragraphs:
        heading = document.add_paragraph()
        heading.add_run(_text(f"{paragraph.row.code}: ")).bold = True
        heading.add_run(_text(paragraph.row.proposal.title))
        for text in paragraph.narrative.split("\n\n"):
            body = document.add_paragraph(_text(text))
            if not paragraph.has_narrative:
                for run in body.runs:
                    run.italic = True
        if paragraph.co_funding_sentence:
            document.add_paragraph(_text(paragraph.co_funding_sentence))

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _overview(document: DocumentObject, rows: list[OverviewRow]) -> None:
    """One of the overview's tables, as the PDF prints it."""
    table = document.add_table(rows=1, cols=len(OVERVIEW_COLUMNS))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, OVERVIEW_COLUMNS, strict=True):
        cell.text = name
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for r in rows:
        p = r.proposal
        scope = p.scope + (f" ({p.scope_detail})" if p.scope_detail else "")
        values = (
            r.code,
            f"{p.working_group.name}\n{p.title}",
            p.objective,
            r.duration,
            r.status,
            scope,
            p.results_alignment,
            _usd(r.co_funding),
        )
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = _text(value)
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
