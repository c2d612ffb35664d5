"""Reading calls: the list per role, a call's page, the calls a chair may write for, and the
open call of a programme for a working group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select

from prb.extensions import db
from prb.models import Call, Proposal, User, call_working_groups, utcnow
from prb.services.access import SET_UP_READERS
from prb.services.calls.windows import CallPhase, phase_of
from prb.services.errors import NotAllowed, NotFound
from workflows import Role

# Who reads the list of calls; a chair sees the calls open to her working groups.
READERS = SET_UP_READERS
CLOSED_SHOWN = 50


def get_call(actor: User, call_id: int) -> Call:
    """A call the actor may read: every call for the readers; for a chair, a call open (or
    opening) to one of her groups. Otherwise NotFound, so an id tells nothing."""
    call = db.session.get(Call, call_id)
    if call is not None:
        if actor.has_role(*READERS):
            return call
        if (
            actor.has_role(Role.CHAIR)
            and {g.id for g in call.working_groups} & actor.chaired_group_ids
            and phase_of(call) != CallPhase.CLOSED
        ):
            return call
    if not actor.has_role(*READERS, Role.CHAIR):
        raise NotAllowed("Only the office, the Board and working-group chairs see the calls.")
    raise NotFound(f"There is no call number {call_id} that you can see.")


def can_manage(actor: User) -> bool:
    return actor.has_role(Role.ADMINISTRATOR)


@dataclass(frozen=True)
class CallList:
    open: list[Call]
    upcoming: list[Call]
    closed: list[Call]
    # False for a chair, who sees only the calls open (or opening) to her groups.
    everything: bool


def for_groups(stmt: Select[tuple[Call]], group_ids: frozenset[int]) -> Select[tuple[Call]]:
    return stmt.where(
        Call.id.in_(
            select(call_working_groups.c.call_id).where(
                call_working_groups.c.working_group_id.in_(group_ids or {-1})
            )
        )
    )


def list_calls(actor: User) -> CallList:
    now = utcnow()
    everything = actor.has_role(*READERS)
    if not everything and not actor.has_role(Role.CHAIR):
        raise NotAllowed("Only the office, the Board and working-group chairs see the calls.")
    base = select(Call)
    if not everything:
        base = for_groups(base, actor.chaired_group_ids)
    opened = base.where(Call.opens_at <= now, Call.closes_at > now).order_by(Call.closes_at)
    upcoming = base.where(Call.opens_at > now).order_by(Call.opens_at)
    closed = base.where(Call.closes_at <= now).order_by(Call.closes_at.desc()).limit(CLOSED_SHOWN)
    return CallList(
        open=list(db.session.scalars(opened).unique()),
        upcoming=list(db.session.scalars(upcoming).unique()),
        closed=list(db.session.scalars(closed).unique()) if everything else [],
        everything=everything,
    )


def calls_for_chair(actor: User) -> list[Call]:
    """Open and upcoming calls of a chair's working groups (the proposal form's choice)."""
    now = utcnow()
    stmt = for_groups(select(Call), actor.chaired_group_ids).where(Call.closes_at > now)
    return list(db.session.scalars(stmt.order_by(Call.opens_at, Call.id)).unique())


def open_call(programme_id: int, working_group_id: int, now: datetime) -> Call | None:
    stmt = (
        for_groups(select(Call), frozenset({working_group_id}))
        .where(Call.programme_id == programme_id, Call.opens_at <= now, Call.closes_at > now)
        .order_by(Call.closes_at)
        .limit(1)
    )
    return db.session.scalars(stmt).unique().first()


def call_of(proposal: Proposal) -> Call | None:
    """The call a proposal was written for or submitted in (None: not known yet)."""
    return db.session.get(Call, proposal.call_id) if proposal.call_id else None


def next_window_change(programme_id: int, now: datetime) -> datetime | None:
    """The next moment after `now` a call of the programme opens or closes (None: none
    will): until then, which of its calls are open stays as it is."""
    opens, closes = db.session.execute(
        select(
            func.min(Call.opens_at).filter(Call.opens_at > now),
            func.min(Call.closes_at).filter(Call.closes_at > now),
        ).where(Call.programme_id == programme_id)
    ).one()
    return min((m for m in (opens, closes) if m is not None), default=None)
