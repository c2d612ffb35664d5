"""What an uploaded file must be before PRB keeps it: pure functions, no database, no Flask.

The type is read from the content (magic bytes; for the zip-based office formats, the zip's
central directory and the ODF `mimetype` entry's stored bytes), never taken from the name or
the browser; the name's extension must then agree with it. Zip-based files are judged from
the sizes their central directory declares and are never unpacked, so a zip bomb costs
nothing to refuse.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass
from enum import StrEnum

import filetype  # type: ignore[import-untyped]

from prb.services.typed_text import DIRECTION_CONTROLS

MB = 1024 * 1024
DEFAULT_MAX_MB = 20
# A zip-based document whose parts together declare more than this, or whose parts are
# squeezed more than this ratio, is refused as a likely zip bomb. Real DOCX/XLSX/ODT files
# compress text ~5-20 times; images inside are barely compressed at all.
MAX_UNPACKED_BYTES = 200 * MB
MAX_RATIO = 100
MAX_ZIP_ENTRIES = 5000
MAX_NAME_LENGTH = 200


class Kind(StrEnum):
    """The file types PRB accepts, by their usual extension."""

    PDF = "pdf"
    DOCX = "docx"
    XLSX = "xlsx"
    ODT = "odt"
    ODS = "ods"
    PNG = "png"
    JPEG = "jpeg"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self]

    @property
    def label(self) -> str:
        return self.name


MEDIA_TYPES = {
    Kind.PDF: "application/pdf",
    Kind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Kind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Kind.ODT: "application/vnd.oasis.opendocument.text",
    Kind.ODS: "application/vnd.oasis.opendocument.spreadsheet",
    Kind.PNG: "image/png",
    Kind.JPEG: "image/jpeg",
}
EXTENSIONS = {
    "pdf": Kind.PDF,
    "docx": Kind.DOCX,
    "xlsx": Kind.XLSX,
    "odt": Kind.ODT,
    "ods": Kind.ODS,
    "png": Kind.PNG,
    "jpg": Kind.JPEG,
    "jpeg": Kind.JPEG,
}
ACCEPTED = "PDF, DOCX, XLSX, ODT, ODS, PNG or JPEG"
_BY_MAGIC = {"application/pdf": Kind.PDF, "image/png": Kind.PNG, "image/jpeg": Kind.JPEG}
_ODF = {
    MEDIA_TYPES[Kind.ODT].encode(): Kind.ODT,
    MEDIA_TYPES[Kind.ODS].encode(): Kind.ODS,
}

# Characters that make a name display differently from what it is: bidirectional controls
# (an "exe.pdf" shown as "fdp.exe") and zero-width characters (two names that look alike).
_BIDI = DIRECTION_CONTROLS | {"\u200e", "\u200f", "\u061c"}
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


class Refused(ValueError):
    """An upload PRB does not keep; `message` is for the page."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Accepted:
    name: str  # cleaned: the last path component, NFC
    kind: Kind
    size: int

    @property
    def media_type(self) -> str:
        return self.kind.media_type


def max_bytes(max_mb: int | float) -> int:
    return int(max_mb * MB)


def clean_name(raw: str | None) -> str:
    """The file name as the user gave it, made safe to show and to offer back; Refused
    when it tries to climb out of a folder or hides what it is."""
    if not raw or not raw.strip():
        raise Refused("The file has no name. Choose a file to upload.")
    name = unicodedata.normalize("NFC", raw)
    if "\\" in name:
        raise Refused("The file name must not contain a backslash (\\).")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise Refused("The file name must not be an absolute path.")
    parts = name.split("/")
    if any(part in (".", "..") for part in parts):
        raise Refused("The file name must not point into another folder (../).")
    name = parts[-1].strip()
    for ch in name:
        if ch in _BIDI:
            raise Refused(
                "The file name contains an invisible text-direction character (U+"
                f"{ord(ch):04X}), which can make it look like another name. Rename the file."
            )
        if ch in _ZERO_WIDTH:
            raise Refused(
                f"The file name contains an invisible zero-width character (U+{ord(ch):04X}). "
                "Rename the file."
            )
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
            raise Refused(
                f"The file name contains a control character (U+{ord(ch):04X}). Rename the file."
            )
    if not name or name.startswith("."):
        raise Refused("The file name must be a name, not only an extension or a dot.")
    if len(name) > MAX_NAME_LENGTH:
        raise Refused(f"The file name is longer than {MAX_NAME_LENGTH} characters.")
    return name


def kind_of_name(name: str) -> Kind:
    stem, dot, extension = name.rpartition(".")
    kind = EXTENSIONS.get(extension.lower()) if dot and stem else None
    if kind is None:
        raise Refused(f"“{name}” is not a file type PRB accepts: upload a {ACCEPTED} file.")
    return kind


def _zip_kind(data: bytes, max_unpacked: int) -> Kind | None:
    """DOCX, XLSX, ODT or ODS from the zip's central directory alone (never decompressed)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise Refused(
            "The file is a damaged or incomplete document and cannot be accepted."
        ) from None
    with archive:
        entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        raise Refused("The document holds too many parts to be a real office file.")
    unpacked = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries)
    worst = max(
        (e.file_size / max(e.compress_size, 1) for e in entries if e.file_size > MB), default=0
    )
    if unpacked > max_unpacked or worst > MAX_RATIO or unpacked > MAX_RATIO * max(packed, MB):
        raise Refused(
            "The document would unpack to far more than its size (a “zip bomb”) and "
            "cannot be accepted."
        )
    names = {e.filename for e in entries}
    if "[Content_Types].xml" in names:
        if any(n.startswith("word/") for n in names):
            return Kind.DOCX
        if any(n.startswith("xl/") for n in names):
            return Kind.XLSX
        return None
    # ODF: the first entry is `mimetype`, stored uncompressed, so its text is in the bytes
    # right after the first local header (30 bytes + the name) — read without unpacking.
    if entries and entries[0].filename == "mimetype" and entries[0].compress_type == 0:
        start = entries[0].header_offset + 30 + len("mimetype")
        extra = int.from_bytes(data[entries[0].header_offset + 28 : start - 8], "little")
        start += extra
        value = data[start : start + entries[0].file_size]
        return _ODF.get(value)
    return None


def kind_of_content(data: bytes, *, max_unpacked: int = MAX_UNPACKED_BYTES) -> Kind | None:
    """The accepted type the bytes are, or None."""
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data, max_unpacked)
    guessed = filetype.guess_mime(data[:8192])
    return _BY_MAGIC.get(guessed) if guessed else None


def check_upload(raw_name: str | None, data: bytes, *, max_size: int) -> Accepted:
    """The cleaned name and the type read from the content, or Refused with the reason."""
    name = clean_name(raw_name)
    if len(data) > max_size:
        raise Refused(
            f"“{name}” is {len(data) / MB:.1f} MB; files up to {max_size / MB:g} MB are accepted."
        )
    if not data:
        raise Refused(f"“{name}” is empty.")
    named = kind_of_name(name)
    found = kind_of_content(data)
    if found is None:
        raise Refused(
            f"“{name}” is not a {named.label} file (its content is not any of {ACCEPTED}). "
            "Only those types are accepted."
        )
    if found != named:
        raise Refused(
            f"“{name}” is named as a {named.label} file but its content is {found.label}. "
            "Rename it to match what it is."
        )
    return Accepted(name=name, kind=found, size=len(data))
