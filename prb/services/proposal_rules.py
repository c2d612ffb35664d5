"""The rules a proposal's content must satisfy: to be saved, and to be submitted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from prb.models import CENT, Proposal, Scope
from prb.services import calendar

# Text limits follow the columns, so nothing that passes validation can overflow the database.
LIMITS = {
    name: Proposal.__table__.c[name].type.length or 10_000
    for name in (
        "title",
        "objective",
        "description",
        "thematic_area",
        "scope_detail",
        "results_alignment",
        "duration_note",
    )
}
MIN_DURATION, MAX_DURATION = 1, 60
EARLIEST_START = date(2000, 1, 1)
LATEST_START = date(2099, 12, 31)

# Field names as a user reads them, in the order of the form.
LABELS = {
    "programme_id": "Funding programme",
    "call_id": "Call for proposals",
    "working_group_id": "Working group",
    "title": "Title",
    "lead_entity_id": "Lead entity",
    "implementing_entity_ids": "Other implementing entities",
    "objective": "Objective",
    "description": "Description",
    "thematic_area": "Thematic area",
    "scope": "Geographic scope",
    "scope_detail": "Countries or region",
    "results_alignment": "Results alignment",
    "requested_budget": "Requested budget",
    "duration_months": "Duration",
    "duration_note": "Duration note",
    "planned_start": "Planned start",
}


class ProposalContent(Protocol):
    title: str
    lead_entity_id: int | None
    objective: str
    description: str
    thematic_area: str
    scope: str
    scope_detail: str
    results_alignment: str
    requested_budget: Decimal | None
    duration_months: int | None
    planned_start: date | None


@dataclass
class ProposalInput:
    programme_id: int | None
    working_group_id: int | None
    title: str = ""
    lead_entity_id: int | None = None
    implementing_entity_ids: list[int] = field(default_factory=list)
    objective: str = ""
    description: str = ""
    thematic_area: str = ""
    scope: str = Scope.GLOBAL
    scope_detail: str = ""
    results_alignment: str = ""
    requested_budget: Decimal | None = None
    duration_months: int | None = None
    planned_start: date | None = None
    # How the duration reads in reports: "subject to extension", "March/April 2019–May/June 2020".
    duration_note: str = ""
    # The call the draft is written for; None: the call open when it is submitted.
    call_id: int | None = None

    def __post_init__(self) -> None:
        for name in LIMITS:
            setattr(self, name, (getattr(self, name) or "").strip())


def validate(
    data: ProposalInput,
    *,
    for_submission: bool,
    max_budget: Decimal,
    envelope: Decimal | None,
) -> dict[str, list[str]]:
    """Messages per field; empty when the content may be saved (and submitted)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.programme_id is None:
        add("programme_id", "Choose the funding programme.")
    if data.working_group_id is None:
        add("working_group_id", "Choose the working group.")
    if not data.title:
        add("title", "Give the proposal a title.")
    for name, limit in LIMITS.items():
        value: str = getattr(data, name)
        if len(value) > limit:
            add(name, f"Keep this under {limit:,} characters (it has {len(value):,}).")
    if data.scope not in Scope.ALL:
        add("scope", "Choose Global, Regional or National.")
    budget = data.requested_budget
    if budget is not None:
        if budget <= 0:
            add("requested_budget", "The requested budget must be more than USD 0.")
        elif budget != budget.quantize(CENT):
            add("requested_budget", "Give the amount in dollars and cents (two decimals at most).")
        elif budget > max_budget:
            add(
                "requested_budget",
                f"USD {budget:,.2f} is more than the USD {max_budget:,.2f} limit.",
            )
        elif envelope is not None and budget > envelope:
            add(
                "requested_budget",
                f"USD {budget:,.2f} is more than the programme's whole envelope "
                f"of USD {envelope:,.2f}.",
            )
    if data.duration_months is not None and not (
        MIN_DURATION <= data.duration_months <= MAX_DURATION
    ):
        add("duration_months", f"The duration must be {MIN_DURATION} to {MAX_DURATION} months.")
    if data.planned_start is not None and not (
        EARLIEST_START <= data.planned_start <= LATEST_START
    ):
        add(
            "planned_start",
            f"Give a start date between {calendar.long_date(EARLIEST_START)} and "
            f"{calendar.long_date(LATEST_START)}.",
        )
    if for_submission:
        for name in missing_field_names(data):
            errors.setdefault(name, []).append(f"{LABELS[name]} is required to submit.")
    return errors


def missing_field_names(content: ProposalContent) -> list[str]:
    """Fields a submission needs that are still empty."""
    missing = [
        name
        for name in ("title", "objective", "description", "thematic_area", "results_alignment")
        if not getattr(content, name)
    ]
    if content.lead_entity_id is None:
        missing.append("lead_entity_id")
    if content.scope in (Scope.REGIONAL, Scope.NATIONAL) and not content.scope_detail:
        missing.append("scope_detail")
    for name in ("requested_budget", "duration_months", "planned_start"):
        if getattr(content, name) is None:
            missing.append(name)
    order = list(LABELS)
    return sorted(missing, key=order.index)


def missing_for_submission(content: ProposalContent) -> list[str]:
    """The same as `missing_field_names`, in words."""
    return [LABELS[name].lower() for name in missing_field_names(content)]
