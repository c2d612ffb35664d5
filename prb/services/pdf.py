"""Rendering HTML to archival PDF with WeasyPrint. Fonts and the stylesheet are prepared
once per process: building them is the expensive part of a small document."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

PDF_STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "pdf.css"
PDF_VARIANT = "pdf/a-3b"


@cache
def _font_config():  # type: ignore[no-untyped-def]
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@cache
def _stylesheet():  # type: ignore[no-untyped-def]
    from weasyprint import CSS

    return CSS(filename=str(PDF_STYLESHEET), font_config=_font_config())


@dataclass(frozen=True)
class Attachment:
    name: str
    content: str
    description: str


def render(html: str, *, attachments: tuple[Attachment, ...] = ()) -> bytes:
    """PDF/A-3b from `html`. Title, author, subject and dates come from the HTML's <title>
    and <meta> tags. The same HTML gives the same bytes (the identifier is its hash)."""
    from weasyprint import HTML
    from weasyprint import Attachment as WeasyAttachment

    identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
    return HTML(string=html, base_url=str(PDF_STYLESHEET.parent)).write_pdf(
        stylesheets=[_stylesheet()],
        font_config=_font_config(),
        pdf_variant=PDF_VARIANT,
        pdf_identifier=identifier,
        attachments=[
            WeasyAttachment(
                string=a.content,
                name=a.name,
                description=a.description,
                relationship="Data",
            )
            for a in attachments
        ],
    )


def iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()
