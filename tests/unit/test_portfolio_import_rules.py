"""The rules of a project import file, one table row per rule, without a database: each case
breaks one rule and expects the row, the column and the words of the message."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from prb.services.portfolio_import.checks import check_sheet
from prb.services.portfolio_import.columns import NAMES
from prb.services.portfolio_import.reader import read
from prb.services.portfolio_import.rules import Lookups, ProgrammeRef

PROGRAMME = ProgrammeRef(1, "UNCCT-2017-73", Decimal("1356000.00"), Decimal("0.00"))
SMALL = ProgrammeRef(2, "UNCCT-2014-36", Decimal("1000000.00"), Decimal("500000.00"))


def lookups(**changes: object) -> Lookups:
    values: dict[str, object] = {
        "programmes": {"uncct-2017-73": PROGRAMME, "uncct-2014-36": SMALL},
        "groups": {
            "communications": {1},
            "border": {2, 3},  # a short name two groups share
            "border management and law enforcement": {2},
        },
        "entities": {"cted": 1, "unodc": 2, "un women": 3},
        "taken_codes": {"uncct-2017-73-z": "UNCCT-2017-73-z"},
        "today": date(2024, 6, 1),
    }
    values.update(changes)
    return Lookups(**values)  # type: ignore[arg-type]


def row(**changes: str) -> dict[str, str]:
    values = {
        "project_code": "UNCCT-2017-73-i",
        "title": "Countering Terrorist Narratives",
        "programme_code": "UNCCT-2017-73",
        "working_group": "Communications",
        "lead_entity": "CTED",
        "implementing_entities": "UNODC; UN Women",
        "objective": "Counter terrorist narratives",
        "scope": "Global",
        "scope_detail": "",
        "results_alignment": "Outcome 4, Output 4.2",
        "approved_budget": "150,000.00",
        "decision_date": "2018-08-24",
        "decision_reference": "PRB/WP/2018/03",
        "period_start": "2018-09-01",
        "duration_months": "12",
        "period_end": "",
        "duration_note": "subject to extension",
        "status": "Ongoing",
        "actual_start": "",
        "current_end": "",
        "committed": "150000.00",
        "committed_on": "2018-09-05",
        "disbursed": "50000.00",
        "disbursed_on": "2018-11-20",
    }
    values.update(changes)
    return values


def file(*rows: dict[str, str], columns: list[str] | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=columns or list(NAMES), lineterminator="\n", extrasaction="ignore"
    )
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def problems(content: bytes, **lookup_changes: object) -> list[tuple[int, str, str]]:
    _, errors = check_sheet(read(content), lookups(**lookup_changes))
    return [(e.row, e.field, e.message) for e in errors]


def test_a_valid_row_is_read_as_a_project() -> None:
    rows, errors = check_sheet(read(file(row())), lookups())
    assert errors == []
    (project,) = rows
    assert project.approved_budget == Decimal("150000.00")
    assert project.implementing_entity_ids == [2, 3]
    assert (project.period_start, project.original_end) == (date(2018, 9, 1), date(2019, 8, 31))
    assert project.current_end == project.original_end
    assert (project.committed, project.disbursed) == (Decimal("150000.00"), Decimal("50000.00"))


CASES = [
    # (cells changed, column, words of the message)
    ({"project_code": ""}, "project_code", "Required"),
    ({"project_code": "UNCCT 2017 73"}, "project_code", "letters, digits and hyphens"),
    ({"project_code": "UNCCT-2017-73-z"}, "project_code", "already has a project UNCCT-2017-73-z"),
    # the same code in another case is the same project
    ({"project_code": "uncct-2017-73-Z"}, "project_code", "already has a project UNCCT-2017-73-z"),
    ({"title": ""}, "title", "Required"),
    ({"title": "x" * 301}, "title", "under 300 characters"),
    ({"title": "bad\x00title"}, "title", "control character"),
    ({"title": "Project \u202efdp.exe"}, "title", "text-direction character (U+202E)"),
    ({"programme_code": "UNCCT-1999-01"}, "programme_code", "no funding programme"),
    ({"working_group": "Gardening"}, "working_group", "no working group named “Gardening”"),
    ({"working_group": "Border"}, "working_group", "several working groups"),
    ({"lead_entity": "WHO"}, "lead_entity", "no entity with the code “WHO”"),
    ({"implementing_entities": "UNODC;XYZ"}, "implementing_entities", "“XYZ”"),
    ({"scope": "Continental"}, "scope", "Global, Regional or National"),
    ({"approved_budget": ""}, "approved_budget", "Required"),
    ({"approved_budget": "12,34.00"}, "approved_budget", "is not an amount"),
    ({"approved_budget": "1.5e5"}, "approved_budget", "is not an amount"),
    ({"approved_budget": "100.005"}, "approved_budget", "two decimals"),
    ({"approved_budget": "0"}, "approved_budget", "more than USD 0"),
    ({"approved_budget": "-5"}, "approved_budget", "is not an amount"),
    # Past Decimal's 28 digits quantize raised: a 500 on the import's check
    ({"approved_budget": "1" + "0" * 27}, "approved_budget", "not a plausible amount"),
    ({"approved_budget": "10,000,000,000.00"}, "approved_budget", "not a plausible amount"),
    ({"decision_date": "24/08/2018"}, "decision_date", "is not a date"),
    ({"decision_date": "2018-02-30"}, "decision_date", "is not a date"),
    ({"decision_date": "2099-01-01"}, "decision_date", "in the future"),
    ({"decision_date": "1899-01-01"}, "decision_date", "check the year"),
    ({"period_start": ""}, "period_start", "Required"),
    ({"duration_months": "twelve"}, "duration_months", "whole number of months"),
    ({"duration_months": "0"}, "duration_months", "from 1 to 120"),
    ({"duration_months": "121"}, "duration_months", "from 1 to 120"),
    ({"duration_months": "²"}, "duration_months", "whole number of months"),  # isdigit() took it
    ({"duration_months": "1" * 5000}, "duration_months", "whole number of months"),
    ({"duration_months": ""}, "duration_months", "Give duration_months or period_end"),
    ({"duration_months": "", "period_end": "2018-08-31"}, "period_end", "before it starts"),
    ({"period_end": "2019-09-30"}, "period_end", "end on 2019-08-31, not 2019-09-30"),
    ({"status": ""}, "status", "Required"),
    ({"status": "Running"}, "status", "Approved, Initiated, Ongoing, Extended, Completed"),
    ({"status": "Under review"}, "status", "not a project's status"),
    ({"status": "draft"}, "status", "not a project's status"),
    ({"status": "Extended"}, "current_end", "needs its current end"),
    ({"current_end": "2019-01-31"}, "current_end", "before the period's end"),
    ({"actual_start": "2099-01-01"}, "actual_start", "in the future"),
    # "150.000" is 150,000 in a European spreadsheet; Decimal reads it as 150.00
    ({"approved_budget": "150.000"}, "approved_budget", "more than two decimals"),
    ({"committed": "1.500"}, "committed", "more than two decimals"),
    ({"committed": "200000.00"}, "committed", "exceed the approved budget of USD 150,000.00"),
    ({"disbursed": "150000.01"}, "disbursed", "exceed the USD 150,000.00 committed by USD 0.01"),
    ({"committed": "", "committed_on": ""}, "disbursed", "exceed the USD 0.00 committed"),
    ({"committed_on": ""}, "committed_on", "Give the value date"),
    ({"committed": "", "disbursed": "", "disbursed_on": ""}, "committed", "no amount committed"),
    ({"committed_on": "2018-08-01"}, "committed_on", "before the Board's decision"),
    ({"disbursed_on": "2018-09-01"}, "disbursed_on", "cannot predate the commitment"),
    ({"committed_on": "2099-01-01"}, "committed_on", "in the future"),
]


@pytest.mark.parametrize(("changes", "column", "words"), CASES)
def test_each_rule_names_the_row_and_the_column(changes, column, words) -> None:  # type: ignore[no-untyped-def]
    found = problems(file(row(), row(**({"project_code": "UNCCT-2017-73-j"} | changes))))
    assert [(r, c) for r, c, _ in found] == [(3, column)], found
    assert words in found[0][2]


def test_status_and_scope_are_read_whatever_their_case() -> None:
    rows, errors = check_sheet(
        read(file(row(status="ongoing", scope="NATIONAL", scope_detail="Mali"))), lookups()
    )
    assert errors == [] and rows[0].status == "ongoing" and rows[0].scope == "National"


def test_every_problem_of_a_row_is_reported_not_only_the_first() -> None:
    found = problems(
        file(row(lead_entity="WHO", approved_budget="lots", decision_date="soon", status="?"))
    )
    assert [(r, c) for r, c, _ in found] == [
        (2, "lead_entity"),
        (2, "approved_budget"),
        (2, "decision_date"),
        (2, "status"),
    ]


def test_a_code_twice_in_the_file_is_refused_on_its_second_row() -> None:
    found = problems(file(row(), row(title="Another")))
    assert [(r, c) for r, c, _ in found] == [(3, "project_code")]
    assert "also on row 2" in found[0][2]


def test_the_envelope_holds_what_prb_has_and_the_whole_file() -> None:
    big = {"approved_budget": "300000.00", "committed": "", "committed_on": ""}
    big |= {"disbursed": "", "disbursed_on": "", "programme_code": "UNCCT-2014-36"}
    # 500,000 used of 1,000,000: the second 300,000 crosses it.
    found = problems(
        file(row(**big), row(project_code="UNCCT-B", **big), row(project_code="UNCCT-C", **big))
    )
    assert [(r, c) for r, c, _ in found] == [(3, "approved_budget")]
    assert "exceeded by USD 400,000.00" in found[0][2]
    assert "USD 900,000.00 in all" in found[0][2]
    # Cancelled projects take only what they were paid.
    cancelled = big | {"status": "Cancelled", "committed": "1000.00", "committed_on": "2018-09-05"}
    assert problems(file(row(**big), row(project_code="UNCCT-B", **cancelled))) == []


@pytest.mark.parametrize(
    ("content", "where", "words"),
    [
        (b"", (1, ""), "empty"),
        (file(columns=list(NAMES)), (2, ""), "no project rows"),
        (file(row(), columns=[n for n in NAMES if n != "status"]), (1, "status"), "no status"),
        (file(row(), columns=[*NAMES, "colour"]), (1, "colour"), "Unknown column"),
        (
            file(row(), columns=[n for n in NAMES if n not in ("duration_months", "period_end")]),
            (1, "duration_months"),
            "duration_months or period_end",
        ),
        (file(row()).replace(b"title,", b"title,Title,", 1), (1, "title"), "appears twice"),
        (file(row()) + b"x," * 30 + b"x\n", (3, ""), "cells but the header names"),
        (
            file(row(), row(project_code="UNCCT-B")).replace(b"Global", b"Gl\xe9bal"),
            (2, ""),
            "UTF-8",
        ),
    ],
)
def test_problems_of_the_file_itself(content: bytes, where, words: str) -> None:  # type: ignore[no-untyped-def]
    found = problems(content)
    assert (found[0][0], found[0][1]) == where, found
    assert words in found[0][2]


def test_blank_lines_are_skipped_but_rows_keep_their_spreadsheet_numbers() -> None:
    # An empty line and a line of empty cells: rows 3 and 4, as a spreadsheet shows them.
    content = file(row()) + b"\n,,,\n" + file(row(project_code="UNCCT-B", title=""))[len(file()) :]
    found = problems(content)
    assert [(r, c) for r, c, _ in found] == [(5, "title")]


def test_a_multi_line_cell_counts_as_one_row() -> None:
    content = file(
        row(objective="Line one\nline two"), row(project_code="UNCCT-B", lead_entity="WHO")
    )
    assert [(r, c) for r, c, _ in problems(content)] == [(3, "lead_entity")]


def test_a_kept_file_comes_back_only_under_its_own_sha256(tmp_path) -> None:
    from prb.services.portfolio_import import staging

    folder = tmp_path / "staged"
    digest = staging.keep(folder, b"project_code\n")
    assert staging.take(folder, digest) == b"project_code\n"
    for forged in ("../" + digest, digest.upper(), "0" * 64, "", digest + "x"):
        assert staging.take(folder, forged) is None
    # A kept file changed on disk no longer matches its name: refused, not imported.
    (folder / f"{digest}.csv").write_bytes(b"something else\n")
    assert staging.take(folder, digest) is None
    staging.discard(folder, digest)
    assert list(folder.iterdir()) == []


def test_a_filename_is_only_ever_a_label() -> None:
    from prb.services.portfolio_import import clean_filename

    assert clean_filename("C:\\Users\\nadia\\portfolio.csv") == "portfolio.csv"
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("bad\x00name\n.csv") == "badname.csv"
    assert clean_filename("") == "upload.csv"
    assert len(clean_filename("x" * 1000)) == 255
