"""Firing workflow triggers on proposals: permission, guards, status change, effects and the
audit record, all in the caller's database transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from prb.extensions import db
from prb.models import ProgressReport, Proposal, ReportKind, User, utcnow
from prb.services import audit, calls, finance, lifecycle_dates, totals
from prb.services.access import chairs_group, get_visible_proposal
from prb.services.codes import lock_programme, next_project_code
from prb.services.errors import Conflict, Invalid, NotAllowed, NotFound
from prb.services.proposal_rules import missing_for_submission
from prb.services.transaction import committed
from workflows import (
    PROPOSAL,
    GuardFailed,
    ProposalState,
    ProposalTrigger,
    ReportState,
    Role,
    Transition,
)
from workflows.definition import Refusal, TransitionRefused
from workflows.proposal import Guard


class ProposalGuards:
    """The application's implementation of every guard the definition names, for one actor."""

    def __init__(self, actor: User | None) -> None:
        self.actor = actor
        self._checks: dict[str, Callable[[Proposal], None]] = {
            Guard.CHAIRS_WORKING_GROUP: self.chairs_working_group,
            Guard.PROPOSAL_COMPLETE: self.proposal_complete,
            Guard.CALL_OPEN: self.call_open,
            Guard.HAS_COMMITMENT: self.has_commitment,
            Guard.HAS_FIRST_DISBURSEMENT: self.has_first_disbursement,
            Guard.HAS_ACTUAL_START: self.has_actual_start,
            Guard.FINAL_REPORT_ACCEPTED: self.final_report_accepted,
            Guard.BALANCE_SETTLED: self.balance_settled,
        }
        missing = set(Guard) - set(self._checks)
        assert not missing, f"guards without an implementation: {missing}"

    def __getitem__(self, name: str) -> Callable[[Proposal], None]:
        return self._checks[name]

    def __contains__(self, name: object) -> bool:
        return name in self._checks

    def chairs_working_group(self, proposal: Proposal) -> None:
        if self.actor is None or not chairs_group(self.actor, proposal.working_group_id):
            raise GuardFailed(
                f"Only a chair of the {proposal.working_group.name} working group may do this."
            )

    def proposal_complete(self, proposal: Proposal) -> None:
        missing = missing_for_submission(proposal)
        if missing:
            raise GuardFailed(
                "Complete these fields before submitting: " + ", ".join(missing) + "."
            )

    def call_open(self, proposal: Proposal) -> None:
        _, problem = calls.submission_call(proposal, utcnow())
        if problem is not None:
            raise GuardFailed(problem)

    def has_commitment(self, proposal: Proposal) -> None:
        if finance.balances(proposal).committed <= 0:
            raise GuardFailed("No commitment of funds has been recorded for this project yet.")

    def has_first_disbursement(self, proposal: Proposal) -> None:
        if finance.balances(proposal).disbursed <= 0:
            raise GuardFailed("No disbursement has been recorded for this project yet.")

    def has_actual_start(self, proposal: Proposal) -> None:
        if proposal.actual_start is None:
            raise GuardFailed("The project's actual start date has not been recorded yet.")

    def final_report_accepted(self, proposal: Proposal) -> None:
        """The final report (narrative and figures) accepted by the secretariat. Accepting it
        records its day and spent figure on the project (prb.services.progress_reports)."""
        # The status alone: the project's page asks this of every action it offers, and a
        # whole report row brings its project's graph with it.
        status = db.session.scalar(
            select(ProgressReport.status)
            .where(
                ProgressReport.proposal_id == proposal.id,
                ProgressReport.kind == ReportKind.FINAL,
            )
            .order_by(ProgressReport.id.desc())
            .limit(1)
        )
        if status is None:
            raise GuardFailed(
                "No final report has been submitted: the working group's chair submits it "
                "(narrative and figures) and the secretariat accepts it."
            )
        if status == ReportState.RETURNED:
            raise GuardFailed(
                "The final report was sent back to the chair; it must be resubmitted and "
                "accepted by the secretariat."
            )
        if status != ReportState.ACCEPTED:
            raise GuardFailed("The final report has not been accepted by the secretariat yet.")

    def balance_settled(self, proposal: Proposal) -> None:
        # Every problem at once: named one at a time, finance settled one and found the next.
        b = finance.balances(proposal)
        problems = []
        if b.undisbursed_commitment > 0:
            problems.append(
                f"USD {b.undisbursed_commitment:,.2f} is committed but not disbursed: disburse "
                "or release it first."
            )
        if proposal.spent_reported is None:
            problems.append("Record the amount spent, from the final financial report.")
        elif b.net_disbursed != proposal.spent_reported:
            problems.append(
                f"Disbursed less returned (USD {b.net_disbursed:,.2f}) does not equal the USD "
                f"{proposal.spent_reported:,.2f} reported spent: record the return of unspent "
                "funds first."
            )
        if problems:
            raise GuardFailed(" ".join(problems))


def _assign_project_code(proposal: Proposal) -> None:
    if proposal.project_code is None:
        programme = lock_programme(proposal.programme_id)
        proposal.project_code = next_project_code(programme)


def _stamp_submission(proposal: Proposal) -> None:
    proposal.submitted_at = utcnow()


def _record_call(proposal: Proposal) -> None:
    """A submission belongs to the call it falls in: the one the draft chose, or the open
    call found now. (A resubmission keeps its call: it is not a new submission.)"""
    proposal.call_id = calls.call_for_submission(proposal, utcnow()).id


def _release_from_envelope(proposal: Proposal) -> None:
    """A cancelled project gives back its approved budget, less what it was paid."""
    b = finance.balances(proposal)
    totals.add(proposal, approved=-b.approved, cancelled_paid=b.net_disbursed)


# What firing a trigger does besides what entering its state does.
_ON_TRIGGER: dict[str, Callable[[Proposal], None]] = {
    ProposalTrigger.SUBMIT: _record_call,
}

# What entering a state does besides changing the status.
_ON_ENTER: dict[str, Callable[[Proposal], None]] = {
    ProposalState.SUBMITTED: _stamp_submission,
    ProposalState.APPROVED: _assign_project_code,
    ProposalState.CANCELLED: _release_from_envelope,
}


def acting_role(user: User | None, transition: Transition, roles: frozenset[Role]) -> Role:
    """The role in which the actor fires the transition, for the audit record."""
    for role in sorted(transition.roles & roles):
        return role
    raise NotAllowed(f"You may not “{transition.label.lower()}”.")


def transition(
    proposal: Proposal,
    trigger: str,
    *,
    actor: User | None,
    roles: frozenset[Role] | None = None,
    comment: str = "",
    effective_on: date | None = None,
) -> None:
    """Fire `trigger` on a locked `proposal` and write the audit record; no commit.

    `roles` defaults to the actor's own; the Board decision service passes
    {Role.BOARD_DECISION}, and its decision's day as `effective_on` (None: as
    `lifecycle_dates.day_recorded_for`). Raises a domain error when refused; the caller
    rolls back.
    """
    roles = roles if roles is not None else (actor.roles if actor else frozenset())
    try:
        t = PROPOSAL.transition(trigger)
    except KeyError:
        raise NotFound(f"There is no action called “{trigger}”.") from None
    comment = comment.strip()
    if t.comment_required and not comment:
        raise Invalid(
            f"Please give a reason to {t.label.lower()}.",
            {"comment": [f"A reason is required to {t.label.lower()}."]},
        )
    from_state = proposal.status
    try:
        PROPOSAL.fire(proposal, trigger, roles, ProposalGuards(actor))
    except TransitionRefused as exc:
        raise as_domain_error(exc.refusal) from None
    for effect in (_ON_TRIGGER.get(trigger), _ON_ENTER.get(proposal.status)):
        if effect is not None:
            effect(proposal)
    audit.record(
        str(trigger),
        actor=actor,
        role=acting_role(actor, t, roles),
        proposal=proposal,
        from_state=from_state,
        to_state=proposal.status,
        comment=comment,
        effective_on=effective_on or lifecycle_dates.day_recorded_for(proposal, utcnow().date()),
    )
    # Imported here: the notifications read the Board's seats, whose package uses this one.
    from prb.services.notifications import events

    events.after_transition(proposal, trigger, comment)


def refuse_if_not_permitted(actor: User, proposal_id: int, trigger: str) -> None:
    """Who may fire `trigger`, before anything she typed is read: 404 for a proposal she may
    not see or an action that does not exist, 403 for an action that is not hers (her role,
    or a permission guard). The row's state and what she typed are `fire`'s to judge."""
    proposal = get_visible_proposal(actor, proposal_id)
    refusal = PROPOSAL.refusal(proposal, trigger, actor.roles, ProposalGuards(actor))
    if refusal is not None and (refusal.not_permitted or refusal.kind == "unknown"):
        raise as_domain_error(refusal)


def as_domain_error(refusal: Refusal) -> Exception:
    """403 when the refusal is about the actor (role, or a permission guard such as "chairs
    this working group"), 404 for an unknown action, 409 only for the row's state."""
    if refusal.not_permitted:
        return NotAllowed(refusal.message)
    if refusal.kind == "unknown":
        return NotFound(refusal.message)
    return Conflict(refusal.message)


def fire(
    actor: User,
    proposal_id: int,
    trigger: str,
    *,
    comment: str = "",
    expected_status: str | None = None,
    effective_on: date | None = None,
) -> Proposal:
    """Use case: a user presses an action button on a proposal.

    One transaction: lock the row, compare with the status the user saw, fire, audit, commit.
    Of two people acting at once, one succeeds and the other gets a Conflict (409).
    `effective_on`: the day it took effect, recorded after the fact (None: today); refused
    (422, nothing done) as `lifecycle_dates.check` says, once the actor may fire it.
    """
    try:
        with committed():
            proposal = get_visible_proposal(actor, proposal_id, for_update=True)
            if expected_status is not None and proposal.status != expected_status:
                raise Conflict(
                    "This proposal changed while you were looking at it: it is now "
                    f"{proposal.status_label}. Nothing was done; please review it again."
                )
            # Read before the transition: the record as it stood.
            bound = lifecycle_dates.earliest(proposal, trigger) if effective_on else None
            transition(proposal, trigger, actor=actor, comment=comment, effective_on=effective_on)
            if effective_on is not None:
                t = PROPOSAL.transition(trigger)
                lifecycle_dates.check(t, effective_on, bound, utcnow().date())
    except StaleDataError:
        # committed() has rolled back already.
        raise Conflict(
            "Someone else changed this proposal at the same moment. Nothing was done; "
            "please review it again."
        ) from None
    return proposal


def actions(
    actor: User, proposal: Proposal
) -> tuple[list[Transition], list[tuple[Transition, str]]]:
    """The buttons this user sees on this proposal now, and the actions her role could take
    in this state but whose guard fails now, with why (`available_actions` and
    `blocked_actions` at once, each guard asked once)."""
    return PROPOSAL.actions(proposal, actor.roles, ProposalGuards(actor))


def available_actions(actor: User, proposal: Proposal) -> list[Transition]:
    """The buttons this user sees on this proposal now (role, state and guards all pass)."""
    return actions(actor, proposal)[0]


def blocked_actions(actor: User, proposal: Proposal) -> list[tuple[Transition, str]]:
    """Actions the user's role could take in this state, but whose guard fails now, with why.

    Shown so that, e.g., a chair sees why she cannot submit yet instead of a missing button.
    """
    return actions(actor, proposal)[1]


def actions_change_at(proposal: Proposal, now: datetime) -> datetime | None:
    """The next moment the actions offered on `proposal` may change with the time alone
    (None: only a change to the records changes them). The one guard that reads the clock
    asks for an open call: its answer changes when a call of the programme opens or closes."""
    if any(Guard.CALL_OPEN in t.guards for t in PROPOSAL.transitions_from(proposal.status)):
        return calls.next_window_change(proposal.programme_id, now)
    return None
