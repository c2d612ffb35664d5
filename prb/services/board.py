"""Use cases of the Programme Review Board: scheduling, agendas, attendance, votes,
conflicts of interest, and closing items into recorded decisions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import raiseload, selectinload

from prb.extensions import db
from prb.models import (
    CENT,
    AgendaItem,
    Attendance,
    ConflictOfInterest,
    Decision,
    ExtensionRequest,
    Meeting,
    Proposal,
    User,
    UserRole,
    Vote,
    utcnow,
)
from prb.services import audit, extensions, finance, lifecycle, totals
from prb.services.access import require_role
from prb.services.calendar import period_end
from prb.services.codes import lock_programme
from prb.services.decision_rule import Outcome, Result, Rule, Tally, decide
from prb.services.errors import Conflict, Invalid, NotAllowed, NotFound
from prb.services.transaction import committed
from workflows import (
    AGENDA_ITEM,
    ExtensionState,
    ExtensionTrigger,
    ItemState,
    ItemTrigger,
    MeetingKind,
    ProposalState,
    ProposalTrigger,
    Role,
    VoteChoice,
)
from workflows.board import EXTENSION_OUTCOME, OUTCOME_TRIGGER
from workflows.definition import TransitionRefused
from workflows.extension import EXTENDABLE_PROJECT_STATES

NUMBER_PATTERN = re.compile(r"^[A-Z][A-Z0-9-]{1,15}/\d{4}/\d{1,3}$")


# -- who may vote -----------------------------------------------------------------------


def board_members() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.BOARD_MEMBER, User.active.is_(True))
            .order_by(User.name)
        ).unique()
    )


def automatic_recusal(member: User, proposal: Proposal) -> str | None:
    """A member whose entity leads or implements the project does not vote on it."""
    if proposal.lead_entity_id == member.entity_id:
        return f"{member.entity.code} is the lead entity"
    if any(e.id == member.entity_id for e in proposal.implementing_entities):
        return f"{member.entity.code} is an implementing entity"
    return None


def recusals(item: AgendaItem, members: list[User]) -> dict[int, str]:
    """member id → why she does not vote on this item."""
    reasons: dict[int, str] = {}
    for member in members:
        reason = automatic_recusal(member, item.proposal)
        if reason:
            reasons[member.id] = reason
    for conflict in item.conflicts:
        reasons.setdefault(
            conflict.member_id, f"declared a conflict of interest: {conflict.reason}"
        )
    return reasons


def _is_board_member(user: User) -> bool:
    return user.active and user.has_role(Role.BOARD_MEMBER)


# -- meetings and agendas -----------------------------------------------------------------


@dataclass
class MeetingInput:
    number: str
    kind: str
    held_on: date | None
    place: str = ""
    chair_id: int | None = None
    deadline: datetime | None = None


def suggested_number(today: date | None = None) -> str:
    year = (today or utcnow().date()).year
    prefix = f"PRB/{year}/"
    existing = db.session.scalars(select(Meeting.number).where(Meeting.number.startswith(prefix)))
    numbers = [int(n.rsplit("/", 1)[1]) for n in existing if n.rsplit("/", 1)[1].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


def schedule_meeting(actor: User, data: MeetingInput) -> Meeting:
    require_role(actor, Role.SECRETARIAT, action="schedule Board meetings")
    errors: dict[str, list[str]] = {}
    number = data.number.strip().upper()
    if not NUMBER_PATTERN.match(number):
        errors["number"] = ["Use the form PRB/2018/03."]
    elif db.session.scalar(select(Meeting.id).where(Meeting.number == number)):
        errors["number"] = [f"{number} already exists."]
    if data.kind not in set(MeetingKind):
        errors["kind"] = ["Choose a meeting or a written procedure."]
    if data.held_on is None:
        errors["held_on"] = ["Give the date."]
    if len(data.place) > 200:
        errors["place"] = ["Keep the place under 200 characters."]
    if data.kind == MeetingKind.WRITTEN_PROCEDURE:
        if data.deadline is None:
            errors["deadline"] = ["A written procedure needs a deadline."]
        elif data.deadline <= utcnow():
            errors["deadline"] = ["The deadline must be in the future."]
    elif not data.place.strip():
        errors["place"] = ["Give the place, or “virtual”."]
    chair = db.session.get(User, data.chair_id) if data.chair_id else None
    if data.chair_id and (chair is None or not _is_board_member(chair)):
        errors["chair_id"] = ["The chair must be a board member."]
    if errors:
        raise Invalid("The meeting was not scheduled: please correct the fields marked.", errors)
    assert data.held_on is not None
    meeting = Meeting(
        number=number,
        kind=data.kind,
        held_on=data.held_on,
        place=data.place.strip() or ("by correspondence" if data.deadline else ""),
        deadline=data.deadline if data.kind == MeetingKind.WRITTEN_PROCEDURE else None,
        chair=chair,
        created_by_id=actor.id,
    )
    try:
        db.session.add(meeting)
        db.session.flush()
        audit.record(
            "meeting_scheduled",
            actor=actor,
            role=Role.SECRETARIAT,
            comment=f"{meeting.kind_label} {meeting.number}",
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(f"{number} was scheduled by someone else a moment ago.") from None
    return meeting


def get_meeting(actor: User, meeting_id: int) -> Meeting:
    require_role(
        actor, Role.BOARD_MEMBER, Role.SECRETARIAT, Role.FINANCE, action="see Board meetings"
    )
    meeting = db.session.get(Meeting, meeting_id, options=[selectinload(Meeting.items)])
    if meeting is None:
        raise NotFound(f"There is no meeting number {meeting_id}.")
    return meeting


def list_meetings(actor: User) -> list[tuple[Meeting, int]]:
    """Meetings, newest first, each with the number of items on its agenda."""
    require_role(
        actor, Role.BOARD_MEMBER, Role.SECRETARIAT, Role.FINANCE, action="see Board meetings"
    )
    items = (
        select(func.count(AgendaItem.id))
        .where(AgendaItem.meeting_id == Meeting.id)
        .correlate(Meeting)
        .scalar_subquery()
    )
    return [
        (meeting, n)
        for meeting, n in db.session.execute(
            select(Meeting, items).order_by(Meeting.held_on.desc(), Meeting.id.desc())
        )
    ]


AGENDA_CHOICES = 50


def schedulable_proposals(limit: int = AGENDA_CHOICES) -> list[Proposal]:
    """Proposals under review that are not on an open agenda item, those waiting longest
    first — at most `limit`, so that the choice stays readable (and the page fast)."""
    on_agenda = select(AgendaItem.proposal_id).where(
        AgendaItem.status == ItemState.OPEN, AgendaItem.extension_id.is_(None)
    )
    return list(
        db.session.scalars(
            select(Proposal)
            .options(raiseload(Proposal.implementing_entities))
            .where(Proposal.status == ProposalState.UNDER_REVIEW, Proposal.id.not_in(on_agenda))
            .order_by(Proposal.submitted_at, Proposal.id)
            .limit(limit)
        ).unique()
    )


def schedulable_extensions() -> list[ExtensionRequest]:
    """Extension requests finance has reviewed that are not on an open agenda item."""
    on_agenda = select(AgendaItem.extension_id).where(
        AgendaItem.status == ItemState.OPEN, AgendaItem.extension_id.is_not(None)
    )
    return list(
        db.session.scalars(
            select(ExtensionRequest)
            .where(
                ExtensionRequest.status.in_(
                    [ExtensionState.REQUESTED, ExtensionState.UNDER_REVIEW]
                ),
                ExtensionRequest.finance_review != "",
                ExtensionRequest.id.not_in(on_agenda),
            )
            .order_by(ExtensionRequest.requested_at)
        ).unique()
    )


def _meeting_is_open(meeting: Meeting) -> bool:
    return not (meeting.deadline is not None and meeting.deadline <= utcnow())


def add_to_agenda(actor: User, meeting_id: int, proposal_id: int) -> AgendaItem:
    require_role(actor, Role.SECRETARIAT, action="build agendas")
    with committed():
        meeting = _lock_open_meeting(meeting_id)
        proposal = (
            db.session.scalars(
                select(Proposal).where(Proposal.id == proposal_id).with_for_update(of=Proposal)
            )
            .unique()
            .one_or_none()
        )
        if proposal is None:
            raise NotFound(f"There is no proposal number {proposal_id}.")
        if proposal.status != ProposalState.UNDER_REVIEW:
            raise Conflict(
                f"{proposal.display_code} is {proposal.status_label}; only proposals under "
                "review can go on an agenda."
            )
        already = db.session.scalar(
            select(Meeting.number)
            .join(AgendaItem)
            .where(
                AgendaItem.proposal_id == proposal.id,
                AgendaItem.extension_id.is_(None),
                AgendaItem.status == ItemState.OPEN,
            )
        )
        if already:
            raise Conflict(f"{proposal.display_code} is already on the agenda of {already}.")
        position = _next_position(meeting)
        item = AgendaItem(
            meeting=meeting,
            proposal=proposal,
            position=position,
            status=ItemState.OPEN,
            proposed_budget=proposal.requested_budget,
            proposed_duration_months=proposal.duration_months,
            proposed_start=proposal.planned_start,
        )
        db.session.add(item)
        db.session.flush()
        audit.record(
            "placed_on_agenda",
            actor=actor,
            role=Role.SECRETARIAT,
            proposal=proposal,
            comment=f"{meeting.kind_label} {meeting.number}, item {position}",
        )
    return item


def add_extension_to_agenda(actor: User, meeting_id: int, extension_id: int) -> AgendaItem:
    require_role(actor, Role.SECRETARIAT, action="build agendas")
    with committed():
        meeting = _lock_open_meeting(meeting_id)
        ext = (
            db.session.scalars(
                select(ExtensionRequest)
                .where(ExtensionRequest.id == extension_id)
                .with_for_update(of=ExtensionRequest)
            )
            .unique()
            .one_or_none()
        )
        if ext is None:
            raise NotFound(f"There is no extension request number {extension_id}.")
        already = db.session.scalar(
            select(Meeting.number)
            .join(AgendaItem)
            .where(AgendaItem.extension_id == ext.id, AgendaItem.status == ItemState.OPEN)
        )
        if already:
            raise Conflict(f"This extension request is already on the agenda of {already}.")
        if ext.status == ExtensionState.REQUESTED:
            extensions.fire(
                ext,
                ExtensionTrigger.START_REVIEW,
                actor,
                actor.roles,
                f"{meeting.kind_label} {meeting.number}",
            )
        elif ext.status != ExtensionState.UNDER_REVIEW:
            raise Conflict(f"The extension request is {ext.status_label}.")
        item = AgendaItem(
            meeting=meeting,
            proposal_id=ext.proposal_id,
            extension=ext,
            position=_next_position(meeting),
            status=ItemState.OPEN,
        )
        db.session.add(item)
        db.session.flush()
        audit.record(
            "placed_on_agenda",
            actor=actor,
            role=Role.SECRETARIAT,
            proposal=ext.proposal,
            comment=f"Extension request: {meeting.kind_label} {meeting.number}, "
            f"item {item.position}",
        )
    return item


def _lock_open_meeting(meeting_id: int) -> Meeting:
    meeting = db.session.scalars(
        select(Meeting).where(Meeting.id == meeting_id).with_for_update(of=Meeting)
    ).one_or_none()
    if meeting is None:
        raise NotFound(f"There is no meeting number {meeting_id}.")
    if not _meeting_is_open(meeting):
        raise Conflict(f"The written procedure {meeting.number} has passed its deadline.")
    return meeting


def _next_position(meeting: Meeting) -> int:
    return (
        db.session.scalar(
            select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id)
        )
        or 0
    ) + 1


def record_attendance(actor: User, meeting_id: int, present_ids: set[int]) -> None:
    require_role(actor, Role.SECRETARIAT, action="record attendance")
    meeting = get_meeting(actor, meeting_id)
    if meeting.is_written_procedure:
        raise Conflict("A written procedure has no attendance: members vote by correspondence.")
    members = {m.id: m for m in board_members()}
    unknown = present_ids - set(members)
    if unknown:
        raise Invalid("Choose board members from the list.", {"present": ["Unknown member."]})
    with committed():
        rows = {
            a.member_id: a
            for a in db.session.scalars(
                select(Attendance).where(Attendance.meeting_id == meeting.id)
            )
        }
        for member_id in members:
            row = rows.get(member_id) or Attendance(meeting_id=meeting.id, member_id=member_id)
            row.present = member_id in present_ids
            db.session.add(row)
        audit.record(
            "attendance_recorded",
            actor=actor,
            role=Role.SECRETARIAT,
            comment=f"{meeting.number}: {len(present_ids)} present",
        )


def attendance(meeting: Meeting) -> dict[int, bool]:
    return {
        a.member_id: a.present
        for a in db.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id))
    }


# -- votes ------------------------------------------------------------------------------


def _lock_item(item_id: int) -> AgendaItem:
    item = (
        db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.id == item_id)
            .with_for_update(of=AgendaItem)
            .execution_options(populate_existing=True)
        )
        .unique()
        .one_or_none()
    )
    if item is None:
        raise NotFound(f"There is no agenda item number {item_id}.")
    return item


def meeting_id_of(item_id: int) -> int:
    meeting_id = db.session.scalar(select(AgendaItem.meeting_id).where(AgendaItem.id == item_id))
    if meeting_id is None:
        raise NotFound(f"There is no agenda item number {item_id}.")
    return meeting_id


def _closed_message(item: AgendaItem) -> str:
    when = f" on {item.closed_at:%d %B %Y at %H:%M} UTC" if item.closed_at else ""
    return (
        f"Voting on this item closed{when} ({item.status_label}). "
        "Votes can no longer be cast or changed."
    )


def cast_vote(
    actor: User, item_id: int, choice: str, comment: str = "", *, change: bool = False
) -> Vote:
    """A board member votes on an open item, or (`change`) changes her vote.

    The item row is locked for the whole transaction, so a vote and the closing of the item
    are serialised: the vote is either counted or refused, never lost.
    """
    if not _is_board_member(actor):
        raise NotAllowed("Only board members vote.")
    try:
        vote_choice = VoteChoice(choice)
    except ValueError:
        raise Invalid(
            "Choose approve, request revision, reject or abstain.",
            {"choice": ["Choose one of the options."]},
        ) from None
    comment = comment.strip()
    if len(comment) > 1000:
        raise Invalid(
            "Keep the comment under 1,000 characters.",
            {"comment": ["Keep the comment under 1,000 characters."]},
        )
    try:
        item = _lock_item(item_id)
        if item.is_open and not _meeting_is_open(item.meeting):
            _close(item, actor=None, terms=None)
            db.session.commit()
        if not item.is_open:
            raise Conflict(_closed_message(item))
        reason = recusals(item, [actor]).get(actor.id)
        if reason:
            raise NotAllowed(f"You are recused from this item ({reason}) and cannot vote.")
        vote = db.session.scalar(
            select(Vote).where(Vote.item_id == item.id, Vote.member_id == actor.id)
        )
        if vote is not None and not change:
            raise Conflict(
                f"You have already voted on this item ({vote.choice_label}). "
                "Use “Change my vote” to change it."
            )
        if vote is None:
            vote = Vote(item=item, member_id=actor.id, choice=vote_choice, comment=comment)
            db.session.add(vote)
            event = "vote_cast"
        else:
            vote.choice, vote.comment, vote.changed_at = vote_choice, comment, utcnow()
            event = "vote_changed"
        db.session.flush()
        audit.record(
            event,
            actor=actor,
            role=Role.BOARD_MEMBER,
            proposal=item.proposal,
            comment=f"{item.meeting.number}, item {item.position}",
        )
        if item.meeting.is_written_procedure and _everyone_voted(item):
            try:
                with db.session.begin_nested():
                    _close(item, actor=None, terms=None)
            except (Invalid, Conflict) as exc:
                # The vote stands; the secretariat closes the item by hand.
                current_app.logger.warning("item %s not closed after last vote: %s", item.id, exc)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            "You have already voted on this item (from another window). "
            "Use “Change my vote” to change it."
        ) from None
    except Exception:
        db.session.rollback()
        raise
    return vote


def declare_conflict(actor: User, item_id: int, reason: str) -> None:
    """A member declares a conflict of interest; a vote she already cast is withdrawn."""
    if not _is_board_member(actor):
        raise NotAllowed("Only board members declare conflicts of interest.")
    reason = reason.strip()
    if not reason:
        raise Invalid(
            "Give the reason for the conflict of interest.", {"reason": ["Give the reason."]}
        )
    if len(reason) > 1000:
        raise Invalid(
            "Keep the reason under 1,000 characters.",
            {"reason": ["Keep the reason under 1,000 characters."]},
        )
    try:
        item = _lock_item(item_id)
        if not item.is_open:
            raise Conflict(_closed_message(item))
        if any(c.member_id == actor.id for c in item.conflicts):
            raise Conflict("You have already declared a conflict of interest on this item.")
        vote = db.session.scalar(
            select(Vote).where(Vote.item_id == item.id, Vote.member_id == actor.id)
        )
        if vote is not None:
            db.session.delete(vote)
        db.session.add(ConflictOfInterest(item=item, member_id=actor.id, reason=reason))
        audit.record(
            "conflict_declared",
            actor=actor,
            role=Role.BOARD_MEMBER,
            proposal=item.proposal,
            comment=reason,
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("You have already declared a conflict of interest on this item.") from None
    except Exception:
        db.session.rollback()
        raise


def _everyone_voted(item: AgendaItem) -> bool:
    members = board_members()
    reasons = recusals(item, members)
    eligible = {m.id for m in members if m.id not in reasons}
    voted = set(db.session.scalars(select(Vote.member_id).where(Vote.item_id == item.id)))
    return bool(eligible) and eligible <= voted


# -- tallies and decisions ----------------------------------------------------------------


@dataclass
class ItemCount:
    tally: Tally
    votes: list[Vote]
    recused: dict[int, str]  # member id → reason
    members: list[User]
    chair_vote: VoteChoice | None = None
    chair_present: bool = False
    names: dict[int, str] = field(default_factory=dict)

    @property
    def recused_text(self) -> str:
        return "; ".join(
            f"{self.names[mid]} ({why})"
            for mid, why in sorted(self.recused.items(), key=lambda kv: self.names[kv[0]])
        )


def count(
    item: AgendaItem,
    *,
    members: list[User] | None = None,
    votes: list[Vote] | None = None,
    present: dict[int, bool] | None = None,
) -> ItemCount:
    """The item's tally. A page showing many items passes what it loaded once for all of
    them (`count_meeting`), so the number of queries does not grow with the agenda."""
    members = members if members is not None else board_members()
    reasons = recusals(item, members)
    eligible_ids = {m.id for m in members if m.id not in reasons}
    if votes is None:
        votes = list(
            db.session.scalars(select(Vote).where(Vote.item_id == item.id).order_by(Vote.id))
        )
    votes = [v for v in votes if v.member_id in eligible_ids]
    by_choice = {c: sum(1 for v in votes if v.choice == c) for c in VoteChoice}
    tally = Tally(
        approve=by_choice[VoteChoice.APPROVE],
        request_revision=by_choice[VoteChoice.REQUEST_REVISION],
        reject=by_choice[VoteChoice.REJECT],
        abstain=by_choice[VoteChoice.ABSTAIN],
        eligible=len(eligible_ids),
        recused=len(reasons),
    )
    meeting = item.meeting
    chair_vote = None
    chair_present = False
    if meeting.chair_id is not None:
        chair_vote = next(
            (VoteChoice(v.choice) for v in votes if v.member_id == meeting.chair_id), None
        )
        # In a written procedure the chair takes part by voting; in a meeting, by attending.
        if meeting.is_written_procedure:
            chair_present = chair_vote is not None
        else:
            here = present if present is not None else attendance(meeting)
            chair_present = here.get(meeting.chair_id, False)
    return ItemCount(
        tally, votes, reasons, members, chair_vote, chair_present, {m.id: m.name for m in members}
    )


def count_meeting(meeting: Meeting) -> dict[int, ItemCount]:
    """Every item's tally, in a fixed number of queries whatever the size of the agenda."""
    members = board_members()
    present = attendance(meeting)
    votes: dict[int, list[Vote]] = {item.id: [] for item in meeting.items}
    for vote in db.session.scalars(
        select(Vote).join(AgendaItem).where(AgendaItem.meeting_id == meeting.id).order_by(Vote.id)
    ):
        votes[vote.item_id].append(vote)
    return {
        item.id: count(item, members=members, votes=votes[item.id], present=present)
        for item in meeting.items
    }


def rule() -> Rule:
    return Rule(
        quorum=Fraction(str(current_app.config["BOARD_QUORUM"])),
        casting_vote=bool(current_app.config["BOARD_CASTING_VOTE"]),
    )


@dataclass
class Terms:
    """What an approval grants; prefilled from the request."""

    budget: Decimal | None
    duration_months: int | None
    start: date | None
    conditions: str = ""


def _checked_terms(item: AgendaItem, terms: Terms) -> Terms:
    errors: dict[str, list[str]] = {}
    requested = item.proposal.requested_budget
    if terms.budget is None or terms.budget <= 0:
        errors["budget"] = ["Give the approved budget (more than USD 0)."]
    elif terms.budget != terms.budget.quantize(CENT):
        errors["budget"] = ["Give the amount in dollars and cents."]
    elif requested is not None and terms.budget > requested:
        errors["budget"] = [
            f"The approved budget may not exceed the USD {requested:,.2f} requested."
        ]
    if terms.duration_months is None or not 1 <= terms.duration_months <= 60:
        errors["duration_months"] = ["The approved duration must be 1 to 60 months."]
    if terms.start is None:
        errors["start"] = ["Give the start of the approved period."]
    if len(terms.conditions) > 5000:
        errors["conditions"] = ["Keep the conditions under 5,000 characters."]
    if errors:
        raise Invalid("The item was not closed: please correct the terms of approval.", errors)
    return terms


def close_item(actor: User, item_id: int, terms: Terms | None = None) -> AgendaItem:
    """The secretariat closes an item: the votes become a decision (or the item is deferred)."""
    require_role(actor, Role.SECRETARIAT, action="close agenda items")
    with committed():
        item = _lock_item(item_id)
        if not item.is_open:
            raise Conflict(f"This item is already closed ({item.status_label}).")
        _close(item, actor=actor, terms=terms)
    return item


def _close(item: AgendaItem, *, actor: User | None, terms: Terms | None) -> Decision | None:
    """Close a locked, open item in the caller's transaction."""
    role = Role.SECRETARIAT if actor is not None else Role.SCHEDULER
    proposal = (
        db.session.scalars(
            select(Proposal)
            .where(Proposal.id == item.proposal_id)
            .with_for_update(of=Proposal)
            .execution_options(populate_existing=True)
        )
        .unique()
        .one()
    )
    counted = count(item)
    where = f"{item.meeting.kind_label} {item.meeting.number}, item {item.position}"
    if item.extension_id is not None and (
        item.extension is None
        or item.extension.status != ExtensionState.UNDER_REVIEW
        or proposal.status not in EXTENDABLE_PROJECT_STATES
    ):
        outcome = Outcome(
            Result.NO_MAJORITY, None, False, f"Not decided: the project is {proposal.status_label}."
        )
    elif item.extension_id is None and proposal.status != ProposalState.UNDER_REVIEW:
        outcome = Outcome(
            Result.NO_MAJORITY,
            None,
            False,
            f"Not decided: the proposal is {proposal.status_label}.",
        )
    else:
        outcome = decide(
            counted.tally,
            rule(),
            chair_vote=counted.chair_vote,
            chair_present=counted.chair_present,
        )
    item.closed_at = utcnow()
    item.closed_by_id = actor.id if actor else None
    if outcome.result is not Result.DECIDED:
        _fire_item(item, ItemTrigger.DEFER, role)
        item.outcome_note = outcome.explanation
        audit.record(
            "item_deferred",
            actor=actor,
            role=role,
            proposal=proposal,
            comment=f"{where}: {outcome.explanation}",
        )
        return None
    assert outcome.choice is not None
    if item.extension_id is not None:
        return _decide_extension(
            item,
            proposal,
            outcome,
            counted,
            actor=actor,
            role=role,
            where=where,
            conditions=terms.conditions if terms else "",
        )
    approved = outcome.choice is VoteChoice.APPROVE
    if approved:
        terms = _checked_terms(
            item,
            terms
            or Terms(
                item.proposed_budget,
                item.proposed_duration_months,
                item.proposed_start,
                item.conditions,
            ),
        )
        assert terms.budget is not None and terms.start and terms.duration_months
        programme = lock_programme(proposal.programme_id)
        finance.ensure_within_envelope(programme, terms.budget, "Approving a budget")
        proposal.approved_budget = terms.budget
        proposal.approved_at = utcnow()
        proposal.period_start = terms.start
        proposal.original_end = proposal.current_end = period_end(
            terms.start, terms.duration_months
        )
        totals.add(proposal, projects=1, approved=terms.budget)
    previous = _previous_decision(proposal.id, None)
    decision = Decision(
        item=item,
        proposal_id=proposal.id,
        **_tally_fields(outcome, counted),
        approved_budget=terms.budget if approved and terms else None,
        approved_duration_months=terms.duration_months if approved and terms else None,
        period_start=terms.start if approved and terms else None,
        period_end=(
            period_end(terms.start, terms.duration_months)
            if approved and terms and terms.start and terms.duration_months
            else None
        ),
        conditions=(terms.conditions.strip() if terms else item.conditions) or "",
        recorded_by_id=actor.id if actor else None,
        supersedes_id=previous,
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


def _tally_fields(outcome: Outcome, counted: ItemCount) -> dict[str, object]:
    """What every Decision records of the vote, whatever it decided."""
    return {
        "outcome": outcome.choice,
        "votes_for": counted.tally.approve,
        "votes_against": counted.tally.reject,
        "votes_revision": counted.tally.request_revision,
        "votes_abstain": counted.tally.abstain,
        "eligible": counted.tally.eligible,
        "recused": counted.tally.recused,
        "recused_names": counted.recused_text,
        "casting_vote": outcome.casting_vote_used,
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
    outcome: Outcome,
    counted: ItemCount,
    *,
    actor: User | None,
    role: Role,
    where: str,
    conditions: str,
) -> Decision | None:
    """The Board's decision on an extension request: approval moves the end date and adds
    any additional funds to the approved budget (within the envelope)."""
    ext = item.extension
    assert ext is not None and outcome.choice is not None
    original_end = proposal.current_end
    approved = outcome.choice is VoteChoice.APPROVE
    if approved:
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
        **_tally_fields(outcome, counted),
        extension_months=ext.months if approved else None,
        original_end=original_end,
        new_end=ext.new_end if approved else None,
        additional_funds=ext.additional_funds if approved else None,
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
            _close(item, actor=None, terms=None)
            db.session.commit()
            closed += 1
        except (Invalid, Conflict) as exc:
            # e.g. the stored terms no longer pass: leave it open for the secretariat.
            db.session.rollback()
            current_app.logger.warning("could not close item %s at deadline: %s", item_id, exc)
    return closed


# -- what pages show ----------------------------------------------------------------------


def awaiting_vote(user: User) -> list[AgendaItem]:
    """Open items on which this member may vote and has not yet voted."""
    if not _is_board_member(user):
        return []
    # NOT EXISTS on (item, member) keys: a member's whole voting history is never read.
    voted = select(Vote.id).where(Vote.item_id == AgendaItem.id, Vote.member_id == user.id).exists()
    declared = (
        select(ConflictOfInterest.id)
        .where(ConflictOfInterest.item_id == AgendaItem.id, ConflictOfInterest.member_id == user.id)
        .exists()
    )
    items = db.session.scalars(
        select(AgendaItem)
        .join(Meeting)
        .where(
            AgendaItem.status == ItemState.OPEN,
            ~voted,
            ~declared,
        )
        .order_by(Meeting.held_on, AgendaItem.position)
    ).unique()
    now = utcnow()
    return [
        i
        for i in items
        if automatic_recusal(user, i.proposal) is None
        and (i.meeting.deadline is None or i.meeting.deadline > now)
    ]


def open_meetings(user: User) -> list[Meeting]:
    """Meetings with items still open, for the board, the secretariat and finance."""
    if not user.has_role(Role.BOARD_MEMBER, Role.SECRETARIAT, Role.FINANCE):
        return []
    with_open_items = select(AgendaItem.meeting_id).where(AgendaItem.status == ItemState.OPEN)
    return list(
        db.session.scalars(
            select(Meeting).where(Meeting.id.in_(with_open_items)).order_by(Meeting.held_on)
        ).unique()
    )


def decisions_for(proposal: Proposal) -> list[Decision]:
    return list(
        db.session.scalars(
            select(Decision)
            .where(Decision.proposal_id == proposal.id)
            .order_by(Decision.decided_at, Decision.id)
        ).unique()
    )


def items_for(proposal: Proposal) -> list[AgendaItem]:
    return list(
        db.session.scalars(
            select(AgendaItem).where(AgendaItem.proposal_id == proposal.id).order_by(AgendaItem.id)
        ).unique()
    )
