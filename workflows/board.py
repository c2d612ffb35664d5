"""The Board's own vocabulary: how members vote, and the lifecycle of an agenda item."""

from __future__ import annotations

from enum import StrEnum

from workflows.definition import State, Transition, Workflow
from workflows.extension import ExtensionTrigger
from workflows.proposal import ProposalTrigger
from workflows.roles import Role


class VoteChoice(StrEnum):
    APPROVE = "approve"
    REQUEST_REVISION = "request_revision"
    REJECT = "reject"
    ABSTAIN = "abstain"

    @property
    def label(self) -> str:
        return VOTE_LABELS[self]

    @property
    def outcome_label(self) -> str:
        """The option as the Board's decision reads: "Approved", not the ballot's "Approve"."""
        return OUTCOME_LABELS[self]


VOTE_LABELS: dict[VoteChoice, str] = {
    VoteChoice.APPROVE: "Approve",
    VoteChoice.REQUEST_REVISION: "Request revision",
    VoteChoice.REJECT: "Reject",
    VoteChoice.ABSTAIN: "Abstain",
}

# What a decision reads when this option carried. Abstention never carries, but has a label
# so that every choice has one.
OUTCOME_LABELS: dict[VoteChoice, str] = {
    VoteChoice.APPROVE: "Approved",
    VoteChoice.REQUEST_REVISION: "Revision requested",
    VoteChoice.REJECT: "Rejected",
    VoteChoice.ABSTAIN: "Abstained",
}

# The proposal trigger a Board outcome fires. Abstention is never an outcome.
OUTCOME_TRIGGER: dict[VoteChoice, ProposalTrigger] = {
    VoteChoice.APPROVE: ProposalTrigger.APPROVE,
    VoteChoice.REQUEST_REVISION: ProposalTrigger.REQUEST_REVISION,
    VoteChoice.REJECT: ProposalTrigger.REJECT,
}


# The extension-request trigger a Board outcome fires.
EXTENSION_OUTCOME: dict[VoteChoice, ExtensionTrigger] = {
    VoteChoice.APPROVE: ExtensionTrigger.APPROVE,
    VoteChoice.REQUEST_REVISION: ExtensionTrigger.REQUEST_REVISION,
    VoteChoice.REJECT: ExtensionTrigger.REJECT,
}


class MeetingKind(StrEnum):
    MEETING = "meeting"
    WRITTEN_PROCEDURE = "written_procedure"

    @property
    def label(self) -> str:
        return "Meeting" if self is MeetingKind.MEETING else "Written procedure"


class ItemState(StrEnum):
    OPEN = "open"
    DECIDED = "decided"
    DEFERRED = "deferred"
    WITHDRAWN = "withdrawn"


class ItemTrigger(StrEnum):
    DECIDE = "decide"
    DEFER = "defer"
    WITHDRAW = "withdraw"


_CLOSERS = frozenset({Role.SECRETARIAT, Role.SCHEDULER})

AGENDA_ITEM = Workflow(
    name="Agenda item",
    states=(
        State(ItemState.OPEN, "Open for voting", "Members may vote and change their votes."),
        State(
            ItemState.DECIDED,
            "Decided",
            "Closed with a recorded Board decision that moved the proposal on.",
            terminal=True,
        ),
        State(
            ItemState.DEFERRED,
            "Deferred",
            "Closed without a decision (no quorum, or no majority); the proposal stays under "
            "review for a later meeting.",
            terminal=True,
        ),
        State(
            ItemState.WITHDRAWN,
            "Withdrawn",
            "Taken off the agenda by the secretariat before anyone voted; it stays on record, "
            "and the proposal may go on another agenda.",
            terminal=True,
        ),
    ),
    transitions=(
        Transition(
            ItemTrigger.DECIDE, (ItemState.OPEN,), ItemState.DECIDED, "Record decision", _CLOSERS
        ),
        Transition(ItemTrigger.DEFER, (ItemState.OPEN,), ItemState.DEFERRED, "Defer", _CLOSERS),
        Transition(
            ItemTrigger.WITHDRAW,
            (ItemState.OPEN,),
            ItemState.WITHDRAWN,
            "Withdraw from the agenda",
            frozenset({Role.SECRETARIAT}),
        ),
    ),
    initial=ItemState.OPEN,
    subject="agenda item",
)
