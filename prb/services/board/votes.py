"""Votes and declared conflicts of interest."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from prb.extensions import db
from prb.models import AgendaItem, ConflictOfInterest, User, Vote, utcnow
from prb.services import audit
from prb.services.board.decisions import close
from prb.services.board.meetings import lock_item, meeting_is_open
from prb.services.board.members import board_members, is_board_member, recusals
from prb.services.errors import Conflict, Invalid, NotAllowed
from workflows import Role, VoteChoice


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
    if not is_board_member(actor):
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
        item = lock_item(item_id)
        if item.is_open and not meeting_is_open(item.meeting):
            close(item, actor=None, terms=None)
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
        if item.meeting.is_written_procedure and everyone_voted(item):
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


def declare_conflict(actor: User, item_id: int, reason: str) -> None:
    """A member declares a conflict of interest; a vote she already cast is withdrawn."""
    if not is_board_member(actor):
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
        item = lock_item(item_id)
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


def everyone_voted(item: AgendaItem) -> bool:
    members = board_members()
    reasons = recusals(item, members)
    eligible = {m.id for m in members if m.id not in reasons}
    voted = set(db.session.scalars(select(Vote.member_id).where(Vote.item_id == item.id)))
    return bool(eligible) and eligible <= voted
