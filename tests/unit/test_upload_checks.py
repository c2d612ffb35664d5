"""Upload checks as table tests (no database): the type comes from the content and must
agree with the name; zip bombs are refused from their central directory alone; hostile
names are refused, Arabic and French ones kept."""

from __future__ import annotations

import zipfile

import pytest

from prb.services.files.checks import MB, Kind, Refused, check_upload, clean_name
from tests import file_samples as f

LIMIT = 20 * MB


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("budget.pdf", f.PDF, Kind.PDF),
        ("Project document.DOCX", f.DOCX, Kind.DOCX),
        ("workbook.xlsx", f.XLSX, Kind.XLSX),
        ("note.odt", f.ODT, Kind.ODT),
        ("sheet.ods", f.ODS, Kind.ODS),
        ("map.png", f.PNG, Kind.PNG),
        ("photo.jpg", f.JPEG, Kind.JPEG),
        ("photo.jpeg", f.JPEG, Kind.JPEG),
        ("تقرير المشروع.pdf", f.PDF, Kind.PDF),
        ("Lettre de soutien — Genève.docx", f.DOCX, Kind.DOCX),
    ],
)
def test_accepted(name: str, data: bytes, kind: Kind) -> None:
    accepted = check_upload(name, data, max_size=LIMIT)
    assert accepted.kind == kind and accepted.size == len(data) and accepted.name == name


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("renamed.docx", f.PDF, "named as a DOCX file but its content is PDF"),
        ("renamed.pdf", f.PNG, "named as a PDF file but its content is PNG"),
        ("sheet.odt", f.ODS, "named as a ODT file but its content is ODS"),
        ("setup.pdf", f.EXE, "is not a PDF file"),
        ("setup.exe", f.EXE, "not a file type PRB accepts"),
        ("archive.docx", f.PLAIN_ZIP, "is not a DOCX file"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "damaged"),
        ("no-extension", f.PDF, "not a file type PRB accepts"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_refused_by_content(name: str, data: bytes, says: str) -> None:
    with pytest.raises(Refused) as refused:
        check_upload(name, data, max_size=LIMIT)
    assert says in refused.value.message


def test_oversized() -> None:
    with pytest.raises(Refused, match="files up to 1 MB are accepted"):
        check_upload("big.pdf", f.PDF + bytes(MB), max_size=MB)
    assert check_upload("fits.pdf", f.PDF, max_size=len(f.PDF)).size == len(f.PDF)


@pytest.fixture
def never_unpacked(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a zip member was unpacked")

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "read", refuse)


BOMB = f.docx_bomb(30)  # built before the test forbids opening zip members


@pytest.mark.usefixtures("never_unpacked")
def test_zip_bomb_refused_without_unpacking() -> None:
    bomb = BOMB
    assert len(bomb) < MB  # 30 MB of zeros squeezed into some kilobytes
    with pytest.raises(Refused, match="zip bomb"):
        check_upload("bomb.docx", bomb, max_size=LIMIT)


@pytest.mark.usefixtures("never_unpacked")
def test_declared_total_too_large_refused() -> None:
    from prb.services.files.checks import kind_of_content

    with pytest.raises(Refused, match="zip bomb"):
        kind_of_content(f.DOCX, max_unpacked=100)


@pytest.mark.usefixtures("never_unpacked")
@pytest.mark.parametrize("data", [f.DOCX, f.XLSX, f.ODT, f.ODS])
def test_office_types_read_without_unpacking(data: bytes) -> None:
    from prb.services.files.checks import kind_of_content

    assert kind_of_content(data) is not None


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("../../etc/passwd.pdf", "another folder"),
        ("reports/../../secret.pdf", "another folder"),
        ("..\\..\\boot.pdf", "backslash"),
        ("C:\\Users\\x\\file.pdf", "backslash"),
        ("/etc/report.pdf", "absolute path"),
        ("C:report.pdf", "absolute path"),
        ("invoice\u202efdp.exe", "text-direction"),
        ("report\u2067.pdf", "text-direction"),
        ("report\u200f.pdf", "text-direction"),
        ("report\u061c.pdf", "text-direction"),
        ("rep\u200bort.pdf", "zero-width"),
        ("rep\u2060ort.pdf", "zero-width"),
        ("\ufeffreport.pdf", "zero-width"),
        ("report\x00.pdf", "control character"),
        ("report\n.pdf", "control character"),
        ("", "no name"),
        (".pdf", "not only an extension"),
        ("a" * 300 + ".pdf", "longer than"),
    ],
)
def test_hostile_names(raw: str, says: str) -> None:
    with pytest.raises(Refused) as refused:
        clean_name(raw)
    assert says in refused.value.message


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("folder/report.pdf", "report.pdf"),
        ("Re\u0301sume\u0301.pdf", "Résumé.pdf"),  # decomposed accents become NFC
        ("مذكرة.pdf", "مذكرة.pdf"),
        ("Note d’information.odt", "Note d’information.odt"),
    ],
)
def test_names_kept(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean
