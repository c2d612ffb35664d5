"""Closing agenda items into recorded decisions (or deferring them). What an item decides
comes from `closing.decide_closing`; this module reads the facts and stores the answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import select

from prb.extensions import db
from prb.models import (
    AgendaItem,
    BoardRules,
    CodeStyle,
    Decision,
    Proposal,
    User,
    utcnow,
)
from prb.services import audit, extensions, lifecycle, totals
from prb.services.access import require_role
from prb.services.board import snapshots
from prb.services.board.closing import Closing, Question, Terms, decide_closing
from prb.services.board.meetings import decided_on, lock_item
from prb.services.board.room import ensure_room
from prb.services.board.rules import decision_rule, rules_for_date
from prb.services.board.tally import ItemCount, count
from prb.services.calendar import long_date, period_end
from prb.services.codes import code_in_pattern
from prb.services.errors import Conflict
from prb.services.transaction import committed
from workflows import (
    AGENDA_ITEM,
    ExtensionState,
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


def close(
    item: AgendaItem,
    *,
    actor: User | None,
    terms: Terms | None,
    now: datetime | None = None,
) -> Decision | None:
    """Close a locked, open item in the caller's transaction (`actor` None: PRB itself, at a
    written procedure's deadline or last vote; `now`: the clock it closes by)."""
    proposal = _lock_proposal(item.proposal_id)
    # The rules in force on the meeting's date (a written procedure: the day it opened).
    rules = rules_for_date(item.meeting.held_on, actor=actor, field="rules")
    counted = count(item)
    closing = decide_closing(
        _question(item, proposal),
        counted.tally,
        decision_rule(rules),
        terms or _proposed_terms(item),
        chair_vote=counted.chair_vote,
        chair_present=counted.chair_present,
    )
    now = now or utcnow()
    decision = _store(
        item,
        proposal,
        counted,
        closing,
        Record(
            actor=actor,
            rules=rules,
            decided_on=decided_on(item.meeting, now),
            now=now,
            recorded_after=item.meeting.recorded_after,
        ),
        given=terms,
    )
    # After the decision: the closing record's envelope includes what it approved.
    snapshots.take_closed(item, now, counted)
    notification_events().item_closed(item)
    return decision


@dataclass(frozen=True)
class Record:
    """Who stores the closing, when, and under which rules — the same for every row."""

    actor: User | None
    rules: BoardRules
    decided_on: date
    now: datetime
    recorded_after: bool

    @property
    def role(self) -> Role:
        return Role.SECRETARIAT if self.actor is not None else Role.SCHEDULER

    @property
    def history(self) -> str:
        """What the history adds when the meeting is entered after the fact."""
        if not self.recorded_after:
            return ""
        who = self.actor.name if self.actor else "PRB"
        return (
            f" Decided on {long_date(self.decided_on)}; recorded after the fact by {who} on "
            f"{long_date(self.now.date())}."
        )


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


def still_before_the_board(item: AgendaItem, proposal: Proposal) -> bool:
    """Whether the item's question is still the Board's to decide: not withdrawn by its
    chair, nor decided elsewhere, nor ended by the project's completion."""
    if item.extension_id is not None:
        return (
            item.extension is not None
            and item.extension.status == ExtensionState.UNDER_REVIEW
            and proposal.status in EXTENDABLE_PROJECT_STATES
        )
    return proposal.status == ProposalState.UNDER_REVIEW


def _question(item: AgendaItem, proposal: Proposal) -> Question:
    return Question(
        is_extension=item.extension_id is not None,
        still_open=still_before_the_board(item, proposal),
        status_label=proposal.status_label,
        requested_budget=proposal.requested_budget,
        code_to_type=item.extension_id is None and code_to_type(proposal),
    )


def code_to_type(proposal: Proposal) -> bool:
    """Approving this proposal takes a project code typed by the secretariat."""
    return proposal.programme.code_style == CodeStyle.TYPED and proposal.project_code is None


def _proposed_terms(item: AgendaItem) -> Terms:
    # No code can be proposed: a typed-code approval needs the secretariat's close form.
    return Terms(
        item.proposed_budget, item.proposed_duration_months, item.proposed_start, item.conditions
    )


def _store(
    item: AgendaItem,
    proposal: Proposal,
    counted: ItemCount,
    closing: Closing,
    record: Record,
    *,
    given: Terms | None,
) -> Decision | None:
    item.closed_at = record.now
    item.closed_by_id = record.actor.id if record.actor else None
    if not closing.decided:
        _defer(item, proposal, closing, record)
        return None
    if item.extension_id is not None:
        return _decide_extension(
            item, proposal, closing, counted, record, conditions=given.conditions if given else ""
        )
    return _decide_proposal(
        item,
        proposal,
        closing,
        counted,
        record,
        conditions=given.conditions if given else item.conditions,
    )


def _where(item: AgendaItem) -> str:
    return f"{item.meeting.kind_label} {item.meeting.number}, item {item.position}"


def _defer(item: AgendaItem, proposal: Proposal, closing: Closing, record: Record) -> None:
    _fire_item(item, ItemTrigger.DEFER, record.role)
    item.outcome_note = closing.outcome.explanation
    audit.record(
        "item_deferred",
        actor=record.actor,
        role=record.role,
        proposal=proposal,
        comment=f"{_where(item)}: {closing.outcome.explanation}{record.history}",
    )
    notification_events().deferred(item)


def _decide_proposal(
    item: AgendaItem,
    proposal: Proposal,
    closing: Closing,
    counted: ItemCount,
    record: Record,
    *,
    conditions: str,
) -> Decision:
    outcome, terms = closing.outcome, closing.terms
    assert outcome.choice is not None
    if terms is not None:
        _grant(item, proposal, terms, record, code_to_type=code_to_type(proposal))
    decision = Decision(
        item=item,
        proposal_id=proposal.id,
        **_tally_fields(closing, counted, record),
        approved_budget=terms.budget if terms else None,
        approved_duration_months=terms.duration_months if terms else None,
        period_start=terms.start if terms else None,
        period_end=(
            period_end(terms.start, terms.duration_months)
            if terms and terms.start and terms.duration_months
            else None
        ),
        conditions=conditions.strip(),
        supersedes_id=_previous_decision(proposal.id, None),
    )
    db.session.add(decision)
    _fire_item(item, ItemTrigger.DECIDE, record.role)
    item.outcome_note = outcome.explanation
    lifecycle.transition(
        proposal,
        OUTCOME_TRIGGER[outcome.choice],
        actor=record.actor,
        roles=frozenset({Role.BOARD_DECISION}),
        effective_on=record.decided_on,
        comment=f"Decision of {_where(item)}: {outcome.explanation} Tally: "
        f"{decision.tally_text}.{record.history}"
        # The chairs read this in their notice: a revision's is what they are to change.
        + (f" {decision.conditions_label}: {decision.conditions}" if decision.conditions else ""),
    )
    db.session.flush()
    return decision


def _grant(
    item: AgendaItem, proposal: Proposal, terms: Terms, record: Record, *, code_to_type: bool
) -> None:
    """An approval's terms become the project's budget and period, within the envelope; a
    typed code becomes its code before the approval (which keeps a code already set)."""
    assert terms.budget is not None and terms.start and terms.duration_months
    programme = ensure_room(item, terms.budget, "Approving a budget", record)
    if code_to_type or terms.project_code.strip():
        # After the programme's lock: two approvals cannot both take the same code. A
        # pattern programme takes a typed code only in its pattern (an office keeping the
        # codes it already uses); left empty, the code is the pattern's next letter.
        proposal.project_code = code_in_pattern(programme, terms.project_code)
    proposal.approved_budget = terms.budget
    # Reports by year read this: a meeting entered after the fact approved on its own date.
    proposal.approved_at = (
        datetime.combine(record.decided_on, time(0, 0), tzinfo=UTC)
        if record.recorded_after
        else record.now
    )
    proposal.period_start = terms.start
    proposal.original_end = proposal.current_end = period_end(terms.start, terms.duration_months)
    totals.add(proposal, projects=1, approved=terms.budget)


def _tally_fields(closing: Closing, counted: ItemCount, record: Record) -> dict[str, object]:
    """What every Decision records of the vote and of its making, whatever it decided."""
    return {
        "decided_on": record.decided_on,
        "decided_at": record.now,
        "rules_id": record.rules.id,
        "recorded_by_id": record.actor.id if record.actor else None,
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
    record: Record,
    *,
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
            ensure_room(item, ext.additional_funds, "The extension's additional funds", record)
        lifecycle.transition(
            proposal,
            ProposalTrigger.EXTEND,
            actor=record.actor,
            roles=frozenset({Role.BOARD_DECISION}),
            effective_on=record.decided_on,
            comment=f"Decision of {_where(item)}: extension {ext.summary}.{record.history}",
        )
        proposal.current_end = ext.new_end
        proposal.approved_budget = (proposal.approved_budget or Decimal(0)) + ext.additional_funds
        totals.add(proposal, approved=ext.additional_funds)
    decision = Decision(
        item=item,
        proposal_id=proposal.id,
        extension_id=ext.id,
        **_tally_fields(closing, counted, record),
        extension_months=ext.months if closing.approved else None,
        original_end=original_end,
        new_end=ext.new_end if closing.approved else None,
        additional_funds=ext.additional_funds if closing.approved else None,
        conditions=(conditions or item.conditions).strip(),
        supersedes_id=_previous_decision(proposal.id, ext.id),
    )
    db.session.add(decision)
    _fire_item(item, ItemTrigger.DECIDE, record.role)
    item.outcome_note = outcome.explanation
    ext.decided_at = record.now
    extensions.fire(
        ext,
        EXTENSION_OUTCOME[outcome.choice],
        record.actor,
        frozenset({Role.BOARD_DECISION}),
        f"Decision of {_where(item)}: {outcome.explanation} Tally: {decision.tally_text}."
        f"{record.history}",
    )
    db.session.flush()
    notification_events().extension_decided(ext, closing.approved)
    return decision


def notification_events():  # type: ignore[no-untyped-def]
    """Imported when used: the notifications read the Board's seats, from this package."""
    from prb.services.notifications import events

    return events


def _fire_item(item: AgendaItem, trigger: ItemTrigger, role: Role) -> None:
    try:
        AGENDA_ITEM.fire(item, trigger, {role}, {})
    except TransitionRefused as exc:
        raise Conflict(exc.refusal.message) from None
