"""Votes and declared conflicts of interest."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from prb.extensions import db
from prb.models import AgendaItem, Attendance, ConflictOfInterest, Meeting, User, Vote, utcnow
from prb.services import audit
from prb.services.access import require_role
from prb.services.board.decisions import close, notification_events, still_before_the_board
from prb.services.board.meetings import lock_item, meeting_is_open, refuse_if_frozen
from prb.services.board.members import (
    Member,
    board_members,
    is_board_member,
    recusals,
    seat_on,
    sits_on,
)
from prb.services.board.rules import rules_on
from prb.services.calendar import long_date, utc_time
from prb.services.errors import Conflict, Invalid, NotAllowed
from prb.services.once import spend
from prb.services.transaction import committed
from workflows import Role, VoteChoice


def _closed_message(item: AgendaItem) -> str:
    when = f" on {utc_time(item.closed_at)}" if item.closed_at else ""
    return (
        f"Voting on this item closed{when} ({item.status_label}). "
        "Votes can no longer be cast or changed."
    )


def _parse(choice: str, comment: str) -> tuple[VoteChoice, str]:
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
    return vote_choice, comment


def absence_refusal(meeting: Meeting, member: User | Member) -> str | None:
    """Why a member not recorded present at this meeting (in person or remotely) may not
    vote at it (None: she may). Written procedures have no attendance: every member votes
    by correspondence."""
    if meeting.is_written_procedure:
        return None
    rules = rules_on(meeting.held_on)
    if rules is None or rules.absent_may_vote:
        return None
    present = db.session.scalar(
        select(Attendance.present).where(
            Attendance.meeting_id == meeting.id, Attendance.member_id == member.id
        )
    )
    if present:
        return None
    recorded = (
        "is recorded absent from"
        if present is not None
        else "is not recorded present (in person or remotely) at"
    )
    return (
        f"{member.name} {recorded} {meeting.number}, and under the rules of procedure of "
        f"{long_date(rules.effective_from)} a member not present at a meeting may not "
        "vote; the secretariat marks a member present as she joins"
    )


def cast_vote(
    actor: User, item_id: int, choice: str, comment: str = "", *, change: bool = False
) -> Vote:
    """A board member votes on an open item, or (`change`) changes her vote.

    The item row is locked for the whole transaction, so a vote and the closing of the item
    are serialised: the vote is either counted or refused, never lost.
    """
    if not is_board_member(actor):
        raise NotAllowed("Only board members vote.")
    vote_choice, comment = _parse(choice, comment)
    try:
        item = lock_item(item_id)
        meeting = item.meeting
        refuse_if_frozen(meeting)
        if meeting.recorded_after:
            raise NotAllowed(
                f"{meeting.number} took place before it was entered in PRB: the secretariat "
                "enters its votes from the record."
            )
        if item.is_open and not meeting_is_open(meeting):
            close(item, actor=None, terms=None)
            db.session.commit()
        if not item.is_open:
            raise Conflict(_closed_message(item))
        if not still_before_the_board(item, item.proposal):
            # Withdrawn by its chair while on the agenda (or its project ended): a vote
            # would count for nothing, and read as if the Board were still deciding it.
            raise Conflict(
                f"{item.proposal.display_code} is {item.proposal.status_label}: there is "
                "nothing left to vote on. The secretariat closes the item."
            )
        seat = seat_on(actor, meeting.held_on)
        if seat is None:
            raise NotAllowed(
                f"You had no seat on the Board on {long_date(meeting.held_on)}, the date of "
                f"{meeting.number}, and cannot vote at it."
            )
        # Recused for the entity of her seat on the meeting's date.
        reason = recusals(item, [seat]).get(actor.id)
        if reason:
            raise NotAllowed(f"You are recused from this item ({reason}) and cannot vote.")
        absent = absence_refusal(meeting, actor)
        if absent:
            raise NotAllowed(f"You cannot vote: {absent}.")
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
            comment=f"{meeting.number}, item {item.position}",
        )
        notification_events().voted(item, actor.id)
        if meeting.is_written_procedure and everyone_voted(item):
            try:
                with db.session.begin_nested():
                    close(item, actor=None, terms=None)
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


def _lock_recorded_item(item_id: int) -> AgendaItem:
    """An open item of a meeting recorded after the fact, locked, for the secretariat."""
    item = lock_item(item_id)
    refuse_if_frozen(item.meeting)
    if not item.meeting.recorded_after:
        raise NotAllowed(
            f"Members cast their own votes at {item.meeting.number}. The secretariat enters "
            "votes only for a meeting recorded after it took place."
        )
    if not item.is_open:
        raise Conflict(_closed_message(item))
    return item


def _recorded_member(item: AgendaItem, member_id: int | None) -> Member:
    """A member of the meeting's date (her seat then), from the secretariat's form."""
    meeting = item.meeting
    member = next((m for m in board_members(on=meeting.held_on) if m.id == member_id), None)
    if member is None:
        raise Invalid(
            "Choose a member of the Board on the meeting's date.",
            {
                "member_id": [
                    f"Choose one of the members of the Board on {long_date(meeting.held_on)}."
                ]
            },
        )
    return member


def record_vote(
    actor: User,
    item_id: int,
    member_id: int | None,
    choice: str,
    comment: str = "",
    *,
    once: str | None = None,
) -> Vote:
    """The secretariat enters a member's vote from the record of a meeting (or written
    procedure) that took place before it was entered in PRB; entering it again corrects it.
    Recusals and the rule on absent members apply as if she had voted herself."""
    require_role(actor, Role.SECRETARIAT, action="enter votes from a meeting's record")
    vote_choice, comment = _parse(choice, comment)
    with committed():
        spend(once, actor, "record vote")
        item = _lock_recorded_item(item_id)
        meeting = item.meeting
        member = _recorded_member(item, member_id)
        reason = recusals(item, [member]).get(member.id)
        if reason:
            raise Invalid(
                f"{member.name} is recused from this item ({reason}) and has no vote.",
                {"member_id": [f"{member.name} is recused: {reason}."]},
            )
        absent = absence_refusal(meeting, member)
        if absent:
            raise Invalid(f"{absent}.", {"member_id": [f"{absent}."]})
        vote = db.session.scalar(
            select(Vote).where(Vote.item_id == item.id, Vote.member_id == member.id)
        )
        if vote is None:
            vote = Vote(
                item=item,
                member_id=member.id,
                choice=vote_choice,
                comment=comment,
                recorded_by_id=actor.id,
            )
            db.session.add(vote)
            event = "vote_recorded"
        else:
            vote.choice, vote.comment, vote.changed_at = vote_choice, comment, utcnow()
            vote.recorded_by_id = actor.id
            event = "recorded_vote_corrected"
        db.session.flush()
        audit.record(
            event,
            actor=actor,
            role=Role.SECRETARIAT,
            proposal=item.proposal,
            comment=f"{meeting.number} of {long_date(meeting.held_on)}, item {item.position}: "
            f"{member.name} — {vote.choice_label}. Recorded after the fact by {actor.name} "
            f"on {long_date(utcnow().date())}, from the record of the meeting.",
        )
    return vote


def record_conflict(
    actor: User, item_id: int, member_id: int | None, reason: str, *, once: str | None = None
) -> None:
    """The secretariat enters a conflict of interest a member declared at a meeting recorded
    after the fact; a vote entered for her on the item is withdrawn."""
    require_role(actor, Role.SECRETARIAT, action="enter conflicts from a meeting's record")
    reason = _reason(reason)
    with committed():
        spend(once, actor, "record conflict")
        item = _lock_recorded_item(item_id)
        member = _recorded_member(item, member_id)
        if any(c.member_id == member.id for c in item.conflicts):
            raise Conflict(f"{member.name}'s conflict of interest is already recorded.")
        _withdraw_vote(item, member)
        db.session.add(ConflictOfInterest(item=item, member_id=member.id, reason=reason))
        audit.record(
            "conflict_recorded",
            actor=actor,
            role=Role.SECRETARIAT,
            proposal=item.proposal,
            comment=f"{item.meeting.number}, item {item.position}: {member.name} — {reason}. "
            f"Recorded after the fact by {actor.name} on {long_date(utcnow().date())}.",
        )


def _reason(reason: str) -> str:
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
    return reason


def _withdraw_vote(item: AgendaItem, member: User | Member) -> None:
    vote = db.session.scalar(
        select(Vote).where(Vote.item_id == item.id, Vote.member_id == member.id)
    )
    if vote is not None:
        db.session.delete(vote)


def declare_conflict(actor: User, item_id: int, reason: str, *, once: str | None = None) -> None:
    """A member declares a conflict of interest; a vote she already cast is withdrawn."""
    if not is_board_member(actor):
        raise NotAllowed("Only board members declare conflicts of interest.")
    reason = _reason(reason)
    try:
        spend(once, actor, "declare conflict")
        item = lock_item(item_id)
        refuse_if_frozen(item.meeting)
        if item.meeting.recorded_after:
            raise NotAllowed(
                f"{item.meeting.number} took place before it was entered in PRB: the "
                "secretariat enters its record, conflicts of interest included."
            )
        if not item.is_open:
            raise Conflict(_closed_message(item))
        if not sits_on(actor, item.meeting.held_on):
            raise NotAllowed(f"You had no seat on the Board on {long_date(item.meeting.held_on)}.")
        if any(c.member_id == actor.id for c in item.conflicts):
            raise Conflict("You have already declared a conflict of interest on this item.")
        _withdraw_vote(item, actor)
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


def everyone_voted(item: AgendaItem) -> bool:
    members = board_members(on=item.meeting.held_on)
    reasons = recusals(item, members)
    eligible = {m.id for m in members if m.id not in reasons}
    voted = set(db.session.scalars(select(Vote.member_id).where(Vote.item_id == item.id)))
    return bool(eligible) and eligible <= voted
