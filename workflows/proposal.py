"""The lifecycle of a seed-funding proposal, from draft to completed project."""

from enum import StrEnum

from workflows.definition import State, Transition, Workflow
from workflows.roles import Role


class ProposalState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    REVISION_REQUESTED = "revision_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    INITIATED = "initiated"
    ONGOING = "ongoing"
    EXTENDED = "extended"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ProposalTrigger(StrEnum):
    SUBMIT = "submit"
    RESUBMIT = "resubmit"
    WITHDRAW = "withdraw"
    START_REVIEW = "start_review"
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_REVISION = "request_revision"
    INITIATE = "initiate"
    START = "start"
    EXTEND = "extend"
    COMPLETE = "complete"
    CANCEL = "cancel"


class Guard(StrEnum):
    """Preconditions named by the definition; the application implements each one."""

    CHAIRS_WORKING_GROUP = "chairs_working_group"
    PROPOSAL_COMPLETE = "proposal_complete"
    # A call of the proposal's programme is open to its working group (a resubmission after
    # a revision request is not a new submission, so RESUBMIT does not name it).
    CALL_OPEN = "call_open"
    HAS_COMMITMENT = "has_commitment"
    HAS_FIRST_DISBURSEMENT = "has_first_disbursement"
    HAS_ACTUAL_START = "has_actual_start"
    # The project's final report (narrative and figures) accepted by the secretariat.
    FINAL_REPORT_ACCEPTED = "final_report_accepted"
    BALANCE_SETTLED = "balance_settled"


S = ProposalState
T = ProposalTrigger
G = Guard

_STATES = (
    State(S.DRAFT, "Draft", "Being prepared by the chair; visible to her group only."),
    State(S.SUBMITTED, "Submitted", "Sent to the Board secretariat, awaiting review."),
    State(S.UNDER_REVIEW, "Under review", "Under consideration by the Programme Review Board."),
    State(
        S.REVISION_REQUESTED,
        "Revision requested",
        "The Board asked the chair to revise and resubmit.",
    ),
    State(S.APPROVED, "Approved", "Approved by the Board; a project code is assigned."),
    State(S.REJECTED, "Rejected", "Rejected by the Board.", terminal=True),
    State(S.WITHDRAWN, "Withdrawn", "Withdrawn by the working-group chair.", terminal=True),
    State(S.INITIATED, "Initiated", "Funds committed to the implementing entity."),
    State(S.ONGOING, "Ongoing", "Implementation under way; first tranche disbursed."),
    State(S.EXTENDED, "Extended", "Running in an extension period approved by the Board."),
    State(S.COMPLETED, "Completed", "Finished, balance settled.", terminal=True),
    State(S.CANCELLED, "Cancelled", "Stopped before completion.", terminal=True),
)

_CHAIR = frozenset({Role.CHAIR})
_SECRETARIAT = frozenset({Role.SECRETARIAT})
_FINANCE = frozenset({Role.FINANCE})
_BOARD = frozenset({Role.BOARD_DECISION})
_RUNNING = (S.ONGOING, S.EXTENDED)

_TRANSITIONS = (
    Transition(
        T.SUBMIT,
        (S.DRAFT,),
        S.SUBMITTED,
        "Submit",
        _CHAIR,
        guards=(G.CHAIRS_WORKING_GROUP, G.PROPOSAL_COMPLETE, G.CALL_OPEN),
        button="Submit to the Board",
    ),
    Transition(
        T.RESUBMIT,
        (S.REVISION_REQUESTED,),
        S.SUBMITTED,
        "Resubmit",
        _CHAIR,
        guards=(G.CHAIRS_WORKING_GROUP, G.PROPOSAL_COMPLETE),
        button="Resubmit",
    ),
    Transition(
        T.WITHDRAW,
        (S.SUBMITTED, S.UNDER_REVIEW, S.REVISION_REQUESTED),
        S.WITHDRAWN,
        "Withdraw",
        _CHAIR,
        guards=(G.CHAIRS_WORKING_GROUP,),
        comment_required=True,
        button="Withdraw proposal",
        style="danger",
    ),
    Transition(
        T.START_REVIEW,
        (S.SUBMITTED,),
        S.UNDER_REVIEW,
        "Start review",
        _SECRETARIAT,
        button="Start Board review",
    ),
    Transition(T.APPROVE, (S.UNDER_REVIEW,), S.APPROVED, "Approve", _BOARD),
    Transition(T.REJECT, (S.UNDER_REVIEW,), S.REJECTED, "Reject", _BOARD),
    Transition(
        T.REQUEST_REVISION, (S.UNDER_REVIEW,), S.REVISION_REQUESTED, "Request revision", _BOARD
    ),
    Transition(
        T.INITIATE,
        (S.APPROVED,),
        S.INITIATED,
        "Initiate",
        _FINANCE | _SECRETARIAT,
        guards=(G.HAS_COMMITMENT,),
        button="Mark initiated",
    ),
    Transition(
        T.START,
        (S.INITIATED,),
        S.ONGOING,
        "Start",
        _FINANCE | _SECRETARIAT,
        guards=(G.HAS_FIRST_DISBURSEMENT, G.HAS_ACTUAL_START),
        button="Mark ongoing",
    ),
    Transition(T.EXTEND, _RUNNING, S.EXTENDED, "Extend", _BOARD),
    Transition(
        T.COMPLETE,
        _RUNNING,
        S.COMPLETED,
        "Complete",
        _FINANCE | _SECRETARIAT,
        guards=(G.FINAL_REPORT_ACCEPTED, G.BALANCE_SETTLED),
        effective_date=True,
        button="Mark completed",
    ),
    Transition(
        T.CANCEL,
        (S.APPROVED, S.INITIATED, *_RUNNING),
        S.CANCELLED,
        "Cancel",
        _SECRETARIAT,
        comment_required=True,
        effective_date=True,
        button="Cancel project",
        style="danger",
    ),
)

PROPOSAL = Workflow(
    name="Proposal lifecycle",
    states=_STATES,
    transitions=_TRANSITIONS,
    initial=S.DRAFT,
    permission_guards=frozenset({G.CHAIRS_WORKING_GROUP}),
)

# States in which a proposal has become a project (it carries a project code).
PROJECT_STATES: frozenset[str] = frozenset(
    {S.APPROVED, S.INITIATED, S.ONGOING, S.EXTENDED, S.COMPLETED, S.CANCELLED}
)
# States whose content the chair may still edit.
EDITABLE_STATES: frozenset[str] = frozenset({S.DRAFT, S.REVISION_REQUESTED})
