"""Who sits on the Board on a given date (its seats), who chairs it, and who does not vote
on an item (recusals)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import lazyload

from prb.extensions import db
from prb.models import AgendaItem, BoardMembership, Proposal, User, utcnow
from workflows import Role


def _seated_on(day: date):  # type: ignore[no-untyped-def]
    """SQL condition: the seat covers `day` (`until` is the seat's last day)."""
    return (BoardMembership.since <= day) & or_(
        BoardMembership.until.is_(None), BoardMembership.until >= day
    )


def board_members(on: date | None = None) -> list[User]:
    """The members of the Board on `on` (default today): a seat covering that date and an
    active account. Past meetings are counted against their own date's members."""
    day = on or utcnow().date()
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.id.in_(select(BoardMembership.user_id).where(_seated_on(day))),
            )
            .order_by(User.name)
            # Who sits, her name and entity: her roles and chaired groups are not asked of
            # a member here, and loading them for every member were two statements more
            # on each meeting page (read only if something does ask).
            .options(lazyload(User.role_rows), lazyload(User.chaired_groups))
        ).unique()
    )


def sits_on(user: User, day: date) -> bool:
    return bool(
        user.active
        and db.session.scalar(
            select(BoardMembership.id)
            .where(BoardMembership.user_id == user.id, _seated_on(day))
            .limit(1)
        )
    )


def board_chair(on: date | None = None) -> User | None:
    """Who chairs the Board on `on` (default today): the seat marked chair that covers it."""
    day = on or utcnow().date()
    return db.session.scalars(
        select(User)
        .join(BoardMembership, BoardMembership.user_id == User.id)
        .where(BoardMembership.is_chair.is_(True), _seated_on(day), User.active.is_(True))
        .limit(1)
    ).first()


def is_board_member(user: User) -> bool:
    """May act as a member at all (the role, an active account); whether she sits on a
    given meeting's date is `sits_on`."""
    return user.active and user.has_role(Role.BOARD_MEMBER)


def automatic_recusal(member: User, proposal: Proposal) -> str | None:
    """A member whose entity leads or implements the project does not vote on it."""
    if proposal.lead_entity_id == member.entity_id:
        return f"{member.entity.code} is the lead entity"
    if any(e.id == member.entity_id for e in proposal.implementing_entities):
        return f"{member.entity.code} is an implementing entity"
    return None


def recusals(item: AgendaItem, members: list[User]) -> dict[int, str]:
    """member id → why she does not vote on this item (`members`: of the meeting's date)."""
    reasons: dict[int, str] = {}
    seated = {m.id for m in members}
    for member in members:
        reason = automatic_recusal(member, item.proposal)
        if reason:
            reasons[member.id] = reason
    for conflict in item.conflicts:
        if conflict.member_id not in seated:
            continue
        reasons.setdefault(
            conflict.member_id, f"declared a conflict of interest: {conflict.reason}"
        )
    return reasons
