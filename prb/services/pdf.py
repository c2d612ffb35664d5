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

# WeasyPrint writes one conformance identification per document (its PDF/A one here), so
# the PDF/UA-1 identification is added to the same XMP packet, with the PDF/A extension
# schema that describes the pdfuaid namespace: PDF/A allows a property from outside its
# predefined schemas only when the packet describes it.
_PDFUA_XMP = b"""<rdf:Description rdf:about="" \
xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" \
xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" \
xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">\
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">\
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>\
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">\
<pdfaProperty:name>part</pdfaProperty:name>\
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>\
<pdfaProperty:category>internal</pdfaProperty:category>\
<pdfaProperty:description>Indicates which part of ISO 14289 the file conforms to\
</pdfaProperty:description>\
</rdf:li></rdf:Seq></pdfaSchema:property>\
</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>\
<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">\
<pdfuaid:part>1</pdfuaid:part></rdf:Description>"""


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
    """PDF/A-3b and PDF/UA-1 from `html`: tagged (the structure tree follows the HTML's
    elements), the title displayed, the language from <html lang>. Title, author, subject
    and dates come from the HTML's <title> and <meta> tags. The same HTML gives the same
    bytes (the identifier is its hash)."""
    from weasyprint import HTML
    from weasyprint import Attachment as WeasyAttachment

    identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
    return HTML(string=html, base_url=str(PDF_STYLESHEET.parent)).write_pdf(
        stylesheets=[_stylesheet()],
        font_config=_font_config(),
        pdf_variant=PDF_VARIANT,
        pdf_identifier=identifier,
        pdf_tags=True,
        finisher=_finish,
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


def _finish(document, pdf) -> None:  # type: ignore[no-untyped-def]
    """WeasyPrint's finisher hook: the pydyf document before it is written, for what no
    write_pdf option says (the PDF/A variant and PDF/UA variant cannot be combined)."""
    _running_heads_as_artifacts(pdf)
    _identify_pdfua(pdf)


def _object(pdf, reference: bytes):  # type: ignore[no-untyped-def]
    return pdf.objects[int(reference.split()[0])]


def _running_heads_as_artifacts(pdf) -> None:  # type: ignore[no-untyped-def]
    """Mark the text of the @page margin boxes (the running footer: reference, "Page 1 of
    2") as a pagination artifact, as PDF/UA wants headers and footers. WeasyPrint 70 tags
    it, then leaves its structure elements out of the structure tree (an artifact in the
    tree is PDF 2.0 only): those unreachable elements are what is marked here."""
    # References are pydyf's b"12 0 R"; a structure element's kids mix them with MCIDs.
    root = _object(pdf, pdf.catalog["StructTreeRoot"])
    reachable: set[bytes] = set()
    todo = list(root["K"])
    while todo:
        reference = todo.pop()
        if reference in reachable:
            continue
        reachable.add(reference)
        element = _object(pdf, reference)
        if isinstance(element, dict) and element.get("Type") == "/StructElem":
            todo.extend(k for k in element["K"] if isinstance(k, bytes))
    parent_tree = _object(pdf, root["ParentTree"])
    nums = parent_tree["Nums"]
    pages = pdf.page_references
    for page, (key, by_mcid) in enumerate(zip(nums[::2], nums[1::2], strict=True)):
        if page >= len(pages) or key != page:
            break  # past the pages: the entries of annotations
        unreached = {m for m, ref in enumerate(by_mcid) if ref not in reachable}
        if not unreached:
            continue
        content = _object(pdf, _object(pdf, pages[page])["Contents"])
        ops = content.stream
        marked = [
            i
            for i in range(len(ops) - 2)
            if ops[i + 2] == b"BDC"
            and isinstance(ops[i + 1], dict)
            and ops[i + 1].get("MCID") in unreached
        ]
        if len(marked) != len(unreached):
            continue  # not the stream WeasyPrint is known to write: leave it as it is
        for i in reversed(marked):
            ops[i : i + 3] = ["/Artifact", b"BMC"]
        for m in unreached:
            by_mcid[m] = b"null"


def _identify_pdfua(pdf) -> None:  # type: ignore[no-untyped-def]
    """Add the PDF/UA-1 identification inside the RDF of the XMP packet WeasyPrint wrote."""
    stream = _object(pdf, pdf.catalog["Metadata"])
    (packet,) = stream.stream
    head, tail = packet.rsplit(b"</rdf:RDF>", 1)
    stream.stream = [head + _PDFUA_XMP + b"</rdf:RDF>" + tail]


def iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()
