"""Keeping the Board's seats: an administrator adds a seat for a board member, ends it on a
date, and marks the seat of the Board's chair — at most one chair on any date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select

from prb.extensions import db
from prb.models import BoardMembership, User
from prb.services import audit
from prb.services.access import require_role
from prb.services.accounts.people import active_holders
from prb.services.board.rules import READERS
from prb.services.calendar import long_date
from prb.services.errors import Conflict, Invalid
from prb.services.once import spend
from prb.services.transaction import committed, locked
from workflows import Role


@dataclass
class SeatInput:
    user_id: int | None
    since: date | None
    until: date | None = None
    is_chair: bool = False


def seats(actor: User) -> list[BoardMembership]:
    """Every seat, current and past: those still held first, then by start."""
    require_role(actor, *READERS, action="see the Board's members")
    return list(
        db.session.scalars(
            select(BoardMembership).order_by(
                BoardMembership.until.is_not(None),
                BoardMembership.since.desc(),
                BoardMembership.id,
            )
        ).unique()
    )


def seat_candidates() -> list[User]:
    """Accounts that may be given a seat: active, with the board-member role."""
    return active_holders(Role.BOARD_MEMBER)


def as_values(seat: BoardMembership) -> dict[str, object]:
    return {
        "user": seat.user.email,
        "entity": seat.entity.code,
        "since": seat.since,
        "until": seat.until,
        "is_chair": seat.is_chair,
    }


def _period(since: date, until: date | None) -> str:
    return f"from {long_date(since)}" + (f" to {long_date(until)}" if until else "")


def _overlapping(since: date, until: date | None, *conditions) -> BoardMembership | None:  # type: ignore[no-untyped-def]
    """A seat (meeting `conditions`) whose period shares a day with since…until."""
    stmt = select(BoardMembership).where(
        *conditions,
        or_(BoardMembership.until.is_(None), BoardMembership.until >= since),
    )
    if until is not None:
        stmt = stmt.where(BoardMembership.since <= until)
    return db.session.scalars(stmt.limit(1)).first()


def _chair_clash(since: date, until: date | None, seat_id: int | None) -> str | None:
    other = _overlapping(
        since,
        until,
        BoardMembership.is_chair.is_(True),
        BoardMembership.id != (seat_id or 0),
    )
    if other is None:
        return None
    return (
        f"{other.user.name} chairs the Board {_period(other.since, other.until)}: "
        "end that seat first (the Board has one chair on any date)."
    )


def add_seat(actor: User, data: SeatInput, *, once: str | None = None) -> BoardMembership:
    require_role(actor, Role.ADMINISTRATOR, action="change the Board's members")
    errors: dict[str, list[str]] = {}
    user = db.session.get(User, data.user_id) if data.user_id else None
    if user is None or not user.active or not user.has_role(Role.BOARD_MEMBER):
        errors["user_id"] = ["Choose an active account that holds the board-member role."]
    if data.since is None:
        errors["since"] = ["Give the first day of the seat."]
    elif data.until is not None and data.until < data.since:
        errors["until"] = ["The seat cannot end before it starts."]
    if errors:
        raise Invalid("The seat was not added: please correct the fields marked.", errors)
    assert user is not None and data.since is not None
    with committed():
        spend(once, actor, "add seat")
        _lock_seats()
        same = _overlapping(data.since, data.until, BoardMembership.user_id == user.id)
        if same is not None:
            raise Invalid(
                "The seat was not added.",
                {"since": [f"{user.name} already has a seat {_period(same.since, same.until)}."]},
            )
        if data.is_chair:
            clash = _chair_clash(data.since, data.until, None)
            if clash:
                raise Invalid("The seat was not added.", {"is_chair": [clash]})
        seat = BoardMembership(
            user=user,
            entity_id=user.entity_id,
            since=data.since,
            until=data.until,
            is_chair=data.is_chair,
        )
        db.session.add(seat)
        db.session.flush()
        _record(
            actor,
            seat,
            None,
            "board_seat_added",
            f"{user.name}: seat {_period(seat.since, seat.until)}"
            + (" (Board chair)" if seat.is_chair else ""),
        )
    return seat


def end_seat(actor: User, seat_id: int, until: date | None) -> BoardMembership:
    """The seat's last day."""
    require_role(actor, Role.ADMINISTRATOR, action="change the Board's members")
    if until is None:
        raise Invalid("Give the seat's last day.", {"until": ["Give the seat's last day."]})
    with committed():
        seat = locked(BoardMembership, seat_id, "seat")
        if seat.until is not None:
            raise Conflict(
                f"{seat.user.name}'s seat already ended on {long_date(seat.until)}; "
                "add a new seat if she returns."
            )
        if until < seat.since:
            raise Invalid(
                "The seat cannot end before it starts.",
                {"until": [f"The seat started on {long_date(seat.since)}."]},
            )
        before = as_values(seat)
        seat.until = until
        _record(
            actor,
            seat,
            before,
            "board_seat_ended",
            f"{seat.user.name}: seat ends on {long_date(until)}",
        )
    return seat


def mark_chair(actor: User, seat_id: int, is_chair: bool) -> BoardMembership:
    require_role(actor, Role.ADMINISTRATOR, action="change the Board's members")
    with committed():
        _lock_seats()
        seat = locked(BoardMembership, seat_id, "seat")
        if seat.is_chair == is_chair:
            return seat
        if is_chair:
            clash = _chair_clash(seat.since, seat.until, seat.id)
            if clash:
                raise Invalid(clash, {"is_chair": [clash]})
        before = as_values(seat)
        seat.is_chair = is_chair
        _record(
            actor,
            seat,
            before,
            "board_chair_marked" if is_chair else "board_chair_unmarked",
            f"{seat.user.name} "
            + ("chairs" if is_chair else "no longer chairs")
            + f" the Board over the seat {_period(seat.since, seat.until)}",
        )
    return seat


def follow_move(actor: User, user: User, today: date) -> list[BoardMembership]:
    """Her account moved to another entity today: she sits for it from today. A seat held
    today ends yesterday and a seat for the new entity, chair or not as it was, takes the
    rest of its period; a seat starting today or later is for the new entity. Seats that
    ended stay as they were: past meetings are counted with them. In the caller's
    transaction; the seats changed or added."""
    _lock_seats()
    changed: list[BoardMembership] = []
    for seat in db.session.scalars(
        select(BoardMembership).where(
            BoardMembership.user_id == user.id,
            BoardMembership.entity_id != user.entity_id,
            or_(BoardMembership.until.is_(None), BoardMembership.until >= today),
        )
    ).unique():
        before = as_values(seat)
        if seat.since >= today:
            seat.entity_id = user.entity_id
            db.session.flush()
            db.session.refresh(seat, ["entity"])
            changed.append(seat)
            _record_move(actor, seat, before, "board_seat_moved")
            continue
        rest = BoardMembership(
            user=user,
            entity_id=user.entity_id,
            since=today,
            until=seat.until,
            is_chair=seat.is_chair,
        )
        seat.until = today - timedelta(days=1)
        db.session.add(rest)
        db.session.flush()
        db.session.refresh(rest, ["entity"])
        _record_move(actor, seat, before, "board_seat_ended")
        _record_move(actor, rest, None, "board_seat_added")
        changed += [seat, rest]
    return changed


def _record_move(
    actor: User, seat: BoardMembership, before: dict[str, object] | None, event: str
) -> None:
    _record(
        actor,
        seat,
        before,
        event,
        f"{seat.user.name}: seat {_period(seat.since, seat.until)} for {seat.entity.code} "
        f"(her account moved to {seat.user.entity.code})",
    )


def _record(
    actor: User, seat: BoardMembership, before: dict[str, object] | None, event: str, comment: str
) -> None:
    audit.record_change(
        event,
        actor=actor,
        role=Role.ADMINISTRATOR,
        subject="board_membership",
        subject_id=seat.id,
        before=before,
        after=as_values(seat),
        comment=comment,
    )


def _lock_seats() -> None:
    # Overlap checks read other rows: serialise changes to seats so that two administrators
    # cannot each add a chair for the same dates.
    db.session.execute(select(BoardMembership.id).with_for_update())
