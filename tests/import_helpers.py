"""An office ready to import the example portfolio: the programmes, working groups and
entities that `docs/examples/portfolio-2018.csv` names, created directly (reference-data
pages are tested elsewhere)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

from prb.extensions import db
from prb.models import CodeStyle, FundingProgramme, WorkingGroup
from tests import factories

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "portfolio-2018.csv"
EXAMPLE_CODES = [
    "UNCCT-2017-73-a",
    "UNCCT-2017-73-d",
    "UNCCT-2017-73-h",
    "UNCCT-2017-73-i",
    "UNCCT-2017-73-j",
    "UNCCT-2019-02-79-D",
    "UNCCT-2014-36",
]

GROUPS = [
    ("Border Management and Law Enforcement relating to Counter-Terrorism", "Border Management"),
    ("National and Regional Counter-Terrorism Strategies", "CT Strategies"),
    (
        "Protection of Critical Infrastructure including Internet, Vulnerable Targets and "
        "Tourism Security",
        "Critical Infrastructure",
    ),
    ("Communications", "Communications"),
    ("Legal and Criminal Justice Responses to Terrorism", "Legal & Criminal Justice"),
    ("Preventing and Responding to WMD Terrorist Attacks", "WMD"),
]


def set_up_office(world: factories.World) -> dict[str, FundingProgramme]:
    """The test world (UNCCT-2017-73, CTED, UNODC, UNOCT, UNDP, users) plus what the example
    file names besides."""
    for code in ("UNCCT", "UNICRI", "UNODA", "INTERPOL"):
        factories.entity(code)
    wmd = FundingProgramme(
        code="UNCCT-2019-02-79",
        title="Technology and Security seed funding",
        start_year=2019,
        end_year=2020,
        envelope=Decimal("1000000.00"),
        code_style=CodeStyle.UPPER,
        code_first_letter="A",
    )
    mali = FundingProgramme(
        code="UNCCT-2014-36",
        title="I-ACT Mali: security and justice sectors",
        start_year=2014,
        end_year=2018,
        envelope=Decimal("600000.00"),
        code_style=CodeStyle.TYPED,
    )
    db.session.add_all([wmd, mali])
    db.session.add_all(WorkingGroup(name=name, short_name=short) for name, short in GROUPS)
    db.session.commit()
    return {"UNCCT-2017-73": world.programme, wmd.code: wmd, mali.code: mali}


def example_bytes() -> bytes:
    return EXAMPLE.read_bytes()


def example_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(EXAMPLE.read_text(encoding="utf-8"))))


def to_csv(rows: list[dict[str, str]], *, columns: list[str] | None = None) -> bytes:
    columns = columns or list(rows[0])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def with_changes(row_number: int, **changes: str) -> bytes:
    """The example file with cells of one row (numbered as a spreadsheet does) changed."""
    rows = example_rows()
    rows[row_number - 2].update(changes)
    return to_csv(rows)
