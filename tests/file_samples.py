"""Small real files of every accepted type, and hostile ones, built in memory for the tests."""

from __future__ import annotations

import io
import zipfile

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"\x00" * 64
    + b"\xff\xd9"
)
# A Windows executable: "MZ", then the DOS stub.
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"This program cannot be run in DOS mode"
    + b"\x00" * 64
)


def _zip(entries: list[tuple[str, bytes, int]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, method in entries:
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buffer.getvalue()


_CT = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
DOCX = _zip(
    [
        ("[Content_Types].xml", _CT, zipfile.ZIP_DEFLATED),
        ("word/document.xml", b"<w:document/>" * 20, zipfile.ZIP_DEFLATED),
    ]
)
XLSX = _zip(
    [
        ("[Content_Types].xml", _CT, zipfile.ZIP_DEFLATED),
        ("xl/workbook.xml", b"<workbook/>" * 20, zipfile.ZIP_DEFLATED),
    ]
)


def odf(media_type: str) -> bytes:
    return _zip(
        [
            ("mimetype", media_type.encode(), zipfile.ZIP_STORED),
            ("content.xml", b"<office:document-content/>" * 20, zipfile.ZIP_DEFLATED),
        ]
    )


ODT = odf("application/vnd.oasis.opendocument.text")
ODS = odf("application/vnd.oasis.opendocument.spreadsheet")
# A zip that is no office document at all.
PLAIN_ZIP = _zip([("notes.txt", b"hello", zipfile.ZIP_DEFLATED)])


def docx_bomb(megabytes: int = 30) -> bytes:
    """A DOCX whose one part unpacks to `megabytes` of zeros from a few kilobytes."""
    return _zip(
        [
            ("[Content_Types].xml", _CT, zipfile.ZIP_DEFLATED),
            ("word/document.xml", bytes(megabytes * 1024 * 1024), zipfile.ZIP_DEFLATED),
        ]
    )
