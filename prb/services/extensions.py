"""Extension requests: a chair asks, finance reviews, the Board decides (prb.services.board)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from prb.extensions import db
from prb.models import CENT, ExtensionRequest, Proposal, User, utcnow
from prb.services import audit, finance
from prb.services.access import chairs_group, get_visible_proposal, require_role
from prb.services.calendar import months_between, period_end, utc_time
from prb.services.errors import Conflict, Invalid, NotAllowed, NotFound
from prb.services.lifecycle import as_domain_error
from prb.services.once import spend
from prb.services.transaction import committed
from workflows import EXTENSION, ExtensionState, ExtensionTrigger, GuardFailed, Role, Transition
from workflows.definition import TransitionRefused
from workflows.extension import EXTENDABLE_PROJECT_STATES, OPEN_EXTENSION_STATES, ExtensionGuard

MAX_MONTHS = 24


class ExtensionGuards:
    def __init__(self, actor: User | None) -> None:
        self.actor = actor
        self._checks: dict[str, Callable[[ExtensionRequest], None]] = {
            ExtensionGuard.FINANCE_REVIEWED: self.finance_reviewed,
            ExtensionGuard.CHAIRS_WORKING_GROUP: self.chairs_working_group,
        }

    def __getitem__(self, name: str) -> Callable[[ExtensionRequest], None]:
        return self._checks[name]

    def __contains__(self, name: object) -> bool:
        return name in self._checks

    def finance_reviewed(self, ext: ExtensionRequest) -> None:
        if not ext.finance_review:
            raise GuardFailed("Finance has not reviewed this extension request yet.")

    def chairs_working_group(self, ext: ExtensionRequest) -> None:
        if self.actor is None or not chairs_group(self.actor, ext.proposal.working_group_id):
            raise GuardFailed("Only a chair of the project's working group may do this.")


def fire(
    ext: ExtensionRequest,
    trigger: str,
    actor: User | None,
    roles: frozenset[Role],
    comment: str = "",
) -> None:
    """Move an extension request along its workflow and audit it; no commit."""
    before = ext.status
    try:
        EXTENSION.fire(ext, trigger, roles, ExtensionGuards(actor))
    except TransitionRefused as exc:
        raise as_domain_error(exc.refusal) from None
    t = EXTENSION.transition(trigger)
    audit.record(
        f"extension_{trigger}",
        actor=actor,
        role=sorted(t.roles & roles)[0],
        proposal=ext.proposal,
        comment=(
            f"Extension {ext.summary}: {EXTENSION.label(before)} → {ext.status_label}"
            + (f". {comment}" if comment else "")
        ),
    )


@dataclass
class ExtensionInput:
    months: int | None
    new_end: date | None
    additional_funds: Decimal | None
    justification: str


def _period(proposal: Proposal, data: ExtensionInput) -> tuple[date, int, date]:
    """(first day, months, new end) — from a number of months or from a new end date."""
    errors: dict[str, list[str]] = {}
    if proposal.current_end is None:
        raise Conflict("The project has no end date to extend.")
    start = proposal.current_end + timedelta(days=1)
    if (data.months is None) == (data.new_end is None):
        errors["months"] = ["Give either the number of months or the new end date."]
    elif data.months is not None and not 1 <= data.months <= MAX_MONTHS:
        errors["months"] = [f"An extension lasts 1 to {MAX_MONTHS} months."]
    elif data.new_end is not None and data.new_end < start:
        errors["new_end"] = [
            f"The new end date must be after the current end "
            f"({proposal.current_end.day} {proposal.current_end:%B %Y})."
        ]
    elif data.new_end is not None and months_between(start, data.new_end) > MAX_MONTHS:
        errors["new_end"] = [f"An extension lasts at most {MAX_MONTHS} months."]
    funds = data.additional_funds
    if funds is not None and (funds < 0 or funds != funds.quantize(CENT)):
        errors["additional_funds"] = ["Give the additional amount in dollars and cents, or 0."]
    justification = data.justification.strip()
    if not justification:
        errors["justification"] = ["Explain why the extension is needed."]
    elif len(justification) > 5000:
        errors["justification"] = ["Keep the justification under 5,000 characters."]
    if errors:
        raise Invalid("The request was not saved: please correct the fields marked.", errors)
    if data.months is not None:
        return start, data.months, period_end(start, data.months)
    assert data.new_end is not None
    return start, months_between(start, data.new_end), data.new_end


def request_extension(
    actor: User, proposal_id: int, data: ExtensionInput, *, once: str | None = None
) -> ExtensionRequest:
    with committed():
        spend(once, actor, "request extension")
        proposal = get_visible_proposal(actor, proposal_id, for_update=True)
        if not chairs_group(actor, proposal.working_group_id):
            raise NotAllowed(
                "Only a chair of the project's working group may request an extension."
            )
        if proposal.status not in EXTENDABLE_PROJECT_STATES:
            raise Conflict(
                f"Only an ongoing or extended project can be extended; "
                f"{proposal.display_code} is {proposal.status_label}."
            )
        pending = db.session.scalar(
            select(ExtensionRequest.id).where(
                ExtensionRequest.proposal_id == proposal.id,
                ExtensionRequest.status.in_(OPEN_EXTENSION_STATES),
            )
        )
        if pending:
            raise Conflict("This project already has an extension request in progress.")
        start, months, new_end = _period(proposal, data)
        ext = ExtensionRequest(
            proposal=proposal,
            status=ExtensionState.REQUESTED,
            months=months,
            period_start=start,
            new_end=new_end,
            additional_funds=data.additional_funds or Decimal("0.00"),
            justification=data.justification.strip(),
            requested_by_id=actor.id,
        )
        db.session.add(ext)
        db.session.flush()
        audit.record(
            "extension_requested",
            actor=actor,
            role=Role.CHAIR,
            proposal=proposal,
            comment=f"Extension {ext.summary}",
        )
        notification_events().extension_requested(ext)
    return ext


def _lock(actor: User, extension_id: int) -> ExtensionRequest:
    ext = (
        db.session.scalars(
            select(ExtensionRequest)
            .where(ExtensionRequest.id == extension_id)
            .with_for_update(of=ExtensionRequest)
            .execution_options(populate_existing=True)
        )
        .unique()
        .one_or_none()
    )
    if ext is None:
        raise NotFound(f"There is no extension request number {extension_id}.")
    get_visible_proposal(actor, ext.proposal_id)  # 404 for those who may not see the project
    return ext


def refuse_if_project_ended(ext: ExtensionRequest) -> None:
    """A request of a project completed or cancelled since is no longer the Board's."""
    if ext.proposal.status not in EXTENDABLE_PROJECT_STATES:
        raise Conflict(
            f"{ext.proposal.display_code} is {ext.proposal.status_label}: its extension "
            "request is no longer the Board's to decide."
        )


def review_extension(actor: User, extension_id: int, review: str) -> ExtensionRequest:
    """Finance adds its review; PRB appends the balance and burn rate as of today."""
    require_role(actor, Role.FINANCE, action="review extension requests")
    review = review.strip()
    if len(review) > 4000:
        raise Invalid(
            "Keep the review under 4,000 characters.",
            {"review": ["Keep the review under 4,000 characters."]},
        )
    with committed():
        ext = _lock(actor, extension_id)
        if ext.status != ExtensionState.REQUESTED:
            raise Conflict(f"The request is {ext.status_label}; it can no longer be reviewed.")
        refuse_if_project_ended(ext)
        b = finance.balances(ext.proposal)
        rate = finance.burn_rate(ext.proposal, b)
        facts = (
            f"Balance USD {b.balance:,.2f} of USD {b.approved:,.2f} approved "
            f"(USD {b.net_disbursed:,.2f} disbursed net of returns, {b.percent_disbursed}%)"
            + (f"; burn rate USD {rate:,.2f} per month" if rate is not None else "")
            + "."
        )
        now = utcnow()
        reviewed = f"{facts}\n{review}".strip()
        if ext.finance_review and ext.reviewed_at is not None:
            # A second review is added under the first: the Board reads both (one replaced
            # the other, which only the audit trail then kept).
            reviewed = (
                f"{ext.finance_review}\n\nReviewed again on {utc_time(now)} by "
                f"{actor.name}:\n{reviewed}"
            )
        ext.finance_review = reviewed
        ext.reviewed_by_id = actor.id
        ext.reviewed_at = now
        audit.record(
            "extension_reviewed",
            actor=actor,
            role=Role.FINANCE,
            proposal=ext.proposal,
            comment=ext.finance_review,
        )
    return ext


def chair_action(actor: User, extension_id: int, trigger: str, comment: str = "") -> None:
    """The chair withdraws a request, or resubmits one the Board sent back."""
    if trigger not in (ExtensionTrigger.WITHDRAW, ExtensionTrigger.RESUBMIT):
        raise NotFound(f"There is no action called “{trigger}”.")
    with committed():
        ext = _lock(actor, extension_id)
        fire(ext, trigger, actor, actor.roles, comment)


def chair_actions(user: User, ext: ExtensionRequest) -> list[Transition]:
    """Withdraw / resubmit buttons this user may press on this request now."""
    return [
        t
        for t in EXTENSION.available(ext, user.roles, ExtensionGuards(user))
        if Role.CHAIR in t.roles
    ]


def can_request(user: User, proposal: Proposal) -> bool:
    return (
        chairs_group(user, proposal.working_group_id)
        and proposal.status in EXTENDABLE_PROJECT_STATES
        and not db.session.scalar(
            select(ExtensionRequest.id).where(
                ExtensionRequest.proposal_id == proposal.id,
                ExtensionRequest.status.in_(OPEN_EXTENSION_STATES),
            )
        )
    )


def proposal_id_of(extension_id: int) -> int:
    proposal_id = db.session.scalar(
        select(ExtensionRequest.proposal_id).where(ExtensionRequest.id == extension_id)
    )
    if proposal_id is None:
        raise NotFound(f"There is no extension request number {extension_id}.")
    return proposal_id


def for_project(proposal: Proposal) -> list[ExtensionRequest]:
    return list(
        db.session.scalars(
            select(ExtensionRequest)
            .where(ExtensionRequest.proposal_id == proposal.id)
            .order_by(ExtensionRequest.requested_at, ExtensionRequest.id)
        ).unique()
    )


def pending_review() -> list[ExtensionRequest]:
    return list(
        db.session.scalars(
            select(ExtensionRequest)
            .where(
                ExtensionRequest.status == ExtensionState.REQUESTED,
                ExtensionRequest.finance_review == "",
            )
            .order_by(ExtensionRequest.requested_at)
        ).unique()
    )


def notification_events():  # type: ignore[no-untyped-def]
    """Imported when used: the notifications read the Board's seats, whose package uses
    this module."""
    from prb.services.notifications import events

    return events
