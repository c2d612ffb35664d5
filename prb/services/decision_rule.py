"""How the Board's votes become an outcome. Pure: no database, no Flask."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from workflows import VoteChoice

OPTIONS = (VoteChoice.APPROVE, VoteChoice.REQUEST_REVISION, VoteChoice.REJECT)


@dataclass(frozen=True)
class Tally:
    approve: int = 0
    request_revision: int = 0
    reject: int = 0
    abstain: int = 0
    eligible: int = 0  # members who may vote: board members not recused
    recused: int = 0

    @property
    def voted(self) -> int:
        return self.approve + self.request_revision + self.reject + self.abstain

    def count(self, choice: VoteChoice) -> int:
        return int(getattr(self, choice.value))


@dataclass(frozen=True)
class Rule:
    # Quorum: strictly more than this share of the eligible members must have voted
    # (abstentions count toward the quorum).
    quorum: Fraction = Fraction(1, 2)
    # On a tie or no majority, the Board chair's vote decides when she is present.
    casting_vote: bool = True


class Result(StrEnum):
    DECIDED = "decided"
    NO_QUORUM = "no_quorum"
    NO_MAJORITY = "no_majority"


@dataclass(frozen=True)
class Outcome:
    result: Result
    choice: VoteChoice | None
    casting_vote_used: bool
    explanation: str


def decide(
    tally: Tally,
    rule: Rule,
    *,
    chair_vote: VoteChoice | None = None,
    chair_present: bool = False,
) -> Outcome:
    if tally.eligible == 0 or not tally.voted > tally.eligible * rule.quorum:
        needed = int(tally.eligible * rule.quorum) + 1
        return Outcome(
            Result.NO_QUORUM,
            None,
            False,
            f"No quorum: {tally.voted} of {tally.eligible} eligible members voted; "
            f"at least {needed} needed.",
        )
    casting = sum(tally.count(c) for c in OPTIONS)
    if casting == 0:
        return Outcome(
            Result.NO_MAJORITY, None, False, "No majority: every member who voted abstained."
        )
    for choice in OPTIONS:
        if 2 * tally.count(choice) > casting:
            return Outcome(
                Result.DECIDED,
                choice,
                False,
                f"{choice.outcome_label} by {tally.count(choice)} of {casting} votes cast "
                "(abstentions aside).",
            )
    top = max(tally.count(c) for c in OPTIONS)
    leaders = [c for c in OPTIONS if tally.count(c) == top]
    if rule.casting_vote and chair_present and chair_vote in leaders:
        return Outcome(
            Result.DECIDED,
            chair_vote,
            True,
            f"{chair_vote.outcome_label} by the Board chair's casting vote: no option had a "
            f"majority ({', '.join(f'{c.label} {tally.count(c)}' for c in OPTIONS)}).",
        )
    return Outcome(
        Result.NO_MAJORITY,
        None,
        False,
        "No majority ("
        + ", ".join(f"{c.label} {tally.count(c)}" for c in OPTIONS)
        + "); the item is deferred to a later meeting.",
    )
