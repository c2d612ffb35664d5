"""The lifecycle of a project's progress or final report: the chair submits, the secretariat
accepts it or sends it back with a reason, the chair resubmits."""

from __future__ import annotations

from enum import StrEnum

from workflows.definition import State, Transition, Workflow
from workflows.proposal import ProposalState
from workflows.roles import Role


class ReportState(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class ReportTrigger(StrEnum):
    ACCEPT = "accept"
    RETURN = "return"
    RESUBMIT = "resubmit"


class ReportGuard(StrEnum):
    CHAIRS_WORKING_GROUP = "chairs_working_group"


R, X, G = ReportState, ReportTrigger, ReportGuard
_SECRETARIAT = frozenset({Role.SECRETARIAT})
_CHAIR = frozenset({Role.CHAIR})

PROGRESS_REPORT = Workflow(
    name="Progress report",
    states=(
        State(R.SUBMITTED, "Submitted", "Sent by the chair; the secretariat reviews it."),
        State(R.RETURNED, "Returned", "Sent back by the secretariat with a reason."),
        State(R.ACCEPTED, "Accepted", "Accepted by the secretariat.", terminal=True),
    ),
    transitions=(
        Transition(X.ACCEPT, (R.SUBMITTED,), R.ACCEPTED, "Accept", _SECRETARIAT),
        Transition(
            X.RETURN,
            (R.SUBMITTED,),
            R.RETURNED,
            "Send back",
            _SECRETARIAT,
            comment_required=True,
            style="secondary",
        ),
        Transition(
            X.RESUBMIT,
            (R.RETURNED,),
            R.SUBMITTED,
            "Resubmit",
            _CHAIR,
            guards=(G.CHAIRS_WORKING_GROUP,),
        ),
    ),
    initial=R.SUBMITTED,
    subject="report",
    permission_guards=frozenset({G.CHAIRS_WORKING_GROUP}),
)

# Reports are due, submitted and flagged overdue while a project runs (a completed project has
# its accepted final report; a cancelled one owes none).
REPORTING_PROJECT_STATES: frozenset[str] = frozenset(
    {ProposalState.ONGOING, ProposalState.EXTENDED}
)
# Projects whose page shows the reporting schedule (a completed one keeps its reports).
SCHEDULED_PROJECT_STATES: frozenset[str] = REPORTING_PROJECT_STATES | {ProposalState.COMPLETED}
