"""Closing agenda items into recorded decisions (or deferring them). What an item decides
comes from `closing.decide_closing`; this module reads the facts and stores the answer."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from prb.extensions import db
from prb.models import AgendaItem, Decision, Meeting, Proposal, User, utcnow
from prb.services import audit, extensions, finance, lifecycle, totals
from prb.services.access import require_role
from prb.services.board.closing import Closing, Question, Terms, decide_closing
from prb.services.board.meetings import lock_item
from prb.services.board.rules import rule
from prb.services.board.tally import ItemCount, count
from prb.services.calendar import period_end
from prb.services.codes import lock_programme
from prb.services.errors import Conflict, Invalid
from prb.services.transaction import committed
from workflows import (
    AGENDA_ITEM,
    ExtensionState,
    ItemState,
    ItemTrigger,
    ProposalState,
    ProposalTrigger,
    Role,
)
from workflows.board import EXTENSION_OUTCOME, OUTCOME_TRIGGER
from workflows.definition import TransitionRefused
from workflows.extension import EXTENDABLE_PROJECT_STATES


def close_item(actor: User, item_id: int, terms: Terms | None = None) -> AgendaItem:
    """The secretariat closes an item: the votes become a decision (or the item is deferred)."""
    require_role(actor, Role.SECRETARIAT, action="close agenda items")
    with committed():
        item = lock_item(item_id)
        if not item.is_open:
            raise Conflict(f"This item is already closed ({item.status_label}).")
        close(item, actor=actor, terms=terms)
    return item


def close(item: AgendaItem, *, actor: User | None, terms: Terms | None) -> Decision | None:
    """Close a locked, open item in the caller's transaction (`actor` None: PRB itself, at a
    written procedure's deadline or last vote)."""
    proposal = _lock_proposal(item.proposal_id)
    counted = count(item)
    closing = decide_closing(
        _question(item, proposal),
        counted.tally,
        rule(),
        terms or _proposed_terms(item),
        chair_vote=counted.chair_vote,
        chair_present=counted.chair_present,
    )
    return _store(item, proposal, counted, closing, actor=actor, given=terms)


def _lock_proposal(proposal_id: int) -> Proposal:
    return (
        db.session.scalars(
            select(Proposal)
            .where(Proposal.id == proposal_id)
            .with_for_update(of=Proposal)
            .execution_options(populate_existing=True)
        )
        .unique()
        .one()
    )


def _question(item: AgendaItem, proposal: Proposal) -> Question:
    if item.extension_id is not None:
        still_open = (
            item.extension is not None
            and item.extension.status == ExtensionState.UNDER_REVIEW
            and proposal.status in EXTENDABLE_PROJECT_STATES
        )
    else:
        still_open = proposal.status == ProposalState.UNDER_REVIEW
    return Question(
        is_extension=item.extension_id is not None,
        still_open=still_open,
        status_label=proposal.status_label,
        requested_budget=proposal.requested_budget,
    )


def _proposed_terms(item: AgendaItem) -> Terms:
    return Terms(
        item.proposed_budget, item.proposed_duration_months, item.proposed_start, item.conditions
    )


def _store(
    item: AgendaItem,
    proposal: Proposal,
    counted: ItemCount,
    closing: Closing,
    *,
    actor: User | None,
    given: Terms | None,
) -> Decision | None:
    role = Role.SECRETARIAT if actor is not None else Role.SCHEDULER
    where = f"{item.meeting.kind_label} {item.meeting.number}, item {item.position}"
    item.closed_at = utcnow()
    item.closed_by_id = actor.id if actor else None
    if not closing.decided:
        _defer(item, proposal, closing, actor=actor, role=role, where=where)
        return None
    if item.extension_id is not None:
        return _decide_extension(
            item,
            proposal,
            closing,
            counted,
            actor=actor,
            role=role,
            where=where,
            conditions=given.conditions if given else "",
        )
    return _decide_proposal(
        item,
        proposal,
        closing,
        counted,
        actor=actor,
        role=role,
        where=where,
        conditions=given.conditions if given else item.conditions,
    )


def _defer(
    item: AgendaItem,
    proposal: Proposal,
    closing: Closing,
    *,
    actor: User | None,
    role: Role,
    where: str,
) -> None:
    _fire_item(item, ItemTrigger.DEFER, role)
    item.outcome_note = closing.outcome.explanation
    audit.record(
        "item_deferred",
        actor=actor,
        role=role,
        proposal=proposal,
        comment=f"{where}: {closing.outcome.explanation}",
    )


def _decide_proposal(
    item: AgendaItem,
    proposal: Proposal,
    closing: Closing,
    counted: ItemCount,
    *,
    actor: User | None,
    role: Role,
    where: str,
    conditions: str,
) -> Decision:
    outcome, terms = closing.outcome, closing.terms
    assert outcome.choice is not None
    if terms is not None:
        _grant(proposal, terms)
    decision = Decision(
        item=item,
        proposal_id=proposal.id,
        **_tally_fields(closing, counted),
        approved_budget=terms.budget if terms else None,
        approved_duration_months=terms.duration_months if terms else None,
        period_start=terms.start if terms else None,
        period_end=(
            period_end(terms.start, terms.duration_months)
            if terms and terms.start and terms.duration_months
            else None
        ),
        conditions=conditions.strip(),
        recorded_by_id=actor.id if actor else None,
        supersedes_id=_previous_decision(proposal.id, None),
    )
    db.session.add(decision)
    _fire_item(item, ItemTrigger.DECIDE, role)
    item.outcome_note = outcome.explanation
    lifecycle.transition(
        proposal,
        OUTCOME_TRIGGER[outcome.choice],
        actor=actor,
        roles=frozenset({Role.BOARD_DECISION}),
        comment=f"Decision of {where}: {outcome.explanation} Tally: {decision.tally_text}.",
    )
    db.session.flush()
    return decision


def _grant(proposal: Proposal, terms: Terms) -> None:
    """An approval's terms become the project's budget and period, within the envelope."""
    assert terms.budget is not None and terms.start and terms.duration_months
    programme = lock_programme(proposal.programme_id)
    finance.ensure_within_envelope(programme, terms.budget, "Approving a budget")
    proposal.approved_budget = terms.budget
    proposal.approved_at = utcnow()
    proposal.period_start = terms.start
    proposal.original_end = proposal.current_end = period_end(terms.start, terms.duration_months)
    totals.add(proposal, projects=1, approved=terms.budget)


def _tally_fields(closing: Closing, counted: ItemCount) -> dict[str, object]:
    """What every Decision records of the vote, whatever it decided."""
    return {
        "outcome": closing.outcome.choice,
        "votes_for": counted.tally.approve,
        "votes_against": counted.tally.reject,
        "votes_revision": counted.tally.request_revision,
        "votes_abstain": counted.tally.abstain,
        "eligible": counted.tally.eligible,
        "recused": counted.tally.recused,
        "recused_names": counted.recused_text,
        "casting_vote": closing.outcome.casting_vote_used,
    }


def _previous_decision(proposal_id: int, extension_id: int | None) -> int | None:
    """The decision a new one supersedes: the latest on the same question."""
    same_question = (
        Decision.extension_id.is_(None)
        if extension_id is None
        else Decision.extension_id == extension_id
    )
    return db.session.scalar(
        select(Decision.id)
        .where(Decision.proposal_id == proposal_id, same_question)
        .order_by(Decision.decided_at.desc(), Decision.id.desc())
        .limit(1)
    )


def _decide_extension(
    item: AgendaItem,
    proposal: Proposal,
    closing: Closing,
    counted: ItemCount,
    *,
    actor: User | None,
    role: Role,
    where: str,
    conditions: str,
) -> Decision:
    """The Board's decision on an extension request: approval moves the end date and adds
    any additional funds to the approved budget (within the envelope)."""
    ext = item.extension
    outcome = closing.outcome
    assert ext is not None and outcome.choice is not None
    original_end = proposal.current_end
    if closing.approved:
        if ext.additional_funds:
            programme = lock_programme(proposal.programme_id)
            finance.ensure_within_envelope(
                programme, ext.additional_funds, "The extension's additional funds"
            )
        lifecycle.transition(
            proposal,
            ProposalTrigger.EXTEND,
            actor=actor,
            roles=frozenset({Role.BOARD_DECISION}),
            comment=f"Decision of {where}: extension {ext.summary}.",
        )
        proposal.current_end = ext.new_end
        proposal.approved_budget = (proposal.approved_budget or Decimal(0)) + ext.additional_funds
        totals.add(proposal, approved=ext.additional_funds)
    decision = Decision(
        item=item,
        proposal_id=proposal.id,
        extension_id=ext.id,
        **_tally_fields(closing, counted),
        extension_months=ext.months if closing.approved else None,
        original_end=original_end,
        new_end=ext.new_end if closing.approved else None,
        additional_funds=ext.additional_funds if closing.approved else None,
        conditions=(conditions or item.conditions).strip(),
        recorded_by_id=actor.id if actor else None,
        supersedes_id=_previous_decision(proposal.id, ext.id),
    )
    db.session.add(decision)
    _fire_item(item, ItemTrigger.DECIDE, role)
    item.outcome_note = outcome.explanation
    ext.decided_at = utcnow()
    extensions.fire(
        ext,
        EXTENSION_OUTCOME[outcome.choice],
        actor,
        frozenset({Role.BOARD_DECISION}),
        f"Decision of {where}: {outcome.explanation} Tally: {decision.tally_text}.",
    )
    db.session.flush()
    return decision


def _fire_item(item: AgendaItem, trigger: ItemTrigger, role: Role) -> None:
    try:
        AGENDA_ITEM.fire(item, trigger, {role}, {})
    except TransitionRefused as exc:
        raise Conflict(exc.refusal.message) from None


def close_due(now: datetime | None = None) -> int:
    """Close every open item of a written procedure whose deadline has passed. Each item in
    its own transaction; items being closed by someone else right now are skipped."""
    now = now or utcnow()
    due = list(
        db.session.scalars(
            select(AgendaItem.id)
            .join(Meeting)
            .where(AgendaItem.status == ItemState.OPEN, Meeting.deadline <= now)
        )
    )
    closed = 0
    for item_id in due:
        try:
            item = (
                db.session.scalars(
                    select(AgendaItem)
                    .where(AgendaItem.id == item_id)
                    .with_for_update(of=AgendaItem, skip_locked=True)
                    .execution_options(populate_existing=True)
                )
                .unique()
                .one_or_none()
            )
            if item is None or not item.is_open:
                db.session.rollback()
                continue
            close(item, actor=None, terms=None)
            db.session.commit()
            closed += 1
        except (Invalid, Conflict) as exc:
            # e.g. the stored terms no longer pass: leave it open for the secretariat.
            db.session.rollback()
            current_app.logger.warning("could not close item %s at deadline: %s", item_id, exc)
    return closed
