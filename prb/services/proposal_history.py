"""A proposal's history as its page shows it: the audit records on the proposal, read as
plain rows (with the actor's name) rather than as ORM records that each load their actor
with her roles and groups. Each actor is named as her account was named when the entry was
written — read from the accounts' own audit records, which keep the name before and after
each change — beside her name of today."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, func, or_, select

from prb.extensions import db
from prb.models import AgendaItem, AuditRecord, Proposal, User
from prb.services import audit
from prb.services.audit_names import NameChanges, name_at, name_changes
from workflows import ItemState, Role


class Actor(NamedTuple):
    id: int
    name: str  # today's
    recorded_name: str  # the account's name when the entry was written

    @property
    def renamed(self) -> bool:
        return self.recorded_name != self.name


class HistoryEntry(NamedTuple):
    """One audit record of the proposal. Field names are AuditRecord's, so that its
    `summary` is reused rather than restated."""

    id: int
    at: datetime
    actor_id: int | None
    actor: Actor | None
    actor_role: str | None
    event: str
    from_state: str | None
    to_state: str | None
    comment: str
    effective_on: date | None  # a transition's day, when it took effect (None: `at`'s day)

    summary = property(AuditRecord.summary.fget)  # type: ignore[attr-defined]


def sees_open_ballots(viewer: User) -> bool:
    """The one thing about the viewer that changes what `history` shows."""
    return viewer.has_role(Role.SECRETARIAT)


def history(proposal: Proposal, viewer: User) -> list[HistoryEntry]:
    """The proposal's history as `viewer` may read it: the entries of voting still open
    are left out for everyone but the secretariat (the chair who proposed it, board members,
    finance and administrators included); once the item closes they are shown."""
    query = (
        select(
            AuditRecord.id,
            AuditRecord.at,
            AuditRecord.actor_id,
            User.name,
            AuditRecord.actor_role,
            AuditRecord.event,
            AuditRecord.from_state,
            AuditRecord.to_state,
            AuditRecord.comment,
            AuditRecord.effective_on,
        )
        .outerjoin(User, User.id == AuditRecord.actor_id)
        .where(AuditRecord.proposal_id == proposal.id)
    )
    if not sees_open_ballots(viewer):
        query = query.where(~_open_ballot(proposal))
    rows = db.session.execute(query.order_by(AuditRecord.at, AuditRecord.id)).all()
    changes = _name_changes(proposal)
    return [
        HistoryEntry(
            id_,
            at,
            actor_id,
            Actor(actor_id, name, name_at(changes.get(actor_id, ()), at, name))
            if actor_id is not None
            else None,
            role,
            event,
            from_state,
            to_state,
            comment,
            effective_on,
        )
        for id_, at, actor_id, name, role, event, from_state, to_state, comment, effective_on in (
            rows
        )
    ]


def _open_ballot(proposal: Proposal) -> ColumnElement[bool]:
    """Ballot entries written since the proposal's last item closed, while one is open.
    Votes are only cast on an open item, so those entries belong to the open one."""
    items = AgendaItem.proposal_id == proposal.id
    open_item = select(AgendaItem.id).where(items, AgendaItem.status == ItemState.OPEN).exists()
    last_closed = (
        select(func.max(AgendaItem.closed_at))
        .where(items, AgendaItem.status != ItemState.OPEN)
        .scalar_subquery()
    )
    return and_(
        AuditRecord.event.in_(audit.BALLOT_EVENTS),
        open_item,
        or_(last_closed.is_(None), AuditRecord.at > last_closed),
    )


def _name_changes(proposal: Proposal) -> dict[int, NameChanges]:
    """The names each actor of the proposal's history had before and after each change to
    her account (its creation and updates: `prb.services.accounts.people`), in one query."""
    actors = select(AuditRecord.actor_id).where(
        AuditRecord.proposal_id == proposal.id, AuditRecord.actor_id.is_not(None)
    )
    return name_changes("user", actors)
