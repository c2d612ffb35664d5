"""The Board's decision rule, as tables: quorum, majority, ties, casting vote, abstentions
and recusals."""

from __future__ import annotations

from fractions import Fraction

import pytest

from prb.services.decision_rule import Result, Rule, Tally, decide
from workflows import VoteChoice

A, V, R, X = VoteChoice.APPROVE, VoteChoice.REQUEST_REVISION, VoteChoice.REJECT, VoteChoice.ABSTAIN
DEFAULT = Rule()
NO_CASTING = Rule(casting_vote=False)

# (approve, revision, reject, abstain, eligible, recused), chair's vote, chair present, rule
#   → result, choice, casting vote used
CASES = [
    # quorum: strictly more than half of the eligible members voted
    ((2, 0, 0, 0, 4, 0), None, False, DEFAULT, Result.NO_QUORUM, None, False),
    ((3, 0, 0, 0, 4, 0), None, False, DEFAULT, Result.DECIDED, A, False),
    ((2, 0, 0, 1, 5, 0), None, False, DEFAULT, Result.DECIDED, A, False),  # abstain counts
    ((0, 0, 0, 0, 0, 4), None, False, DEFAULT, Result.NO_QUORUM, None, False),  # all recused
    ((0, 0, 0, 0, 3, 0), None, False, DEFAULT, Result.NO_QUORUM, None, False),  # nobody voted
    # recusals change the quorum: 5 members, 2 recused → 3 eligible, 2 votes suffice
    ((2, 0, 0, 0, 3, 2), None, False, DEFAULT, Result.DECIDED, A, False),
    ((1, 0, 0, 0, 3, 2), None, False, DEFAULT, Result.NO_QUORUM, None, False),
    # strict majority of the non-abstaining votes
    ((3, 1, 1, 0, 5, 0), None, False, DEFAULT, Result.DECIDED, A, False),
    ((1, 3, 0, 0, 5, 0), None, False, DEFAULT, Result.DECIDED, V, False),
    ((0, 0, 2, 3, 5, 0), None, False, DEFAULT, Result.DECIDED, R, False),  # 2 of 2 non-abstaining
    ((1, 1, 1, 2, 5, 0), None, False, DEFAULT, Result.NO_MAJORITY, None, False),
    # all abstain: quorum reached, no majority
    ((0, 0, 0, 4, 5, 0), None, False, DEFAULT, Result.NO_MAJORITY, None, False),
    # tie: the chair's casting vote when present and allowed
    ((2, 0, 2, 0, 5, 0), A, True, DEFAULT, Result.DECIDED, A, True),
    ((2, 0, 2, 0, 5, 0), R, True, DEFAULT, Result.DECIDED, R, True),
    ((2, 0, 2, 0, 5, 0), A, False, DEFAULT, Result.NO_MAJORITY, None, False),  # absent
    ((2, 0, 2, 0, 5, 0), A, True, NO_CASTING, Result.NO_MAJORITY, None, False),  # not allowed
    ((2, 0, 2, 1, 5, 0), X, True, DEFAULT, Result.NO_MAJORITY, None, False),  # chair abstained
    ((2, 0, 2, 0, 5, 0), None, True, DEFAULT, Result.NO_MAJORITY, None, False),  # no chair vote
    # no majority without a tie: the casting vote counts only for a leading option
    ((2, 1, 1, 0, 5, 0), A, True, DEFAULT, Result.DECIDED, A, True),
    ((2, 1, 1, 0, 5, 0), R, True, DEFAULT, Result.NO_MAJORITY, None, False),
]


@pytest.mark.parametrize(
    ("counts", "chair_vote", "present", "rule", "result", "choice", "casting"), CASES
)
def test_decision_rule(counts, chair_vote, present, rule, result, choice, casting) -> None:  # type: ignore[no-untyped-def]
    approve, revision, reject, abstain, eligible, recused = counts
    tally = Tally(approve, revision, reject, abstain, eligible, recused)
    outcome = decide(tally, rule, chair_vote=chair_vote, chair_present=present)
    assert (outcome.result, outcome.choice, outcome.casting_vote_used) == (result, choice, casting)
    assert outcome.explanation


def test_the_quorum_share_is_configurable() -> None:
    tally = Tally(approve=3, eligible=5)
    assert decide(tally, Rule(quorum=Fraction(1, 2))).result is Result.DECIDED
    assert decide(tally, Rule(quorum=Fraction(2, 3))).result is Result.NO_QUORUM


def test_no_quorum_message_says_how_many_were_needed() -> None:
    outcome = decide(Tally(approve=1, eligible=4), DEFAULT)
    assert outcome.explanation == "No quorum: 1 of 4 eligible members voted; at least 3 needed."


@pytest.mark.parametrize(
    ("tally", "chair_vote", "expected"),
    [
        (Tally(approve=3, eligible=4), None, "Approved by 3 of 3 votes cast (abstentions aside)."),
        (Tally(request_revision=3, eligible=4), None, "Revision requested by 3 of 3 votes cast"),
        (Tally(reject=2, abstain=1, eligible=4), None, "Rejected by 2 of 2 votes cast"),
        (Tally(approve=2, reject=2, eligible=5), R, "Rejected by the Board chair's casting vote"),
    ],
)
def test_a_decision_reads_as_its_outcome_not_as_the_ballot_option(
    tally: Tally, chair_vote: VoteChoice | None, expected: str
) -> None:
    """Issue 17: "Decision: Approve" read like an instruction; the Board *approved*."""
    outcome = decide(tally, DEFAULT, chair_vote=chair_vote, chair_present=True)
    assert outcome.explanation.startswith(expected)
    assert outcome.choice is not None
    assert outcome.choice.outcome_label == expected.split(" by ")[0]
    # the ballot keeps its imperative wording
    assert outcome.choice.label in {"Approve", "Request revision", "Reject"}


def test_every_vote_option_has_an_outcome_label() -> None:
    assert {c.outcome_label for c in VoteChoice} == {
        "Approved",
        "Revision requested",
        "Rejected",
        "Abstained",
    }
