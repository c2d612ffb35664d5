"""The rules every row of a project import must satisfy. Pure: the reference data arrives in a
`Lookups`, loaded once for the whole file, so checking 5,000 rows asks the database nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from prb.models import Proposal, Scope
from prb.services.calendar import long_date, months_between, period_end
from prb.services.codes import TYPED_CODE
from prb.services.finance import Balances
from prb.services.portfolio_import.columns import STATE_LABELS
from prb.services.portfolio_import.reader import RowError
from workflows import PROPOSAL, ProposalState
from workflows.proposal import PROJECT_STATES

ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("1000000000.00")
MIN_MONTHS, MAX_MONTHS = 1, 120
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
LIMITS = {
    name: Proposal.__table__.c[name].type.length
    for name in (
        "title",
        "objective",
        "scope_detail",
        "results_alignment",
        "duration_note",
        "decision_reference",
    )
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_AMOUNT = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
# Dollars of the largest amount taken (MAX_AMOUNT): more digits are refused before Decimal
# is asked to round them (past its 28 digits, quantize raises).
_DOLLAR_DIGITS = len(str(int(MAX_AMOUNT)))


@dataclass(frozen=True)
class ProgrammeRef:
    id: int
    code: str
    envelope: Decimal
    # Already taken from the envelope by the programme's projects in PRB.
    used: Decimal


@dataclass
class Lookups:
    """The reference data a file names, keyed by lower-case code or name."""

    programmes: dict[str, ProgrammeRef]
    groups: dict[str, set[int]]
    entities: dict[str, int]
    # The file's project codes that PRB already has.
    # The codes PRB has, by their lower case.
    taken_codes: dict[str, str]
    today: date


@dataclass
class ProjectRow:
    """A valid row, ready to become a project."""

    row: int
    project_code: str
    title: str
    programme: ProgrammeRef
    working_group_id: int
    lead_entity_id: int
    implementing_entity_ids: list[int]
    objective: str
    scope: str
    scope_detail: str
    results_alignment: str
    approved_budget: Decimal
    decision_date: date
    decision_reference: str
    period_start: date
    duration_months: int
    original_end: date
    current_end: date
    duration_note: str
    status: ProposalState
    actual_start: date | None = None
    committed: Decimal | None = None
    committed_on: date | None = None
    disbursed: Decimal | None = None
    disbursed_on: date | None = None

    @property
    def envelope_use(self) -> Decimal:
        """What the project takes from its programme's envelope: its budget, or, once
        cancelled, only what it was paid (as the finance service counts it)."""
        if self.status == ProposalState.CANCELLED:
            return self.disbursed or ZERO
        return self.approved_budget


class _Cells:
    """One row's cells, parsed one at a time; each problem is kept with its column."""

    def __init__(self, number: int, values: dict[str, str], today: date) -> None:
        self.number = number
        self.values = values
        self.today = today
        self.errors: list[RowError] = []

    def fail(self, name: str, message: str) -> None:
        self.errors.append(RowError(self.number, name, message))

    def failed(self, *names: str) -> bool:
        return any(e.field in names for e in self.errors)

    def text(self, name: str, *, required: bool = False) -> str:
        value = self.values.get(name, "")
        if required and not value:
            self.fail(name, "Required: this cell is empty.")
        limit = LIMITS.get(name)
        if limit and len(value) > limit:
            self.fail(name, f"Keep this under {limit:,} characters (it has {len(value):,}).")
        return value

    def date(self, name: str, *, required: bool = False, past: bool = False) -> date | None:
        value = self.values.get(name, "")
        if not value:
            if required:
                self.fail(name, "Required: give a date as YYYY-MM-DD, for example 2018-01-01.")
            return None
        try:
            if not _ISO_DATE.match(value):
                raise ValueError
            parsed = date.fromisoformat(value)
        except ValueError:
            self.fail(name, f"“{value}” is not a date: write it as YYYY-MM-DD, e.g. 2018-01-01.")
            return None
        if not EARLIEST <= parsed <= LATEST:
            self.fail(name, f"{long_date(parsed)} is out of range: check the year.")
            return None
        if past and parsed > self.today:
            self.fail(name, f"{long_date(parsed)} is in the future.")
            return None
        return parsed

    def amount(self, name: str, *, required: bool = False) -> Decimal | None:
        value = self.values.get(name, "").removeprefix("USD").strip()
        if not value:
            if required:
                self.fail(name, "Required: give the amount in US dollars, e.g. 150000.00.")
            return None
        if not _AMOUNT.match(value):
            self.fail(
                name,
                f"“{value}” is not an amount: write US dollars with a point before the cents, "
                "e.g. 150000.00 or 150,000.00.",
            )
            return None
        if len(value.partition(".")[2]) > 2:  # as written: "150.000" is 150,000 to Europe
            self.fail(name, f"“{value}” has more than two decimals: e.g. 150000.00 or 150,000.00.")
            return None
        dollars = value.split(".")[0].replace(",", "").lstrip("0")
        if len(dollars) > _DOLLAR_DIGITS:
            self.fail(name, f"“{value}” is not a plausible amount.")
            return None
        try:
            parsed = Decimal(value.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            self.fail(name, f"“{value}” is not an amount.")
            return None
        if parsed <= 0:
            self.fail(name, "The amount must be more than USD 0 (leave the cell empty for none).")
        elif parsed > MAX_AMOUNT:
            self.fail(name, f"USD {parsed:,.2f} is not a plausible amount.")
        else:
            return parsed
        return None

    def months(self, name: str) -> int | None:
        value = self.values.get(name, "")
        if not value:
            return None
        # ASCII digits only, and few: str.isdigit() admits "²", which int() refuses.
        if (
            not (value.isascii() and value.isdigit() and len(value) <= 3)
            or not MIN_MONTHS <= int(value) <= MAX_MONTHS
        ):
            self.fail(name, f"Give a whole number of months from {MIN_MONTHS} to {MAX_MONTHS}.")
            return None
        return int(value)


def _status(cells: _Cells) -> ProposalState | None:
    value = cells.values.get("status", "")
    wanted = value.strip().lower().replace("_", " ")
    for s in PROPOSAL.states:
        if wanted in (s.label.lower(), str(s.name).replace("_", " ")):
            if s.name in PROJECT_STATES:
                return ProposalState(s.name)
            cells.fail(
                "status",
                f"“{value}” is not a project's status (only projects the Board approved are "
                f"imported): use {STATE_LABELS}.",
            )
            return None
    cells.fail(
        "status", f"“{value}” is not a status: use {STATE_LABELS}." if value else "Required."
    )
    return None


def _scope(cells: _Cells) -> str:
    value = cells.values.get("scope", "")
    if not value:
        return Scope.GLOBAL
    for scope in Scope.ALL:
        if value.lower() == scope.lower():
            return scope
    cells.fail("scope", f"“{value}” is not a scope: use Global, Regional or National.")
    return Scope.GLOBAL


def _entities(cells: _Cells, lookups: Lookups) -> tuple[int | None, list[int]]:
    lead_code = cells.text("lead_entity", required=True)
    lead = lookups.entities.get(lead_code.lower()) if lead_code else None
    if lead_code and lead is None:
        cells.fail("lead_entity", f"PRB has no entity with the code “{lead_code}”.")
    others: list[int] = []
    for code in (c.strip() for c in cells.values.get("implementing_entities", "").split(";")):
        if not code:
            continue
        found = lookups.entities.get(code.lower())
        if found is None:
            cells.fail("implementing_entities", f"PRB has no entity with the code “{code}”.")
        elif found not in others and found != lead:
            others.append(found)
    return lead, others


def _reference(cells: _Cells, lookups: Lookups) -> tuple[ProgrammeRef | None, int | None]:
    code = cells.text("programme_code", required=True)
    programme = lookups.programmes.get(code.lower()) if code else None
    if code and programme is None:
        cells.fail("programme_code", f"PRB has no funding programme with the code “{code}”.")
    name = cells.text("working_group", required=True)
    groups = lookups.groups.get(name.lower(), set()) if name else set()
    group = next(iter(groups)) if len(groups) == 1 else None
    if name and not groups:
        cells.fail("working_group", f"PRB has no working group named “{name}”.")
    elif len(groups) > 1:
        cells.fail("working_group", f"“{name}” names several working groups: give the full name.")
    return programme, group


def _period(cells: _Cells) -> tuple[date | None, int | None, date | None]:
    start = cells.date("period_start", required=True)
    months = cells.months("duration_months")
    end = cells.date("period_end")
    if cells.failed("period_start", "duration_months", "period_end") or start is None:
        return start, None, None
    if months is None and end is None:
        cells.fail("duration_months", "Give duration_months or period_end.")
        return start, None, None
    if end is not None and end < start:
        cells.fail("period_end", f"The period ends ({end}) before it starts ({start}).")
        return start, None, None
    if months is not None and end is not None and period_end(start, months) != end:
        cells.fail(
            "period_end",
            f"{months} months from {start} end on {period_end(start, months)}, not {end}: "
            "give one of duration_months and period_end, or make them agree.",
        )
        return start, None, None
    if end is None:
        assert months is not None
        end = period_end(start, months)
    if months is None:
        months = months_between(start, end)
        if months > MAX_MONTHS:
            cells.fail("period_end", f"The period is longer than {MAX_MONTHS} months.")
            return start, None, None
    return start, months, end


def _ledger_line(
    cells: _Cells, name: str, decided: date | None
) -> tuple[Decimal | None, date | None]:
    amount = cells.amount(name)
    when = cells.date(f"{name}_on", past=True)
    if amount is not None and when is None and not cells.failed(f"{name}_on"):
        cells.fail(f"{name}_on", f"Give the value date of the amount {name}.")
    elif amount is None and when is not None and not cells.failed(name):
        cells.fail(name, f"A date is given but no amount {name}.")
    elif when is not None and decided is not None and when < decided:
        cells.fail(f"{name}_on", f"{when} is before the Board's decision of {decided}.")
    return amount, when


def _ledger(cells: _Cells, budget: Decimal | None, decided: date | None) -> dict[str, object]:
    """The ledger figures obey the ledger's own rules on amounts (`Balances.problem`: no more
    committed than approved, no more disbursed than committed) and are dated after the
    decision. The rules tied to today's status do not apply: the figures are history."""
    committed, committed_on = _ledger_line(cells, "committed", decided)
    disbursed, disbursed_on = _ledger_line(cells, "disbursed", decided)
    if not cells.failed("committed", "disbursed"):
        balances = Balances(
            approved=budget if budget is not None else committed or ZERO,
            committed=committed or ZERO,
            disbursed=disbursed or ZERO,
        )
        problem = balances.problem()
        if problem:
            column = "committed" if balances.committed > balances.approved else "disbursed"
            cells.fail(column, problem[0].upper() + problem[1:] + ".")
    if committed_on and disbursed_on and disbursed_on < committed_on:
        cells.fail("disbursed_on", "The disbursement cannot predate the commitment.")
    return {
        "committed": committed,
        "committed_on": committed_on,
        "disbursed": disbursed,
        "disbursed_on": disbursed_on,
    }


def check_row(
    number: int, values: dict[str, str], lookups: Lookups
) -> tuple[ProjectRow | None, list[RowError]]:
    """The row as a project, or None and every problem of the row."""
    cells = _Cells(number, values, lookups.today)
    code = cells.text("project_code", required=True)
    if code and not TYPED_CODE.match(code):
        cells.fail(
            "project_code", "Use letters, digits and hyphens, e.g. UNCCT-2019-02-79-D (3–40)."
        )
    elif code.lower() in lookups.taken_codes:
        cells.fail(
            "project_code", f"PRB already has a project {lookups.taken_codes[code.lower()]}."
        )
    title = cells.text("title", required=True)
    programme, group = _reference(cells, lookups)
    lead, others = _entities(cells, lookups)
    texts = {
        name: cells.text(name)
        for name in (
            "objective",
            "scope_detail",
            "results_alignment",
            "decision_reference",
            "duration_note",
        )
    }
    scope = _scope(cells)
    budget = cells.amount("approved_budget", required=True)
    decided = cells.date("decision_date", required=True, past=True)
    start, months, end = _period(cells)
    status = _status(cells)
    actual_start = cells.date("actual_start", past=True)
    current_end = cells.date("current_end")
    if end is not None and current_end is not None and current_end < end:
        cells.fail(
            "current_end", f"The current end ({current_end}) is before the period's end ({end})."
        )
    elif status == ProposalState.EXTENDED and end is not None and (current_end or end) <= end:
        cells.fail(
            "current_end",
            f"An Extended project needs its current end, after the period's end ({end}).",
        )
    ledger = _ledger(cells, budget, decided)
    if cells.errors:
        return None, cells.errors
    assert programme and group and lead and budget and decided and start and months
    assert end and status
    return (
        ProjectRow(
            row=number,
            project_code=code,
            title=title,
            programme=programme,
            working_group_id=group,
            lead_entity_id=lead,
            implementing_entity_ids=others,
            scope=scope,
            approved_budget=budget,
            decision_date=decided,
            period_start=start,
            duration_months=months,
            original_end=end,
            current_end=current_end or end,
            status=status,
            actual_start=actual_start,
            **texts,
            **ledger,  # type: ignore[arg-type]
        ),
        [],
    )
