"""Closing an agenda item, decided from plain values (no database): a question that moved
on decides nothing, an approval of a proposal grants checked terms, other outcomes grant
none."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from prb.services.board.closing import Question, Terms, decide_closing
from prb.services.decision_rule import Result, Rule, Tally
from prb.services.errors import Invalid
from workflows import VoteChoice

OPEN = Question(
    is_extension=False,
    still_open=True,
    status_label="Under review",
    requested_budget=Decimal("150000.00"),
)
TERMS = Terms(Decimal("120000.00"), 12, date(2019, 1, 1), "Report quarterly")
APPROVE = Tally(approve=2, eligible=3)
REJECT = Tally(reject=2, eligible=3)


def close(question: Question, tally: Tally, terms: Terms = TERMS):  # type: ignore[no-untyped-def]
    return decide_closing(question, tally, Rule(), terms, chair_vote=None, chair_present=False)


def test_an_approval_grants_the_checked_terms() -> None:
    closing = close(OPEN, APPROVE)
    assert closing.decided and closing.approved
    assert closing.terms == TERMS


def test_a_rejection_grants_nothing_and_does_not_check_the_terms() -> None:
    closing = close(OPEN, REJECT, Terms(None, None, None))
    assert closing.outcome.choice is VoteChoice.REJECT
    assert closing.terms is None


def test_a_question_that_moved_on_decides_nothing_whatever_the_votes() -> None:
    moved = Question(is_extension=False, still_open=False, status_label="Withdrawn")
    closing = close(moved, APPROVE)
    assert closing.outcome.result is Result.NO_MAJORITY and closing.terms is None
    assert closing.outcome.explanation == "Not decided: the proposal is Withdrawn."
    ended = Question(is_extension=True, still_open=False, status_label="Completed")
    assert close(ended, APPROVE).outcome.explanation == "Not decided: the project is Completed."


def test_an_approved_extension_takes_no_budget_terms() -> None:
    extension = Question(is_extension=True, still_open=True, status_label="Ongoing")
    closing = close(extension, APPROVE, Terms(None, None, None))
    assert closing.approved and closing.terms is None


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        (Terms(Decimal("150000.01"), 12, date(2019, 1, 1)), "budget"),
        (Terms(Decimal("0"), 12, date(2019, 1, 1)), "budget"),
        (Terms(Decimal("1.001"), 12, date(2019, 1, 1)), "budget"),
        (Terms(Decimal("100"), 61, date(2019, 1, 1)), "duration_months"),
        (Terms(Decimal("100"), 12, None), "start"),
        (Terms(Decimal("100"), 12, date(2019, 1, 1), "x" * 5001), "conditions"),
    ],
)
def test_an_approval_on_bad_terms_is_refused(terms: Terms, field: str) -> None:
    with pytest.raises(Invalid) as refused:
        close(OPEN, APPROVE, terms)
    assert field in refused.value.fields
