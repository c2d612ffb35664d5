"""The lifecycle of a request to extend a running project."""

from __future__ import annotations

from enum import StrEnum

from workflows.definition import State, Transition, Workflow
from workflows.proposal import ProposalState
from workflows.roles import Role


class ExtensionState(StrEnum):
    REQUESTED = "requested"
    UNDER_REVIEW = "under_review"
    REVISION_REQUESTED = "revision_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ExtensionTrigger(StrEnum):
    START_REVIEW = "start_review"
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_REVISION = "request_revision"
    RESUBMIT = "resubmit"
    WITHDRAW = "withdraw"


class ExtensionGuard(StrEnum):
    FINANCE_REVIEWED = "finance_reviewed"
    CHAIRS_WORKING_GROUP = "chairs_working_group"


E, X, G = ExtensionState, ExtensionTrigger, ExtensionGuard
_BOARD = frozenset({Role.BOARD_DECISION})
_CHAIR = frozenset({Role.CHAIR})

EXTENSION = Workflow(
    name="Extension request",
    states=(
        State(E.REQUESTED, "Requested", "Asked for by the chair; finance reviews it."),
        State(E.UNDER_REVIEW, "Under review", "On a Board agenda."),
        State(
            E.REVISION_REQUESTED, "Revision requested", "The Board asked the chair to revise it."
        ),
        State(E.APPROVED, "Approved", "Granted: the project's end date moved.", terminal=True),
        State(E.REJECTED, "Rejected", "Refused by the Board.", terminal=True),
        State(E.WITHDRAWN, "Withdrawn", "Withdrawn by the chair.", terminal=True),
    ),
    transitions=(
        Transition(
            X.START_REVIEW,
            (E.REQUESTED,),
            E.UNDER_REVIEW,
            "Put on the agenda",
            frozenset({Role.SECRETARIAT}),
            guards=(G.FINANCE_REVIEWED,),
        ),
        Transition(X.APPROVE, (E.UNDER_REVIEW,), E.APPROVED, "Approve", _BOARD),
        Transition(X.REJECT, (E.UNDER_REVIEW,), E.REJECTED, "Reject", _BOARD),
        Transition(
            X.REQUEST_REVISION,
            (E.UNDER_REVIEW,),
            E.REVISION_REQUESTED,
            "Request revision",
            _BOARD,
        ),
        Transition(
            X.RESUBMIT,
            (E.REVISION_REQUESTED,),
            E.REQUESTED,
            "Resubmit",
            _CHAIR,
            guards=(G.CHAIRS_WORKING_GROUP,),
        ),
        Transition(
            X.WITHDRAW,
            (E.REQUESTED, E.REVISION_REQUESTED),
            E.WITHDRAWN,
            "Withdraw",
            _CHAIR,
            guards=(G.CHAIRS_WORKING_GROUP,),
        ),
    ),
    initial=E.REQUESTED,
    subject="extension request",
    permission_guards=frozenset({G.CHAIRS_WORKING_GROUP}),
)

# A project can be extended only while it runs.
EXTENDABLE_PROJECT_STATES: frozenset[str] = frozenset(
    {ProposalState.ONGOING, ProposalState.EXTENDED}
)
OPEN_EXTENSION_STATES: frozenset[str] = frozenset(
    {E.REQUESTED, E.UNDER_REVIEW, E.REVISION_REQUESTED}
)
