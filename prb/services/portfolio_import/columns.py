"""The columns of a project import file: their names, whether a row must fill them, and what
goes in them. The upload page and the user documentation are written from this list."""

from __future__ import annotations

from dataclasses import dataclass

from workflows import PROPOSAL, ProposalState
from workflows.proposal import PROJECT_STATES

# The statuses a project may be imported in, in the lifecycle's order, as people read them.
STATES = [s for s in PROPOSAL.states if s.name in PROJECT_STATES]
STATE_LABELS = ", ".join(s.label for s in STATES)


@dataclass(frozen=True)
class Column:
    name: str
    # The header must have the column and every row must fill it.
    required: bool
    help: str
    example: str = ""


COLUMNS: tuple[Column, ...] = (
    Column(
        "project_code",
        True,
        "The project's code as the records give it; unique in PRB.",
        "UNCCT-2017-73-a",
    ),
    Column("title", True, "The project's title (up to 300 characters).", "Countering …"),
    Column(
        "programme_code",
        True,
        "Code of the funding programme, which must exist in PRB.",
        "UNCCT-2017-73",
    ),
    Column(
        "working_group",
        True,
        "The working group's name or short name, as PRB has it.",
        "Communications",
    ),
    Column("lead_entity", True, "Code of the lead entity.", "CTED"),
    Column(
        "implementing_entities",
        False,
        "Codes of the other implementing entities, separated by semicolons.",
        "UNODC;UNCCT",
    ),
    Column("objective", False, "One line: what the project achieves (up to 500 characters)."),
    Column("scope", False, "Global, Regional or National; empty means Global.", "Global"),
    Column("scope_detail", False, "Countries or region, for a regional or national scope.", "Mali"),
    Column("results_alignment", False, "Results framework output.", "Outcome 4, Output 4.2"),
    Column(
        "approved_budget",
        True,
        "USD approved by the Board, with a point before the cents; commas between thousands "
        "are allowed.",
        "150000.00",
    ),
    Column("decision_date", True, "Day the Board decided, as YYYY-MM-DD.", "2018-08-24"),
    Column(
        "decision_reference",
        False,
        "Meeting or written procedure, as the record names it.",
        "PRB/2018/02",
    ),
    Column("period_start", True, "First day of the approved period, YYYY-MM-DD.", "2018-09-01"),
    Column(
        "duration_months",
        False,
        "Length of the approved period in calendar months (1 to 120). Give this, "
        "period_end, or both (they must agree).",
        "12",
    ),
    Column(
        "period_end",
        False,
        "Last day of the approved period, YYYY-MM-DD (instead of, or as well as, duration_months).",
        "2019-08-31",
    ),
    Column(
        "duration_note",
        False,
        "How the duration reads in reports (up to 120 characters).",
        "subject to extension",
    ),
    Column(
        "status",
        True,
        f"The project's status today: {', '.join(s.label for s in STATES[:-1])} or "
        f"{STATES[-1].label}.",
        PROPOSAL.label(ProposalState.ONGOING),
    ),
    Column("actual_start", False, "Day work actually started, YYYY-MM-DD.", "2018-09-15"),
    Column(
        "current_end",
        False,
        "End of the period as extended, YYYY-MM-DD; required for an Extended project.",
        "2019-04-30",
    ),
    Column("committed", False, "USD committed to the implementing entity so far.", "150000.00"),
    Column("committed_on", False, "Value date of the commitment, YYYY-MM-DD.", "2018-09-10"),
    Column("disbursed", False, "USD disbursed so far.", "75000.00"),
    Column("disbursed_on", False, "Value date of the disbursement, YYYY-MM-DD.", "2018-10-01"),
)

BY_NAME = {c.name: c for c in COLUMNS}
NAMES = tuple(c.name for c in COLUMNS)
REQUIRED = tuple(c.name for c in COLUMNS if c.required)


def normalise_header(cell: str) -> str:
    """'Project code', 'project-code' and 'PROJECT_CODE' all name project_code."""
    return "_".join(cell.strip().lower().replace("-", " ").split())
