"""What closing an agenda item decides, from plain values. Pure: no database, no Flask —
the use case in `decisions` reads the facts, asks here, and stores the answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from prb.models.types import CENT
from prb.services.decision_rule import Outcome, Result, Rule, Tally, decide
from prb.services.errors import Invalid
from workflows import VoteChoice


@dataclass
class Terms:
    """What an approval grants; prefilled from the request."""

    budget: Decimal | None
    duration_months: int | None
    start: date | None
    conditions: str = ""
    # Programmes whose codes are typed at approval (`CodeStyle.TYPED`): the project's code.
    project_code: str = ""


@dataclass(frozen=True)
class Question:
    """What the item puts to the Board, as it stands when the item closes."""

    is_extension: bool
    # False when the proposal (or the project, for an extension) has moved on since it was
    # put on the agenda: the votes then decide nothing.
    still_open: bool
    status_label: str
    requested_budget: Decimal | None = None
    # An approval must be given the project's code (typed-code programme, no code yet).
    code_to_type: bool = False


@dataclass(frozen=True)
class Closing:
    outcome: Outcome
    # The terms granted: set (and checked) only when a proposal is approved.
    terms: Terms | None

    @property
    def decided(self) -> bool:
        return self.outcome.result is Result.DECIDED

    @property
    def approved(self) -> bool:
        return self.outcome.choice is VoteChoice.APPROVE


def checked_terms(
    terms: Terms, requested_budget: Decimal | None, *, code_to_type: bool = False
) -> Terms:
    errors: dict[str, list[str]] = {}
    if code_to_type and not terms.project_code.strip():
        errors["project_code"] = [
            "Type the project code: this programme's codes are given at approval."
        ]
    if terms.budget is None or terms.budget <= 0:
        errors["budget"] = ["Give the approved budget (more than USD 0)."]
    elif terms.budget != terms.budget.quantize(CENT):
        errors["budget"] = ["Give the amount in dollars and cents."]
    elif requested_budget is not None and terms.budget > requested_budget:
        errors["budget"] = [
            f"The approved budget may not exceed the USD {requested_budget:,.2f} requested."
        ]
    if terms.duration_months is None or not 1 <= terms.duration_months <= 60:
        errors["duration_months"] = ["The approved duration must be 1 to 60 months."]
    if terms.start is None:
        errors["start"] = ["Give the start of the approved period."]
    if len(terms.conditions) > 5000:
        errors["conditions"] = ["Keep the conditions under 5,000 characters."]
    if errors:
        raise Invalid("The item was not closed: please correct the terms of approval.", errors)
    return terms


def decide_closing(
    question: Question,
    tally: Tally,
    rule: Rule,
    terms: Terms,
    *,
    chair_vote: VoteChoice | None,
    chair_present: bool,
) -> Closing:
    """The outcome of closing an item. Raises `Invalid` when the Board approved a proposal
    on terms that break a rule (nothing is then stored)."""
    if not question.still_open:
        subject = "project" if question.is_extension else "proposal"
        return Closing(
            Outcome(
                Result.NO_MAJORITY,
                None,
                False,
                f"Not decided: the {subject} is {question.status_label}.",
            ),
            None,
        )
    outcome = decide(tally, rule, chair_vote=chair_vote, chair_present=chair_present)
    if (
        outcome.result is Result.DECIDED
        and outcome.choice is VoteChoice.APPROVE
        and not question.is_extension
    ):
        return Closing(
            outcome,
            checked_terms(terms, question.requested_budget, code_to_type=question.code_to_type),
        )
    return Closing(outcome, None)
