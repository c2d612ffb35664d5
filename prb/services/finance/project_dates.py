"""A project's dates as finance records them: the actual start, the final report and the
amount it says was spent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from prb.models import CENT, Proposal, User, utcnow
from prb.services import audit
from prb.services.access import require_role
from prb.services.errors import Conflict, Invalid
from prb.services.finance.ledger import lock_project
from prb.services.transaction import committed
from workflows import ProposalState, Role

S = ProposalState


@dataclass
class ProjectDates:
    actual_start: date | None
    final_report_on: date | None
    spent_reported: Decimal | None
    # The dates as the page showed them (`dates_seen`): saved over dates changed since — by
    # another officer, or the secretariat accepting the final report — is refused (409).
    # None: not checked (a caller with no page).
    seen: str | None = None


def dates_seen(proposal: Proposal) -> str:
    """The project's dates and amount spent, as one value a form carries back."""
    return "|".join(
        "" if value is None else str(value)
        for value in (proposal.actual_start, proposal.final_report_on, proposal.spent_reported)
    )


def record_project_dates(actor: User, proposal_id: int, data: ProjectDates) -> Proposal:
    require_role(actor, Role.FINANCE, action="record project dates")
    errors: dict[str, list[str]] = {}
    today = utcnow().date()
    for name in ("actual_start", "final_report_on"):
        value = getattr(data, name)
        if value is not None and value > today:
            errors[name] = ["The date cannot be in the future."]
    if data.actual_start and data.final_report_on and data.final_report_on < data.actual_start:
        errors["final_report_on"] = ["The final report cannot predate the start."]
    if data.spent_reported is not None and (
        data.spent_reported < 0 or data.spent_reported != data.spent_reported.quantize(CENT)
    ):
        errors["spent_reported"] = ["Give the amount spent in dollars and cents (0 or more)."]
    if data.spent_reported is not None and data.final_report_on is None:
        errors["final_report_on"] = ["Give the date of the final report that states the amount."]
    if errors:
        raise Invalid("Nothing was saved: please correct the fields marked.", errors)
    with committed():
        proposal = lock_project(actor, proposal_id)
        if proposal.status in (S.COMPLETED, S.CANCELLED):
            raise Conflict(f"The project is {proposal.status_label}; its dates are final.")
        if data.seen is not None and data.seen != dates_seen(proposal):
            raise Conflict(
                "The project's dates changed since you opened the page (saved by someone "
                "else, or by the final report's acceptance). Nothing was saved: the page now "
                "shows them; enter your change again."
            )
        changes = []
        for name, label in (
            ("actual_start", "actual start"),
            ("final_report_on", "final report"),
            ("spent_reported", "amount spent"),
        ):
            value = getattr(data, name)
            if getattr(proposal, name) != value:
                setattr(proposal, name, value)
                changes.append(f"{label}: {value if value is not None else 'cleared'}")
        if changes:
            audit.record(
                "project_dates",
                actor=actor,
                role=Role.FINANCE,
                proposal=proposal,
                comment="; ".join(changes),
            )
    return proposal
