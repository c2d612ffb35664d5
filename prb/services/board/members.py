"""Who sits on the Board on a given date (its seats), who chairs it, and who does not vote
on an item (recusals).

The seat is the record of who sat: for a date before today it decides alone (an account
disabled since does not un-seat its owner retroactively; she still cannot sign in), and
the member counts for the seat's entity, not for the entity her account names today. For
today and later dates the account must also be active."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import contains_eager

from prb.extensions import db
from prb.models import AgendaItem, BoardMembership, Entity, Proposal, User, utcnow
from workflows import Role


@dataclass(frozen=True, slots=True)
class Member:
    """A member of the Board on a date: her account, and the seat she held that day."""

    user: User
    # The entity she sat for on that date (her seat's), whatever her account says today.
    entity: Entity
    is_chair: bool = False

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def active(self) -> bool:
        return self.user.active

    @property
    def entity_id(self) -> int:
        return self.entity.id


def _seated_on(day: date):  # type: ignore[no-untyped-def]
    """SQL condition: the seat covers `day` (`until` is the seat's last day)."""
    return (BoardMembership.since <= day) & or_(
        BoardMembership.until.is_(None), BoardMembership.until >= day
    )


def _seats_on(day: date | None) -> Select[tuple[BoardMembership]]:
    """The seats covering `day` (default today), each with its account and entity in the
    same statement; from today on, only those of active accounts."""
    today = utcnow().date()
    day = day or today
    stmt = (
        select(BoardMembership)
        .join(BoardMembership.user)
        .where(_seated_on(day))
        # Who sits, her name and entity: her roles and chaired groups are not asked of a
        # member here, and loading them for every member were two statements more on each
        # meeting page (read only if something does ask).
        .options(
            contains_eager(BoardMembership.user).lazyload(User.role_rows),
            contains_eager(BoardMembership.user).lazyload(User.chaired_groups),
        )
    )
    if day >= today:
        stmt = stmt.where(User.active.is_(True))
    return stmt


def _member(seat: BoardMembership) -> Member:
    return Member(seat.user, seat.entity, seat.is_chair)


def board_members(on: date | None = None) -> list[Member]:
    """The members of the Board on `on` (default today), by name: past meetings are counted
    against the seats of their own date (see the module's note)."""
    seats = db.session.scalars(_seats_on(on).order_by(User.name, User.id)).unique()
    return [_member(seat) for seat in seats]


def seat_holders() -> list[tuple[int, str, date | None]]:
    """Everyone who has held a seat, at any time, by name: (user id, name, the last day of
    her latest seat; None while it runs). A meeting entered after the fact may be chaired by
    a member who has left the Board since; the service checks her seat on its date."""
    last = func.max(func.coalesce(BoardMembership.until, date.max))
    rows = db.session.execute(
        select(User.id, User.name, last)
        .join(BoardMembership, BoardMembership.user_id == User.id)
        .group_by(User.id, User.name)
        .order_by(User.name, User.id)
    )
    return [(uid, name, None if until == date.max else until) for uid, name, until in rows]


def seat_on(user: User, day: date) -> Member | None:
    """`user` as a member of the Board on `day`, or None: she had no seat then (or, from
    today on, her account is disabled)."""
    seat = db.session.scalars(_seats_on(day).where(BoardMembership.user_id == user.id).limit(1))
    found = seat.unique().first()
    return _member(found) if found is not None else None


def sits_on(user: User, day: date) -> bool:
    return seat_on(user, day) is not None


def board_chair(on: date | None = None) -> User | None:
    """Who chairs the Board on `on` (default today): the seat marked chair that covers it."""
    seat = db.session.scalars(
        _seats_on(on).where(BoardMembership.is_chair.is_(True)).limit(1)
    ).unique()
    found = seat.first()
    return found.user if found is not None else None


def is_board_member(user: User) -> bool:
    """May act as a member at all (the role, an active account); whether she sits on a
    given meeting's date is `sits_on`."""
    return user.active and user.has_role(Role.BOARD_MEMBER)


def automatic_recusal(member: Member, proposal: Proposal) -> str | None:
    """A member whose entity (her seat's, on the meeting's date) leads or implements the
    project does not vote on it."""
    if proposal.lead_entity_id == member.entity_id:
        return f"{member.entity.code} is the lead entity"
    if any(e.id == member.entity_id for e in proposal.implementing_entities):
        return f"{member.entity.code} is an implementing entity"
    return None


def recusals(item: AgendaItem, members: list[Member]) -> dict[int, str]:
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
